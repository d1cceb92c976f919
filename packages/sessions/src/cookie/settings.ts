/**
 * The session cookie's settings, declared once with the project's settings mechanism (so a function
 * that uses the cookie lists them in its `<name>.settings.ts` and the manifest and docs table come from
 * here). Import has no side effects.
 */
import { choice, readChoiceSetting, readStringSetting, string, type Setting } from '../../../contract/src/settings';
import type { KeySetSource } from './key-source';
import { cookieAttributes, SAME_SITE_VALUES, type CookieAttributes } from './attributes';
import { ConfigError } from '../../../contract/src/config-error';

type Env = Record<string, string | undefined>;

export const SESSION_COOKIE_NAME = /* @__PURE__ */ string({
  name: 'SESSION_COOKIE_NAME',
  description:
    'the session cookie’s name (a cookie token, at most 64 characters); unset: `__Host-session`, or `__Secure-session` when `SESSION_COOKIE_DOMAIN` is set. A `__Host-` name needs no Domain and Path `/`',
});
export const SESSION_COOKIE_SAME_SITE = /* @__PURE__ */ choice({
  name: 'SESSION_COOKIE_SAME_SITE',
  choices: SAME_SITE_VALUES,
  default: 'Lax',
  description: 'the cookie’s `SameSite`: `Strict`, `Lax` or `None` (the cookie is always `Secure`, which `None` requires)',
});
export const SESSION_COOKIE_PATH = /* @__PURE__ */ string({
  name: 'SESSION_COOKIE_PATH',
  default: '/',
  description: 'the cookie’s `Path`: starts with `/`, at most 256 visible ASCII characters, no `;`',
});
export const SESSION_COOKIE_DOMAIN = /* @__PURE__ */ string({
  name: 'SESSION_COOKIE_DOMAIN',
  description: 'the cookie’s `Domain` (a host name, no leading dot); unset: no `Domain`, the cookie goes to the setting host only',
});
export const SESSION_COOKIE_KEYS_SSM_PARAMETER = /* @__PURE__ */ string({
  name: 'SESSION_COOKIE_KEYS_SSM_PARAMETER',
  description: 'the SSM SecureString parameter (name or ARN) holding the cookie key set (JSON); exactly one of this and `SESSION_COOKIE_KEYS_SECRET_ARN`',
});
export const SESSION_COOKIE_KEYS_SECRET_ARN = /* @__PURE__ */ string({
  name: 'SESSION_COOKIE_KEYS_SECRET_ARN',
  description: 'the Secrets Manager secret (ARN or name) holding the cookie key set (JSON); exactly one of this and `SESSION_COOKIE_KEYS_SSM_PARAMETER`',
});

/** Every setting the session cookie reads. */
export const SESSION_COOKIE_SETTINGS: readonly Setting[] = [
  SESSION_COOKIE_NAME,
  SESSION_COOKIE_SAME_SITE,
  SESSION_COOKIE_PATH,
  SESSION_COOKIE_DOMAIN,
  SESSION_COOKIE_KEYS_SSM_PARAMETER,
  SESSION_COOKIE_KEYS_SECRET_ARN,
];

/**
 * Reads the cookie's attributes once (at init): name, SameSite, Path, Domain, with the prefix rules
 * checked. A bad value is a `ConfigError` naming the setting and its rule.
 *
 * @example
 * readCookieAttributeSettings({ SESSION_COOKIE_SAME_SITE: 'Strict' });
 * // { name: '__Host-session', sameSite: 'Strict', path: '/', domain: undefined }
 */
export function readCookieAttributeSettings(env: Env = process.env): CookieAttributes {
  return cookieAttributes({
    name: readStringSetting(SESSION_COOKIE_NAME, env),
    sameSite: readChoiceSetting(SESSION_COOKIE_SAME_SITE, env),
    path: readStringSetting(SESSION_COOKIE_PATH, env),
    domain: readStringSetting(SESSION_COOKIE_DOMAIN, env),
  });
}

/**
 * Where the key set lives: exactly one of `SESSION_COOKIE_KEYS_SSM_PARAMETER` and
 * `SESSION_COOKIE_KEYS_SECRET_ARN` (a `ConfigError` otherwise).
 *
 * @example
 * readKeySetSource({ SESSION_COOKIE_KEYS_SSM_PARAMETER: '/app/prod/cookie-keys' });
 * // { source: 'ssm', id: '/app/prod/cookie-keys' }
 */
export function readKeySetSource(env: Env = process.env): KeySetSource {
  const parameter = readStringSetting(SESSION_COOKIE_KEYS_SSM_PARAMETER, env);
  const secret = readStringSetting(SESSION_COOKIE_KEYS_SECRET_ARN, env);
  if ((parameter === undefined) === (secret === undefined)) {
    throw new ConfigError(`exactly one of ${SESSION_COOKIE_KEYS_SSM_PARAMETER.name} and ${SESSION_COOKIE_KEYS_SECRET_ARN.name} is required (the session cookie key set)`);
  }
  return parameter !== undefined ? { source: 'ssm', id: parameter } : { source: 'secretsmanager', id: secret! };
}
