import { ConfigError } from '../../../packages/contract/src/config-error';
import { readStringSetting } from '../../../packages/contract/src/settings';
import { cookieAttributes } from '../../../packages/sessions/src/cookie/attributes';
import { openCookie } from '../../../packages/sessions/src/cookie/codec';
import { loadCookieKeySet } from '../../../packages/sessions/src/cookie/key-source';
import { cookieValues } from '../../../packages/sessions/src/cookie/request';
import { readKeySetSource, SESSION_COOKIE_DOMAIN, SESSION_COOKIE_NAME } from '../../../packages/sessions/src/cookie/settings';
import { getHeader, getHeaderValues } from '../protocol/headers';
import { nowSeconds } from '../time';
import { isOriginAllowed, type OriginPolicy } from './origin';
import type { SessionCheck } from './session-check';
import type { AuthRequest, Verdict } from './verdict';

type Env = Record<string, string | undefined>;

/** The session cookie on `$connect`, as configured: whether a handshake carries it, and what it proves. */
export interface SessionCookieSource {
  /** The cookie's name (`SESSION_COOKIE_NAME`, or the default that `SESSION_COOKIE_DOMAIN` implies). */
  name: string;
  /** Whether the handshake carries at least one cookie of the name (its value is not looked at). */
  present(event: AuthRequest): boolean;
  /** The verdict on the handshake's cookie; never throws on what the request carries. */
  authenticate(event: AuthRequest): Promise<Verdict>;
}

/** Every `Cookie` header of the handshake as one `Cookie` header (a client may send several). */
const cookieHeader = (event: AuthRequest): { headers: { cookie: string } } => ({ headers: { cookie: getHeaderValues(event, 'Cookie').join('; ') } });

/**
 * The session cookie as a `$connect` credential (SESSION_COOKIE_CONNECT): its name and key set source
 * are the HTTP handlers' settings (packages/sessions/COOKIE.md), read and checked at init; the key set
 * is read on the first cookie, once per container (a failed read is not kept). A cookie is accepted
 * only from a browser page of an allowed origin: the Origin must be present and on the list (an
 * `ALLOWED_ORIGINS` of `*` is a `ConfigError`), because the browser attaches the cookie to any
 * page's handshake and WebSockets have no CORS. It is opened (refused as
 * `session_cookie_<reason>`), then its user session is looked up through `sessionCheck.session`, the
 * token `sid` check's cache (refused as `session_revoked` or `session_unavailable`). The identity is the
 * session's user and id, no tenant and no roles (a user session stores neither); its
 * `tokenExpiresAt` is the earlier of the cookie's and the session's expiry, after which the connection
 * is closed as a token's would be.
 *
 * @example
 * const cookie = createSessionCookieSource(process.env, { originPolicy, sessionCheck });
 * if (cookie.present(event)) return cookie.authenticate(event);
 */
export function createSessionCookieSource(env: Env, { originPolicy, sessionCheck }: { originPolicy: OriginPolicy; sessionCheck: SessionCheck }): SessionCookieSource {
  if (originPolicy.allowed.has('*')) {
    throw new ConfigError('SESSION_COOKIE_CONNECT must not be true while ALLOWED_ORIGINS is "*": list the origins allowed to connect with the session cookie');
  }
  const { name } = cookieAttributes({ name: readStringSetting(SESSION_COOKIE_NAME, env), domain: readStringSetting(SESSION_COOKIE_DOMAIN, env) });
  const source = readKeySetSource(env);
  const origins: OriginPolicy = { ...originPolicy, allowMissing: false };

  return {
    name,
    present: (event) => cookieValues(cookieHeader(event), name).length > 0,
    async authenticate(event) {
      const origin = getHeader(event, 'Origin');
      if (!isOriginAllowed(origin, origins)) return { allow: false, status: 403, reason: origin ? 'origin_not_allowed' : 'session_cookie_origin_missing' };
      const values = cookieValues(cookieHeader(event), name);
      if (values.length !== 1) return { allow: false, status: 401, reason: values.length === 0 ? 'token_missing' : 'session_cookie_ambiguous' };
      let keys;
      try {
        keys = await loadCookieKeySet(source);
      } catch {
        return { allow: false, status: 401, reason: 'session_cookie_key_unavailable' };
      }
      const opened = openCookie({ keys, cookieName: name, value: values[0]!, nowSeconds: nowSeconds() });
      if (!opened.ok) return { allow: false, status: 401, reason: `session_cookie_${opened.reason}` };
      const { userId, sessionId, expiresAt } = opened.session;
      const session = await sessionCheck.session({ userId, sessionId });
      const sessionCache = session.cache === undefined ? {} : { sessionCache: session.cache };
      if (!session.ok) return { allow: false, status: 401, reason: session.reason, ...sessionCache };
      const tokenExpiresAt = Math.min(expiresAt, Math.floor(session.expiresAt / 1000));
      return { allow: true, identity: { userId, authMode: 'jwt', sessionId, tokenExpiresAt }, ...sessionCache };
    },
  };
}
