import { getHeader, offeredProtocols } from '../protocol/headers';
import { createAnonymousAuthenticator } from './anonymous-mode';
import { APP_PROTOCOL } from './token-source';
import { guestUserId } from '../../../packages/contract/src/identity';
import type { Authenticator } from './verdict';

/**
 * Guests beside signed-in users (`ALLOW_GUESTS` in `jwt` and `two-phase` modes): a handshake that does
 * not offer the app protocol is read as in `anonymous` mode (its only subprotocol, an anonymous id, is
 * its identity, as `guest:{id}` so it never names a signed-in user); one that offers it goes to the
 * stage's own authenticator. The app protocol decides, so a client that means to sign in never falls
 * back to a guest by mistake.
 *
 * @example
 * const authenticate = withGuests(createTwoPhaseAuthenticator());
 */
export function withGuests(signedIn: Authenticator): Authenticator {
  const guest = createAnonymousAuthenticator();
  return async (event) => {
    if (offeredProtocols(getHeader(event, 'Sec-WebSocket-Protocol')).includes(APP_PROTOCOL)) return signedIn(event);
    const verdict = await guest(event);
    return 'identity' in verdict ? { ...verdict, identity: { ...verdict.identity, userId: guestUserId(verdict.identity.userId) } } : verdict;
  };
}
