import { ConfigError } from '../../../packages/contract/src/config-error';
import { readChoice, readList, readOptionalString } from '../../../packages/contract/src/readers';
import { readIntegerSetting } from '../../../packages/contract/src/settings';
import type { SessionCheck } from './session-check';
import type { SessionCookieSource } from './session-cookie';
import { JWT_JWKS_REFRESH_SECONDS } from '../../settings/shared';
import { verifyJwt, readJwtSettings, type JwtResult, type JwtSettings, type KeyResolver } from './jwt';
import { createJwksResolver, createStaticKeyResolver, loadKeyMaterial } from './keys';
import { readToken, TOKEN_SOURCES, type TokenSource, type TokenSourceSettings } from './token-source';
import type { Authenticator } from './verdict';

type Env = Record<string, string | undefined>;

function readTokenSources(env: Env, anyOrigin: boolean): TokenSourceSettings {
  const sources = readList('JWT_TOKEN_SOURCES', env);
  for (const source of sources) {
    if (!(TOKEN_SOURCES as readonly string[]).includes(source)) {
      throw new ConfigError(`JWT_TOKEN_SOURCES entries must be ${TOKEN_SOURCES.join(', ')}, got ${JSON.stringify(source)}`);
    }
  }
  // A browser sends the cookie with a WebSocket opened by any page: only the Origin check stops a
  // foreign site from riding on it (cross-site WebSocket hijacking).
  if (sources.includes('cookie') && anyOrigin) {
    throw new ConfigError('JWT_TOKEN_SOURCES must not include cookie while ALLOWED_ORIGINS is "*": list the origins allowed to connect');
  }
  const name = (variable: string, fallback: string) => {
    const value = readOptionalString(variable, env) ?? fallback;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) throw new ConfigError(`${variable} must be 1–64 characters of A–Z a–z 0–9 _ -, got ${JSON.stringify(value)}`);
    return value;
  };
  return {
    sources: sources.length > 0 ? (sources as TokenSource[]) : ['subprotocol'],
    cookieName: name('JWT_COOKIE_NAME', 'ws_token'),
    queryParameter: name('JWT_QUERY_PARAMETER', 'token'),
  };
}

/**
 * Where the verification keys come from: a JWKS URL, or one static key (HMAC secret or PEM public
 * key) held in SSM Parameter Store or Secrets Manager, fetched on first use and kept for the container.
 */
function readKeyResolver(settings: JwtSettings, env: Env): KeyResolver {
  const jwksUrl = readOptionalString('JWT_JWKS_URL', env);
  const parameter = readOptionalString('JWT_KEY_SSM_PARAMETER', env);
  const secret = readOptionalString('JWT_KEY_SECRET_ARN', env);
  const configured = [jwksUrl, parameter, secret].filter((value) => value !== undefined).length;
  if (configured !== 1) {
    throw new ConfigError('exactly one of JWT_JWKS_URL, JWT_KEY_SSM_PARAMETER and JWT_KEY_SECRET_ARN must be set');
  }
  if (jwksUrl) {
    return createJwksResolver({
      url: jwksUrl,
      refreshIntervalSeconds: readIntegerSetting(JWT_JWKS_REFRESH_SECONDS, env),
    });
  }
  if (settings.algorithms.length !== 1) {
    throw new ConfigError('JWT_ALGORITHMS must name exactly one algorithm when the key is a static key');
  }
  const algorithm = settings.algorithms[0]!;
  const kid = readOptionalString('JWT_KEY_ID', env);
  let resolver: Promise<KeyResolver> | undefined;
  const load = () =>
    loadKeyMaterial(parameter ? { source: 'ssm', id: parameter } : { source: 'secretsmanager', id: secret! }).then((material) =>
      createStaticKeyResolver({ algorithm, material, kid }),
    );
  return {
    async resolve(header) {
      resolver ??= load().catch((error: unknown) => {
        resolver = undefined;
        throw error;
      });
      return (await resolver).resolve(header);
    },
  };
}

/** Verifies a token with the stage's keys and claim policy; never throws (key trouble is `key_unavailable`). */
export type TokenVerifier = (token: string) => Promise<JwtResult>;

/**
 * The JWT verification a stage is configured for (JWT_* settings and key source), read and checked at
 * init. Used by the authorizer in `jwt` mode and by the `auth` action.
 *
 * @example
 * const verify = createTokenVerifier(process.env);
 * const result = await verify(token);
 */
export function createTokenVerifier(env: Env = process.env): TokenVerifier {
  const settings = readJwtSettings(env);
  const keys = readKeyResolver(settings, env);
  return async (token) => {
    try {
      return await verifyJwt(token, settings, keys);
    } catch {
      return { ok: false, reason: 'key_unavailable' };
    }
  };
}

/**
 * The `jwt` mode: the token from the enabled sources, verified with the configured keys and claim
 * policy (see functions/lib/auth/jwt.ts), then its `sid` checked by `sessionCheck` (the authorizer's
 * `readSessionCheck`) when one is given. Reads and checks every setting at init; `anyOrigin` (the stage allows
 * every origin) refuses the cookie source. With `sessionCookie` (SESSION_COOKIE_CONNECT), a handshake
 * that carries no token at all but the session cookie is authenticated by the cookie; a token, valid or
 * not, always decides alone (docs/auth.md, "Precedence").
 *
 * @example
 * const authenticate = createJwtAuthenticator(process.env);
 * const verdict = await authenticate(event);
 */
export function createJwtAuthenticator(
  env: Env = process.env,
  { anyOrigin = false, sessionCheck, sessionCookie }: { anyOrigin?: boolean; sessionCheck?: SessionCheck; sessionCookie?: SessionCookieSource } = {},
): Authenticator {
  readChoice('AUTH_MODE', ['jwt'] as const, undefined, env);
  const tokenSources = readTokenSources(env, anyOrigin);
  if (sessionCookie && tokenSources.sources.includes('cookie') && tokenSources.cookieName === sessionCookie.name) {
    throw new ConfigError(`JWT_COOKIE_NAME and the session cookie's name are both ${sessionCookie.name}: a cookie would be read as a token and as a session`);
  }
  const verify = createTokenVerifier(env);
  return async (event) => {
    const token = readToken(event, tokenSources);
    if (!token.ok && token.reason === 'token_missing' && sessionCookie?.present(event)) return sessionCookie.authenticate(event);
    if (!token.ok) return { allow: false, status: 401, reason: token.reason };
    const result = await verify(token.token);
    if (!result.ok) return { allow: false, status: 401, reason: result.reason };
    const { userId, tenantId, roles, sessionId, expiresAt } = result.identity;
    const session = sessionCheck ? await sessionCheck(result.identity) : ({ ok: true, cache: 'off' } as const);
    const sessionCache = session.cache === 'hit' || session.cache === 'miss' ? { sessionCache: session.cache } : {};
    if (!session.ok) return { allow: false, status: 401, reason: session.reason, ...sessionCache };
    return { allow: true, identity: { userId, authMode: 'jwt', tenantId, roles, sessionId, tokenExpiresAt: expiresAt }, ...sessionCache };
  };
}
