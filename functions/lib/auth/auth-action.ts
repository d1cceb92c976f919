import type { AuthMode, Identity } from '../../../packages/contract/src/identity';
import type { TokenVerifier } from './jwt-mode';
import { fingerprint, log } from '../log';
import { errorFrame } from '../../../packages/contract/src/frames';
import type { ActionHandler } from '../protocol/router';
import type { ConnectionStore } from '../store/connection-store';
import { nowSeconds } from '../time';

/**
 * The `auth` action: `{"action":"auth","token":"<jwt>"}`. On a pending two-phase connection it binds
 * the connection to the token's user; on an authenticated one it refreshes the token, which must be
 * for the same user. Answers `ack` with the user id and the token's expiry (epoch s), or
 * `AUTH_EXPIRED` / `AUTH_INVALID`. A refresh replaces the roles and the expiry the connection is held
 * to (see `tokenExpiresAt`: past it, and a grace, the connection is closed). The token is never logged.
 *
 * @example
 * const actions = { ...builtinActions, auth: createAuthAction({ verify, store, authMode: 'two-phase', connectionTtlSeconds: 7800 }) };
 */
export function createAuthAction({
  verify,
  store,
  authMode,
  connectionTtlSeconds,
  maxConnectionsPerUser = 0,
}: {
  verify: TokenVerifier;
  store: ConnectionStore;
  authMode: AuthMode;
  connectionTtlSeconds: number;
  /** A pending connection counts against its user's cap once it authenticates; 0: no cap. */
  maxConnectionsPerUser?: number;
}): ActionHandler {
  return async (frame, { connectionId, identity: current, connectedAt, now, post, close }) => {
    const { token, id } = frame;
    if (typeof token !== 'string' || token === '') return [errorFrame({ code: 'BAD_MESSAGE', message: '"token" must be a non-empty string', id })];
    const result = await verify(token);
    if (!result.ok) {
      log({ event: 'auth_rejected', level: 'warn', connectionId, reason: result.reason }, { Rejects: 1 });
      const code = result.reason === 'token_expired' ? 'AUTH_EXPIRED' : 'AUTH_INVALID';
      return [errorFrame({ code, message: `token rejected (${result.reason})`, id })];
    }
    const { userId, tenantId, roles, sessionId, expiresAt } = result.identity;
    if (current && current.userId !== userId) {
      log({ event: 'auth_rejected', level: 'warn', connectionId, reason: 'other_user' }, { Rejects: 1 });
      return [errorFrame({ code: 'AUTH_INVALID', message: 'the token is for another user than the connection', id })];
    }
    const identity: Identity = { userId, authMode, tenantId, roles, sessionId, tokenExpiresAt: expiresAt };
    const connectionExpiresAt = nowSeconds(connectedAt ?? now) + connectionTtlSeconds;
    const outcome = await store.authenticateConnection({
      connectionId,
      identity,
      tokenExpiresAt: expiresAt,
      expiresAt: connectionExpiresAt,
      connectedAt: connectedAt ?? now,
      maxPerUser: current ? 0 : maxConnectionsPerUser,
    });
    if (outcome === 'gone') return [];
    if (outcome === 'full') {
      log({ event: 'auth_rejected', level: 'warn', connectionId, reason: 'connection_cap' }, { Rejects: 1 });
      const refused = errorFrame({ code: 'RATE_LIMITED', message: `the user already holds ${maxConnectionsPerUser} connections`, id });
      if (!post || !close) return [refused];
      await post(refused);
      await close();
      return [];
    }
    // After the item: should this write fail, the sweeper finds the older record and reads the item's expiry.
    if (outcome === 'authenticated') await store.putTokenDeadline({ connectionId, tokenExpiresAt: expiresAt, expiresAt: connectionExpiresAt });
    if (outcome === 'other_user') {
      log({ event: 'auth_rejected', level: 'warn', connectionId, reason: 'other_user' }, { Rejects: 1 });
      return [errorFrame({ code: 'AUTH_INVALID', message: 'the token is for another user than the connection', id })];
    }
    log({ event: current ? 'auth_refreshed' : 'authenticated', connectionId, authMode, user: fingerprint(userId) });
    return [id === undefined ? { type: 'ack', action: 'auth', userId, expiresAt } : { type: 'ack', action: 'auth', id, userId, expiresAt }];
  };
}
