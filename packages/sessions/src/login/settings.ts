/**
 * The login coordinator's settings, declared once with the project's settings mechanism (the same
 * declarations a function's `<name>.settings.ts` lists, so the manifest and the docs table can be
 * generated from them). Import has no side effects.
 */
import { integer, readIntegerSetting, type IntegerSetting } from '../../../contract/src/settings';

type Env = Record<string, string | undefined>;

export const LOGIN_FLOW_TTL_SECONDS = /* @__PURE__ */ integer({
  name: 'LOGIN_FLOW_TTL_SECONDS',
  default: 600,
  min: 300,
  max: 600,
  terraform: { source: '`user_sessions.login_flow_ttl_seconds`', variable: 'user_sessions.login_flow_ttl_seconds', when: 'user_sessions.login_flow_ttl_seconds is set' },
  description: 'how long a login flow lives from its start (an MFA flow lives 300 s, never past its login flow)',
});
export const LOGIN_MAX_FAILURES_PER_USER = /* @__PURE__ */ integer({
  name: 'LOGIN_MAX_FAILURES_PER_USER',
  default: 5,
  min: 1,
  max: 100,
  terraform: { source: '`user_sessions.login_max_failures_per_user`', variable: 'user_sessions.login_max_failures_per_user', when: 'user_sessions.login_max_failures_per_user is set' },
  description: 'failed passwords and codes for one account within `LOGIN_FAILURE_WINDOW_SECONDS` that lock it out',
});
export const LOGIN_MAX_FAILURES_PER_IP = /* @__PURE__ */ integer({
  name: 'LOGIN_MAX_FAILURES_PER_IP',
  default: 50,
  min: 1,
  max: 100_000,
  terraform: { source: '`user_sessions.login_max_failures_per_ip`', variable: 'user_sessions.login_max_failures_per_ip', when: 'user_sessions.login_max_failures_per_ip is set' },
  description: 'failed passwords and codes from one source IP within `LOGIN_FAILURE_WINDOW_SECONDS` that lock it out',
});
export const LOGIN_FAILURE_WINDOW_SECONDS = /* @__PURE__ */ integer({
  name: 'LOGIN_FAILURE_WINDOW_SECONDS',
  default: 900,
  min: 60,
  max: 86_400,
  terraform: { source: '`user_sessions.login_failure_window_seconds`', variable: 'user_sessions.login_failure_window_seconds', when: 'user_sessions.login_failure_window_seconds is set' },
  description: 'how long failures are counted from the first one (a success clears the account’s count, never the IP’s)',
});
export const LOGIN_LOCKOUT_SECONDS = /* @__PURE__ */ integer({
  name: 'LOGIN_LOCKOUT_SECONDS',
  default: 900,
  min: 60,
  max: 86_400,
  terraform: { source: '`user_sessions.login_lockout_seconds`', variable: 'user_sessions.login_lockout_seconds', when: 'user_sessions.login_lockout_seconds is set' },
  description: 'how long an account or source IP stays locked out; counting starts afresh after it',
});
export const TOTP_WINDOW_STEPS = /* @__PURE__ */ integer({
  name: 'TOTP_WINDOW_STEPS',
  default: 1,
  min: 0,
  max: 2,
  terraform: { source: '`user_sessions.totp_window_steps`', variable: 'user_sessions.totp_window_steps', when: 'user_sessions.totp_window_steps is set' },
  description: 'time steps (30 s) a TOTP code may be off by either way (clock drift)',
});

/** Every setting the login coordinator reads. */
export const LOGIN_SETTINGS: readonly IntegerSetting[] = [
  LOGIN_FLOW_TTL_SECONDS,
  LOGIN_MAX_FAILURES_PER_USER,
  LOGIN_MAX_FAILURES_PER_IP,
  LOGIN_FAILURE_WINDOW_SECONDS,
  LOGIN_LOCKOUT_SECONDS,
  TOTP_WINDOW_STEPS,
];

/** An MFA flow lives 5 minutes (and never past its parent login flow). */
export const MFA_FLOW_TTL_SECONDS = 300;

/** The coordinator's limits and lifetimes, as read from the environment. */
export interface LoginSettings {
  loginFlowTtlSeconds: number;
  maxFailuresPerUser: number;
  maxFailuresPerIp: number;
  failureWindowSeconds: number;
  lockoutSeconds: number;
}

const FIELDS: Record<keyof LoginSettings, IntegerSetting> = {
  loginFlowTtlSeconds: LOGIN_FLOW_TTL_SECONDS,
  maxFailuresPerUser: LOGIN_MAX_FAILURES_PER_USER,
  maxFailuresPerIp: LOGIN_MAX_FAILURES_PER_IP,
  failureWindowSeconds: LOGIN_FAILURE_WINDOW_SECONDS,
  lockoutSeconds: LOGIN_LOCKOUT_SECONDS,
};

/**
 * Reads the coordinator's settings once (at init), each with its declared default; a malformed or
 * out-of-range value is a `ConfigError` naming the setting and its rule.
 *
 * @example
 * const settings = readLoginSettings(); // LOGIN_FLOW_TTL_SECONDS=300 → { loginFlowTtlSeconds: 300, … }
 */
export function readLoginSettings(env: Env = process.env): LoginSettings {
  const entries = Object.entries(FIELDS).map(([field, setting]) => [field, readIntegerSetting(setting, env)]);
  return Object.fromEntries(entries) as unknown as LoginSettings;
}

/**
 * Settings given in code (over `readLoginSettings()`'s defaults) held to the same declared bounds.
 *
 * @example
 * const settings = loginSettings({ maxFailuresPerUser: 3 }); // a ConfigError for 0 or 2.5
 */
export function loginSettings(overrides: Partial<LoginSettings> = {}, env: Env = process.env): LoginSettings {
  const given = Object.fromEntries(
    Object.entries(overrides)
      .filter(([field, value]) => field in FIELDS && value !== undefined)
      .map(([field, value]) => [FIELDS[field as keyof LoginSettings].name, String(value)]),
  );
  return readLoginSettings({ ...env, ...given });
}

/**
 * Reads `TOTP_WINDOW_STEPS` (for `createTotpFactor`'s `windowSteps`).
 *
 * @example
 * const factor = createTotpFactor({ client, tableName, secretFor, windowSteps: readTotpWindowSteps() });
 */
export const readTotpWindowSteps = (env: Env = process.env): number => readIntegerSetting(TOTP_WINDOW_STEPS, env);
