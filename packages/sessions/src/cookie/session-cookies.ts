import { nowSeconds } from '../../../../functions/lib/time';
import { MAX_AGE_LIMIT_SECONDS, serializeCookie, type CookieAttributes } from './attributes';
import { OPEN_FAILURES, openCookie, sealCookie, SessionCookieInputError, type SessionReference } from './codec';
import type { CookieKeySet } from './key-set';
import { loadCookieKeySet } from './key-source';
import { cookieValues, type CookieCarrier } from './request';
import { readCookieAttributeSettings, readKeySetSource } from './settings';

/** Why a request has no session: no cookie of ours, two of them, or one that was refused. */
export const READ_FAILURES = ['absent', 'ambiguous', ...OPEN_FAILURES] as const;
export type ReadFailure = (typeof READ_FAILURES)[number];

export type ReadResult = { ok: true; session: SessionReference } | { ok: false; reason: ReadFailure };

/** The session a cookie is written for: its user, its user-session id and when it ends (epoch seconds). */
export interface CookieSession {
  userId: string;
  sessionId: string;
  expiresAt: number;
}

/** The three verbs of session cookies. */
export interface SessionCookies {
  /** The request's session reference, or why there is none. Never throws on what the request carries. */
  read(event: CookieCarrier | null | undefined): Promise<ReadResult>;
  /** The `Set-Cookie` value carrying `session`, sealed under the newest key, `Max-Age` its remaining lifetime. */
  write(session: CookieSession): Promise<string>;
  /** The `Set-Cookie` value that deletes the cookie (logout). */
  clear(): string;
  /**
   * Reads the key set now rather than on the first request: `await cookies.ready()` at the top level of
   * an ES module handler makes a weak or unreadable key set fail the container's init.
   */
  ready(): Promise<void>;
  /** The cookie's name and attributes. */
  readonly attributes: CookieAttributes;
}

export interface SessionCookiesOptions {
  /** The key set, or how to get it; default: `loadCookieKeySet` from `SESSION_COOKIE_KEYS_*`. */
  keys?: CookieKeySet | (() => Promise<CookieKeySet>);
  /** Default: from the `SESSION_COOKIE_*` settings. */
  attributes?: CookieAttributes;
  /** Clock in epoch milliseconds; tests move it. */
  now?: () => number;
  env?: Record<string, string | undefined>;
}

/**
 * Session cookies for HTTP API (payload v2.0) and function URL handlers. Create it at module scope:
 * the settings are read there (a bad one throws `ConfigError` at init), the key set on first use (or
 * at `ready()`), once per container. `read` and `write` reject with the key loader's error when the key set cannot be
 * had (`KeyMaterialError` for SSM or Secrets Manager, `ConfigError` for a weak key set): that is the
 * deployment's fault, never the request's.
 *
 * @example
 * const cookies = sessionCookies();
 * export const handler = async (event: APIGatewayProxyEventV2) => {
 *   const found = await cookies.read(event);
 *   if (!found.ok) return { statusCode: 401, body: found.reason };
 *   const session = await userSessions.get({ userId: found.session.userId, sessionId: found.session.sessionId });
 *   if (!session) return { statusCode: 401, cookies: [cookies.clear()] };
 *   return { statusCode: 200, cookies: [await cookies.write({ userId: session.userId, sessionId: session.sessionId, expiresAt: Math.floor(session.expiresAt / 1000) })] };
 * };
 */
export function sessionCookies(options: SessionCookiesOptions = {}): SessionCookies {
  const env = options.env ?? process.env;
  const attributes = options.attributes ?? readCookieAttributeSettings(env);
  const given = options.keys;
  const source = given === undefined ? readKeySetSource(env) : undefined;
  const keys: () => Promise<CookieKeySet> = typeof given === 'function' ? given : given ? async () => given : () => loadCookieKeySet(source!);
  const now = (): number => nowSeconds(options.now?.() ?? Date.now());
  const cookieName = attributes.name;

  return {
    attributes,
    async read(event) {
      const values = cookieValues(event, cookieName);
      if (values.length === 0) return { ok: false, reason: 'absent' };
      if (values.length > 1) return { ok: false, reason: 'ambiguous' };
      return openCookie({ keys: await keys(), cookieName, value: values[0]!, nowSeconds: now() });
    },
    async write({ userId, sessionId, expiresAt }) {
      const issuedAt = now();
      const maxAge = expiresAt - issuedAt;
      if (!Number.isSafeInteger(expiresAt) || maxAge <= 0 || maxAge > MAX_AGE_LIMIT_SECONDS) {
        throw new SessionCookieInputError(`expiresAt must be whole epoch seconds 1 s to ${MAX_AGE_LIMIT_SECONDS} s (400 days) from now (${issuedAt}), got ${expiresAt}`);
      }
      const value = sealCookie({ keys: await keys(), cookieName, userId, sessionId, issuedAt, expiresAt });
      return serializeCookie(attributes, value, maxAge);
    },
    clear: () => serializeCookie(attributes, '', 0),
    ready: async () => {
      await keys();
    },
  };
}
