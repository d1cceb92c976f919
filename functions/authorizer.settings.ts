/** The authorizer's settings (read at init by authorizer.ts; listed in dist/manifest.json by the build). */
import { boolean, inModes, integer, list } from '../packages/contract/src/settings';
import { SESSION_COOKIE_DOMAIN, SESSION_COOKIE_KEYS_SECRET_ARN, SESSION_COOKIE_KEYS_SSM_PARAMETER, SESSION_COOKIE_NAME } from '../packages/sessions/src/cookie/settings';
import { AUTH_MODE, COMMON, JWT } from './settings/shared';

export const ALLOWED_ORIGINS = /* @__PURE__ */ list({
  name: 'ALLOWED_ORIGINS',
  description: 'the browser origins allowed to connect, comma-separated (empty: none; `*`: any)',
  terraform: { source: '`allowed_origins` joined with `,`', variable: 'allowed_origins' },
});
export const ALLOW_MISSING_ORIGIN = /* @__PURE__ */ boolean({
  name: 'ALLOW_MISSING_ORIGIN',
  default: true,
  description: 'whether a handshake without an Origin header (not a browser) is allowed',
  terraform: { source: '`"true"` / `"false"` from `allow_missing_origin`', variable: 'allow_missing_origin' },
});
export const ALLOW_GUESTS = /* @__PURE__ */ boolean({
  name: 'ALLOW_GUESTS',
  default: false,
  description:
    '`jwt` / `two-phase`: whether a handshake offering an anonymous id as its only subprotocol (no app protocol) connects as a guest, as in `anonymous` mode; a signed-in connection may later `adopt` the guest\'s session',
  terraform: { source: '`"true"` from `allow_guests`', variable: 'allow_guests', modes: ['jwt', 'two-phase'], when: 'allow_guests is true' },
});

export const JWT_SESSION_CHECK = /* @__PURE__ */ boolean({
  name: 'JWT_SESSION_CHECK',
  default: false,
  description:
    "whether a token's `sid` must name a live user session (packages/sessions): a deleted, evicted, revoked or expired one is refused as `session_revoked`, seen within `JWT_SESSION_CACHE_SECONDS`",
  terraform: { source: '`"true"` / `"false"` from `jwt.session_check`', variable: 'jwt.session_check' },
});
export const JWT_REQUIRE_SESSION_ID = /* @__PURE__ */ boolean({
  name: 'JWT_REQUIRE_SESSION_ID',
  default: false,
  description: 'whether a token without `sid` is refused (`session_id_missing`); otherwise it is accepted without a session check',
  terraform: { source: '`"true"` / `"false"` from `jwt.require_session_id`', variable: 'jwt.require_session_id' },
});
export const JWT_SESSION_CACHE_SECONDS = /* @__PURE__ */ integer({
  name: 'JWT_SESSION_CACHE_SECONDS',
  default: 5,
  min: 0,
  max: 5,
  description: 'how long a container keeps a session check\'s answer (0: none kept): the most a revocation may go unseen by `$connect`',
  terraform: { source: '`jwt.session_cache_seconds`', variable: 'jwt.session_cache_seconds' },
});
export const JWT_SESSION_CACHE_SIZE = /* @__PURE__ */ integer({
  name: 'JWT_SESSION_CACHE_SIZE',
  default: 10_000,
  min: 1,
  max: 100_000,
  description: 'the most session check answers a container keeps (the oldest goes first)',
  terraform: { source: '`jwt.session_cache_size`', variable: 'jwt.session_cache_size' },
});
/** The `sid` check of `jwt` mode (functions/lib/auth/session-check.ts). */
export const SESSION_CHECK = [JWT_SESSION_CHECK, JWT_REQUIRE_SESSION_ID, JWT_SESSION_CACHE_SECONDS, JWT_SESSION_CACHE_SIZE];

export const SESSION_COOKIE_CONNECT = /* @__PURE__ */ boolean({
  name: 'SESSION_COOKIE_CONNECT',
  default: false,
  description:
    'whether `$connect` accepts the session cookie of packages/sessions (COOKIE.md) from a handshake that carries no token: its user session is looked up with the `sid` check\'s cache (revoked, evicted or expired: `session_revoked`), and the `Origin` must be present and allowed (`ALLOWED_ORIGINS` must not be `*`)',
  terraform: { source: '`"true"`', variable: 'session_cookie.connect', when: 'session_cookie is set and session_cookie.connect is true' },
});

/**
 * The session cookie on `$connect` (functions/lib/auth/session-cookie.ts): its switch, and the name and
 * key set settings the HTTP handlers read too (declared in packages/sessions), as the module passes
 * them to the authorizer.
 */
export const COOKIE_CONNECT = [
  SESSION_COOKIE_CONNECT,
  { ...SESSION_COOKIE_NAME, terraform: { source: '`session_cookie.name`', variable: 'session_cookie.name', when: 'session_cookie.connect and session_cookie.name is set' } },
  { ...SESSION_COOKIE_DOMAIN, terraform: { source: '`session_cookie.domain`', variable: 'session_cookie.domain', when: 'session_cookie.connect and session_cookie.domain is set' } },
  {
    ...SESSION_COOKIE_KEYS_SSM_PARAMETER,
    terraform: {
      source: 'the name `/<name>/session-cookie-keys` of the parameter the module creates, or `session_cookie.keys_ssm_parameter_arn`',
      when: 'session_cookie.connect and session_cookie.keys_secret_arn is null',
    },
  },
  {
    ...SESSION_COOKIE_KEYS_SECRET_ARN,
    terraform: { source: '`session_cookie.keys_secret_arn`', variable: 'session_cookie.keys_secret_arn', when: 'session_cookie.connect and session_cookie.keys_secret_arn is set' },
  },
];

export const settings = [...COMMON, AUTH_MODE, ALLOWED_ORIGINS, ALLOW_MISSING_ORIGIN, ALLOW_GUESTS, .../* @__PURE__ */ inModes(['jwt'], [...JWT, ...SESSION_CHECK, ...COOKIE_CONNECT])];
