import { getHeader } from '../protocol/headers';
import { readAnonymousId } from './anonymous';
import type { Authenticator } from './verdict';

/** The `anonymous` mode: the client's random id, offered as its only subprotocol, is its identity. */
export const createAnonymousAuthenticator = (): Authenticator => async (event) => {
  const result = readAnonymousId(getHeader(event, 'Sec-WebSocket-Protocol'));
  if (!result.ok) return { allow: false, status: 401, reason: result.reason };
  return { allow: true, identity: { userId: result.userId, authMode: 'anonymous' } };
};
