import { randomUUID } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { ID_PATTERN, MAX_ROLES, ROLE_PATTERN } from '../../../contract/src/identity';
import { ConfigError } from '../../../contract/src/config-error';
import { SessionValidationError } from '../errors';
import type { SessionService } from '../service';
import type { UserSession } from '../types';
import type { SigningKey } from './signing-key';

/** What a token says beyond the session: the user's roles and tenant (the session does not hold them). */
export interface AccessClaims {
  /** Each follows the role rule of packages/contract/src/identity.ts (1–64 of `A–Z a–z 0–9 _ . : @ / -`), at most `MAX_ROLES` (50). */
  roles?: string[];
  tenantId?: string;
}

/** An issued access token and what it says, for the caller's response. */
export interface AccessToken {
  token: string;
  /** The token's `exp`, epoch seconds: never later than the session's own expiry. */
  expiresAt: number;
  userId: string;
  sessionId: string;
}

export interface AccessTokenOptions {
  /** The session service (`createSessionService`): renewals go through its `refresh`. */
  sessions: Pick<SessionService, 'refresh'>;
  /** The signing key, or how to get it (e.g. `() => loadSigningKey(…)`, read once per container). */
  key: SigningKey | (() => Promise<SigningKey>);
  /** The `iss` claim: the authorizer's `JWT_ISSUER`. */
  issuer: string;
  /** The `aud` claim: one of the authorizer's `JWT_AUDIENCE`. */
  audience: string;
  /** A token's lifetime, 10–3600 s (default 300): short, as the refresh token renews it. */
  ttlSeconds?: number;
  /** The roles and tenant of a session's user, asked on every issue and renewal (default: none). */
  claims?: (session: UserSession) => AccessClaims | Promise<AccessClaims>;
  /** Epoch milliseconds (tests move it). */
  nowMs?: () => number;
}

/** Issuing and renewing a user session's access tokens. */
export interface AccessTokens {
  /** A token for a live session, e.g. right after `sessions.create`. */
  issue(session: UserSession, claims?: AccessClaims): Promise<AccessToken>;
  /**
   * Rotates the refresh token through `sessions.refresh` and issues a token for the same session. A
   * reused refresh token rejects with `RefreshTokenReusedError` after the service revoked the session.
   */
  renew(refreshToken: string): Promise<{ accessToken: AccessToken; refreshToken: string; session: UserSession }>;
}

export const ACCESS_TOKEN_TTL_BOUNDS = { min: 10, max: 3600, default: 300 } as const;

/**
 * Short-lived JWTs for user sessions, for the WebSocket authorizer to verify: `sub` (the user), `sid`
 * (the session, which the authorizer can check is still live), `roles`, `tenant_id`, `iat`, `exp`,
 * `iss`, `aud`, `jti`, signed HS256, RS256 or ES256 with the key's `kid` in the header. The claim
 * names are the authorizer's defaults (`JWT_*_CLAIM` unset). Rotation and reuse detection of the
 * refresh token stay the session service's.
 *
 * @example
 * const sessions = createSessionService({ tableName: process.env.TABLE_NAME!, settings: readSessionSettings() });
 * const tokens = createAccessTokens({
 *   sessions,
 *   key: () => loadSigningKey({ source: 'ssm', id: '/chat/prod/jwt-key', algorithm: 'HS256' }),
 *   issuer: 'https://chat.example.com',
 *   audience: 'chat-ws',
 *   claims: async (session) => ({ roles: await rolesOf(session.userId) }),
 * });
 * const { session, refreshToken } = await sessions.create({ userId, email });
 * const { token } = await tokens.issue(session); // new WebSocket(url, ['ws-sessions.v1', `bearer.${token}`])
 * // later, before `exp`:
 * const renewed = await tokens.renew(refreshToken); // same sid; keep renewed.refreshToken
 */
export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const ttlSeconds = options.ttlSeconds ?? ACCESS_TOKEN_TTL_BOUNDS.default;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < ACCESS_TOKEN_TTL_BOUNDS.min || ttlSeconds > ACCESS_TOKEN_TTL_BOUNDS.max) {
    throw new ConfigError(`ttlSeconds must be a whole number from ${ACCESS_TOKEN_TTL_BOUNDS.min} to ${ACCESS_TOKEN_TTL_BOUNDS.max}, got ${String(ttlSeconds)}`);
  }
  for (const [name, value] of [['issuer', options.issuer], ['audience', options.audience]] as const) {
    if (typeof value !== 'string' || value === '' || value.trim() !== value) throw new ConfigError(`${name} must be a non-empty string without surrounding blanks, got ${JSON.stringify(value)}`);
  }
  const given = options.key;
  const key = typeof given === 'function' ? given : async () => given;
  const nowMs = options.nowMs ?? (() => Date.now());

  const issue = async (session: UserSession, claims?: AccessClaims): Promise<AccessToken> => {
    const { roles, tenantId } = checkClaims(claims ?? (await options.claims?.(session)) ?? {});
    const iat = Math.floor(nowMs() / 1000);
    const sessionEnds = Math.floor(session.expiresAt / 1000);
    if (!(sessionEnds > iat)) throw new SessionValidationError('session', `has expired (expiresAt ${session.expiresAt} ms, now ${nowMs()} ms)`);
    const exp = Math.min(iat + ttlSeconds, sessionEnds);
    const signer = await key();
    const payload = { sub: session.userId, sid: session.sessionId, roles, ...(tenantId === undefined ? {} : { tenant_id: tenantId }), iat, exp, iss: options.issuer, aud: options.audience, jti: randomUUID() };
    const token = sign(payload, signer.key, { algorithm: signer.algorithm, header: { alg: signer.algorithm, typ: 'JWT', ...(signer.kid === undefined ? {} : { kid: signer.kid }) } });
    return { token, expiresAt: exp, userId: session.userId, sessionId: session.sessionId };
  };

  return {
    issue,
    async renew(refreshToken) {
      const { session, refreshToken: next } = await options.sessions.refresh(refreshToken);
      return { accessToken: await issue(session), refreshToken: next, session };
    },
  };
}

function checkClaims(claims: AccessClaims): { roles: string[]; tenantId?: string } {
  const roles = claims.roles ?? [];
  if (!Array.isArray(roles) || roles.length > MAX_ROLES || !roles.every((role) => typeof role === 'string' && ROLE_PATTERN.test(role))) {
    throw new SessionValidationError('roles', `must be at most ${MAX_ROLES} roles, each matching ${ROLE_PATTERN.source}`);
  }
  if (claims.tenantId !== undefined && (typeof claims.tenantId !== 'string' || !ID_PATTERN.test(claims.tenantId))) {
    throw new SessionValidationError('tenantId', 'must be 1–256 characters without control characters');
  }
  return claims.tenantId === undefined ? { roles: [...new Set(roles)] } : { roles: [...new Set(roles)], tenantId: claims.tenantId };
}
