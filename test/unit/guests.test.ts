import { withGuests } from '../../functions/lib/auth/guests';
import type { Authenticator } from '../../functions/lib/auth/verdict';

const signedIn: Authenticator = async () => ({ allow: true, pending: true });
const offer = (protocols: string) => ({ headers: { 'Sec-WebSocket-Protocol': protocols } });
const guestId = '739bb5b7-3236-4cbd-8132-b281bbe83b42';

describe('guests beside signed-in users', () => {
  const authenticate = withGuests(signedIn);

  it('admits an anonymous id offered alone as a guest, named in the guest namespace', async () => {
    expect(await authenticate(offer(guestId))).toEqual({ allow: true, identity: { userId: `guest:${guestId}`, authMode: 'anonymous' } });
  });

  it.each([['ws-sessions.v1'], ['ws-sessions.v1, bearer.eyJ'], [`${guestId}, ws-sessions.v1`]])('sends an offer with the app protocol (%s) to the stage’s own authenticator', async (protocols) => {
    expect(await authenticate(offer(protocols))).toEqual({ allow: true, pending: true });
  });

  it.each([
    ['short', 'malformed_anonymous_id'],
    [`${guestId}, ${guestId}x`, 'multiple_subprotocols'],
  ])('refuses a guest offer %j as anonymous mode does', async (protocols, reason) => {
    expect(await authenticate(offer(protocols))).toEqual({ allow: false, status: 401, reason });
  });
});
