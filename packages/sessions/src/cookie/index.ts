/**
 * Session cookies for HTTP handlers (API Gateway HTTP API payload v2.0, Lambda function URLs):
 * `sessionCookies()` with `read`, `write` and `clear`, the sealed format, the key set and its loader,
 * and the settings it reads. See COOKIE.md.
 */
export { READ_FAILURES, sessionCookies, type CookieSession, type ReadFailure, type ReadResult, type SessionCookies, type SessionCookiesOptions } from './session-cookies';
export {
  CLOCK_SKEW_SECONDS,
  COOKIE_VERSION,
  MAX_REFERENCE_LENGTH,
  MAX_USER_ID_BYTES,
  MAX_VALUE_LENGTH,
  MIN_VALUE_LENGTH,
  OPEN_FAILURES,
  openCookie,
  sealCookie,
  SessionCookieInputError,
  type OpenFailure,
  type OpenResult,
  type SessionReference,
} from './codec';
export { cookieAttributes, serializeCookie, HOST_PREFIX, MAX_AGE_LIMIT_SECONDS, SAME_SITE_VALUES, SECURE_PREFIX, type CookieAttributes, type SameSite } from './attributes';
export { EXAMPLE_SECRETS, KEY_BYTES, KEY_ID_PATTERN, parseKeySet, type CookieKey, type CookieKeySet } from './key-set';
export { loadCookieKeySet, type KeySetSource } from './key-source';
export { cookieValues, type CookieCarrier } from './request';
export {
  SESSION_COOKIE_DOMAIN,
  SESSION_COOKIE_KEYS_SECRET_ARN,
  SESSION_COOKIE_KEYS_SSM_PARAMETER,
  SESSION_COOKIE_NAME,
  SESSION_COOKIE_PATH,
  SESSION_COOKIE_SAME_SITE,
  SESSION_COOKIE_SETTINGS,
  readCookieAttributeSettings,
  readKeySetSource,
} from './settings';
