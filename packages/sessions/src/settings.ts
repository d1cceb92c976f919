/**
 * The session service's settings, declared once (name, type, default, bounds, description) with the
 * project's settings mechanism, so Terraform variables and docs can be generated from or checked
 * against them. `readSessionSettings` reads them from an environment with the same rules as the
 * functions' settings (a `ConfigError` naming the setting and its rule).
 */
import { ConfigError } from '../../contract/src/config-error';
import {
  choice,
  integer,
  readChoiceSetting,
  readIntegerSetting,
  readStringSetting,
  string,
  type Setting,
} from '../../contract/src/settings';

export const SESSION_MAX_PER_USER = /* @__PURE__ */ integer({
  name: 'SESSION_MAX_PER_USER',
  default: 5,
  min: 1,
  max: 20,
  terraform: { source: '`user_sessions.max_per_user`', variable: 'user_sessions.max_per_user', when: 'user_sessions.max_per_user is set' },
  description: 'live sessions one user may hold; creating one more evicts the least recently used',
});
export const SESSION_TTL_SECONDS = /* @__PURE__ */ integer({
  name: 'SESSION_TTL_SECONDS',
  default: 86_400,
  min: 300,
  max: 2_592_000,
  terraform: { source: '`user_sessions.ttl_seconds`', variable: 'user_sessions.ttl_seconds', when: 'user_sessions.ttl_seconds is set' },
  description: 'how long a session lives past its last use (create, renew, refresh)',
});
export const SESSION_STAY_SIGNED_IN_TTL_SECONDS = /* @__PURE__ */ integer({
  name: 'SESSION_STAY_SIGNED_IN_TTL_SECONDS',
  default: 2_592_000,
  min: 300,
  max: 31_536_000,
  terraform: { source: '`user_sessions.stay_signed_in_ttl_seconds`', variable: 'user_sessions.stay_signed_in_ttl_seconds', when: 'user_sessions.stay_signed_in_ttl_seconds is set' },
  description: 'how long a "stay signed in" session lives past its last use',
});
export const SESSION_REFRESH_GRACE_SECONDS = /* @__PURE__ */ integer({
  name: 'SESSION_REFRESH_GRACE_SECONDS',
  default: 10,
  min: 0,
  max: 300,
  terraform: { source: '`user_sessions.refresh_grace_seconds`', variable: 'user_sessions.refresh_grace_seconds', when: 'user_sessions.refresh_grace_seconds is set' },
  description: 'how long a rotated refresh token is still accepted (two tabs refreshing at once); later it revokes the session',
});
export const SESSION_CACHE = /* @__PURE__ */ choice({
  name: 'SESSION_CACHE',
  choices: ['dynamodb', 'redis'] as const,
  default: 'dynamodb',
  terraform: { source: '`user_sessions.cache`', variable: 'user_sessions.cache', when: 'user_sessions.cache is set' },
  description: 'where session reads are served from: DynamoDB only, or Redis as a read-through cache in front of it',
});
export const SESSION_REDIS_URL = /* @__PURE__ */ string({
  name: 'SESSION_REDIS_URL',
  terraform: {
    source: '`user_sessions.redis.endpoint`, or the endpoint of the serverless cache the module creates',
    when: 'user_sessions.cache is "redis"',
  },
  description: 'the Redis endpoint (`redis://host:port` or `rediss://…`), required when `SESSION_CACHE` is `redis`',
});
export const SESSION_REDIS_TIMEOUT_MS = /* @__PURE__ */ integer({
  name: 'SESSION_REDIS_TIMEOUT_MS',
  default: 100,
  min: 5,
  max: 5000,
  terraform: { source: '`user_sessions.redis_timeout_ms`', variable: 'user_sessions.redis_timeout_ms', when: 'user_sessions.redis_timeout_ms is set' },
  description: 'how long one Redis command (or connecting) may take before the service carries on without the cache',
});
export const SESSION_CACHE_TTL_SECONDS = /* @__PURE__ */ integer({
  name: 'SESSION_CACHE_TTL_SECONDS',
  default: 300,
  min: 1,
  max: 86_400,
  terraform: { source: '`user_sessions.cache_ttl_seconds`', variable: 'user_sessions.cache_ttl_seconds', when: 'user_sessions.cache_ttl_seconds is set' },
  description: 'how long a cached session may be served; also the bound on staleness when an instance that failed to update Redis is gone',
});

export const settings: readonly Setting[] = [
  SESSION_MAX_PER_USER,
  SESSION_TTL_SECONDS,
  SESSION_STAY_SIGNED_IN_TTL_SECONDS,
  SESSION_REFRESH_GRACE_SECONDS,
  SESSION_CACHE,
  SESSION_REDIS_URL,
  SESSION_REDIS_TIMEOUT_MS,
  SESSION_CACHE_TTL_SECONDS,
];

/** The settings as the service uses them. */
export interface SessionSettings {
  maxSessionsPerUser: number;
  ttlSeconds: number;
  staySignedInTtlSeconds: number;
  refreshGraceSeconds: number;
  cache: 'dynamodb' | 'redis';
  redisUrl?: string;
  redisTimeoutMs: number;
  cacheTtlSeconds: number;
}

type Env = Record<string, string | undefined>;

/**
 * Reads the settings from an environment (defaults where unset).
 *
 * @example
 * const settings = readSessionSettings(process.env);   // at init, once
 */
export function readSessionSettings(env: Env = process.env): SessionSettings {
  const cache = readChoiceSetting(SESSION_CACHE, env);
  const redisUrl = readStringSetting(SESSION_REDIS_URL, env);
  if (cache === 'redis' && redisUrl === undefined) throw new ConfigError(`${SESSION_REDIS_URL.name} is required when ${SESSION_CACHE.name} is "redis"`);
  return {
    maxSessionsPerUser: readIntegerSetting(SESSION_MAX_PER_USER, env),
    ttlSeconds: readIntegerSetting(SESSION_TTL_SECONDS, env),
    staySignedInTtlSeconds: readIntegerSetting(SESSION_STAY_SIGNED_IN_TTL_SECONDS, env),
    refreshGraceSeconds: readIntegerSetting(SESSION_REFRESH_GRACE_SECONDS, env),
    cache,
    redisUrl,
    redisTimeoutMs: readIntegerSetting(SESSION_REDIS_TIMEOUT_MS, env),
    cacheTtlSeconds: readIntegerSetting(SESSION_CACHE_TTL_SECONDS, env),
  };
}

/** The defaults, as `readSessionSettings({})` gives them. */
export const defaultSessionSettings = (): SessionSettings => readSessionSettings({});
