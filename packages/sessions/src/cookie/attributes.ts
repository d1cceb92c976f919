import { ConfigError } from '../../../contract/src/config-error';

export const SAME_SITE_VALUES = ['Strict', 'Lax', 'None'] as const;
export type SameSite = (typeof SAME_SITE_VALUES)[number];

/** The cookie's name and the attributes it is set with (`HttpOnly` and `Secure` are always set). */
export interface CookieAttributes {
  name: string;
  sameSite: SameSite;
  path: string;
  domain: string | undefined;
}

/** Browsers cap `Max-Age` at 400 days (RFC 6265bis §5.6.2); a longer session would outlive its cookie unseen. */
export const MAX_AGE_LIMIT_SECONDS = 400 * 86_400;

export const HOST_PREFIX = '__Host-';
export const SECURE_PREFIX = '__Secure-';
const DEFAULT_BASE_NAME = 'session';
const MAX_NAME_LENGTH = 64;
const MAX_PATH_LENGTH = 256;
/** RFC 6265 §4.1.1: a cookie name is an RFC 7230 token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PATH = /^\/[\x21-\x3a\x3c-\x7e]*$/;
const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DOMAIN = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);

const hasPrefix = (name: string, prefix: string): boolean => name.toLowerCase().startsWith(prefix.toLowerCase());

/**
 * Checks the cookie's name and attributes against the cookie rules and the prefix rules, which browsers
 * enforce by dropping the cookie silently: a `__Host-` cookie has no `Domain` and `Path=/`, a
 * `__Secure-` (or `__Host-`) cookie is `Secure` (ours always are). Browsers match the prefixes
 * case-insensitively, so this does too. An unset name is `__Host-session`, or `__Secure-session` with a
 * Domain. Throws `ConfigError` naming the setting and the rule.
 *
 * @example
 * cookieAttributes({ sameSite: 'Lax' }); // { name: '__Host-session', sameSite: 'Lax', path: '/', domain: undefined }
 * cookieAttributes({ name: '__Host-sid', domain: 'example.com' }); // ConfigError: a __Host- cookie cannot have a Domain
 */
export function cookieAttributes(options: { name?: string; sameSite?: SameSite; path?: string; domain?: string }): CookieAttributes {
  const { sameSite = 'Lax', path = '/', domain } = options;
  const name = options.name ?? (domain === undefined ? HOST_PREFIX : SECURE_PREFIX) + DEFAULT_BASE_NAME;
  if (name.length > MAX_NAME_LENGTH || !TOKEN.test(name)) {
    throw new ConfigError(`SESSION_COOKIE_NAME must be 1–${MAX_NAME_LENGTH} cookie-name characters (letters, digits, ! # $ % & ' * + - . ^ _ \` | ~), got ${JSON.stringify(name)}`);
  }
  if (!(SAME_SITE_VALUES as readonly string[]).includes(sameSite)) {
    throw new ConfigError(`SESSION_COOKIE_SAME_SITE must be one of ${SAME_SITE_VALUES.join(', ')}, got ${JSON.stringify(sameSite)}`);
  }
  if (path.length > MAX_PATH_LENGTH || !PATH.test(path)) {
    throw new ConfigError(`SESSION_COOKIE_PATH must start with / and hold at most ${MAX_PATH_LENGTH} visible ASCII characters other than ;, got ${JSON.stringify(path)}`);
  }
  if (domain !== undefined && (domain.length > 253 || !DOMAIN.test(domain))) {
    throw new ConfigError(`SESSION_COOKIE_DOMAIN must be a host name (labels of letters, digits and -, no leading dot), got ${JSON.stringify(domain)}`);
  }
  if (hasPrefix(name, HOST_PREFIX)) {
    if (domain !== undefined) throw new ConfigError(`SESSION_COOKIE_DOMAIN must be unset for a ${HOST_PREFIX} cookie (${name}): browsers drop a ${HOST_PREFIX} cookie with a Domain`);
    if (path !== '/') throw new ConfigError(`SESSION_COOKIE_PATH must be / for a ${HOST_PREFIX} cookie (${name}), got ${JSON.stringify(path)}: browsers drop it otherwise`);
  }
  return { name, sameSite, path, domain };
}

/**
 * The attributes after `name=value`, in a fixed order. `Secure` is unconditional, so `SameSite=None`
 * (which browsers refuse without it) and both prefixes always hold.
 */
function attributeList(attributes: CookieAttributes, maxAgeSeconds: number): string {
  const parts = [`Max-Age=${maxAgeSeconds}`, `Path=${attributes.path}`];
  if (attributes.domain !== undefined) parts.push(`Domain=${attributes.domain}`);
  parts.push('HttpOnly', 'Secure', `SameSite=${attributes.sameSite}`);
  return parts.join('; ');
}

/**
 * A `Set-Cookie` header value. `maxAgeSeconds` must be a whole number from 0 (delete) to
 * {@link MAX_AGE_LIMIT_SECONDS}; `value` is the sealed cookie (base64url, so it needs no quoting).
 *
 * @example
 * serializeCookie(cookieAttributes({}), 'AQ…', 3600);
 * // '__Host-session=AQ…; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Lax'
 */
export function serializeCookie(attributes: CookieAttributes, value: string, maxAgeSeconds: number): string {
  if (!Number.isSafeInteger(maxAgeSeconds) || maxAgeSeconds < 0 || maxAgeSeconds > MAX_AGE_LIMIT_SECONDS) {
    throw new RangeError(`Max-Age must be a whole number of seconds from 0 to ${MAX_AGE_LIMIT_SECONDS}, got ${maxAgeSeconds}`);
  }
  return `${attributes.name}=${value}; ${attributeList(attributes, maxAgeSeconds)}`;
}
