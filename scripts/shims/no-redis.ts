/**
 * What a bundle built with `noRedisPlugin` has in place of packages/sessions/src/cache/redis.ts: the
 * same export, which refuses to start, naming the setting. (The Redis client is 175 KB of a bundle.)
 */
import { ConfigError } from '../../packages/contract/src/config-error';

export function createRedisCache(): never {
  throw new ConfigError('SESSION_CACHE=redis: this function is built without the Redis client (scripts/build.ts EXAMPLE_FUNCTIONS); use SESSION_CACHE=dynamodb or bundle it with Redis');
}
