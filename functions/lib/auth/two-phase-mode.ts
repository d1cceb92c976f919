import { getHeader, offeredProtocols } from '../protocol/headers';
import { APP_PROTOCOL } from './token-source';
import type { Authenticator } from './verdict';

/**
 * The `two-phase` mode at the handshake: no credentials yet, only the app protocol; the connection
 * must send `{"action":"auth","token":…}` before its deadline (see functions/lib/auth/auth-action.ts).
 */
export const createTwoPhaseAuthenticator = (): Authenticator => async (event) => {
  if (!offeredProtocols(getHeader(event, 'Sec-WebSocket-Protocol')).includes(APP_PROTOCOL)) {
    return { allow: false, status: 401, reason: 'app_protocol_missing' };
  }
  return { allow: true, pending: true };
};
