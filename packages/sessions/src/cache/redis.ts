/**
 * The Redis provider: a read-through cache of sessions in front of DynamoDB (ioredis).
 *
 * What it guarantees (see the README, "Cache"):
 * - Bounded: every command, and connecting, gives up after `timeoutMs`; while disconnected a command
 *   fails at once (no offline queue). A failed read is `unavailable` and the service reads DynamoDB.
 * - Never older over newer: an entry carries the session's version and is replaced only by a newer one
 *   (a Lua script), and a deletion leaves a tombstone, so a slow read-through fill cannot bring back
 *   a version a write has already replaced or a session a delete removed.
 * - No stale read after an outage: a write or delete that did not reach Redis marks its user; before
 *   this instance uses Redis again it bumps that user's generation (`INCR`), and entries are keyed by
 *   generation, so every cached entry of that user, in every instance, is out of reach. Were this
 *   instance to end before Redis came back, the entries it could not update expire within
 *   `cacheTtlSeconds`: the bound on staleness in that case only.
 */
import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import type { SessionRef, UserSession } from '../types';
import type { CacheLookup, SessionCache } from './cache';

export interface RedisCacheOptions {
  url: string;
  /** Per command and for connecting, milliseconds. */
  timeoutMs: number;
  /** Longest time an entry is kept, seconds. */
  cacheTtlSeconds: number;
  nowMs?: () => number;
  /** Called with each connection error (never thrown). */
  onError?: (error: Error) => void;
}

/** The version a tombstone carries: newer than any session's. */
const TOMBSTONE = Number.MAX_SAFE_INTEGER;

const GET_SCRIPT = `
local g = redis.call('GET', KEYS[1]) or '0'
return redis.call('GET', ARGV[1] .. g)`;

const PUT_SCRIPT = `
local g = redis.call('GET', KEYS[1]) or '0'
local key = ARGV[1] .. g
local current = redis.call('GET', key)
if current then
  local version = tonumber(string.match(current, '^(%d+)|'))
  if version and version >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', key, ARGV[2] .. '|' .. ARGV[3], 'PX', ARGV[4])
return 1`;

interface ScriptedRedis extends Redis {
  sessionGet(genKey: string, prefix: string): Promise<string | null>;
  sessionPut(genKey: string, prefix: string, version: string, payload: string, ttlMs: string): Promise<number>;
}

/** Keys of one user share a hash tag (one cluster slot); the user id is hashed so any id fits. */
const userTag = (userId: string): string => `us:{${createHash('sha256').update(userId).digest('base64url').slice(0, 22)}}`;
const generationKey = (userId: string): string => `${userTag(userId)}:gen`;
const entryPrefix = (ref: SessionRef): string => `${userTag(ref.userId)}:s:${ref.sessionId}:`;

/**
 * Creates the Redis provider and starts connecting (a failed connection is retried in the background;
 * meanwhile the service reads DynamoDB).
 *
 * @example
 * const cache = createRedisCache({ url: 'redis://cache.internal:6379', timeoutMs: 100, cacheTtlSeconds: 300 });
 */
export function createRedisCache(options: RedisCacheOptions): SessionCache {
  const nowMs = options.nowMs ?? (() => Date.now());
  const ttlMs = options.cacheTtlSeconds * 1000;
  const redis = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: options.timeoutMs,
    commandTimeout: options.timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(50 * times, 1000),
  }) as ScriptedRedis;
  redis.defineCommand('sessionGet', { numberOfKeys: 1, lua: GET_SCRIPT });
  redis.defineCommand('sessionPut', { numberOfKeys: 1, lua: PUT_SCRIPT });
  redis.on('error', (error: Error) => options.onError?.(error));
  redis.connect().catch(() => undefined);

  /** Users whose cached entries may be stale: a write or delete did not reach Redis. */
  const dirty = new Set<string>();
  let closed = false;

  /** Invalidates the dirty users' entries; false while Redis cannot be reached. */
  const settle = async (): Promise<boolean> => {
    if (dirty.size === 0) return true;
    const users = [...dirty];
    try {
      const pipeline = redis.multi();
      for (const userId of users) pipeline.incr(generationKey(userId)).pexpire(generationKey(userId), 2 * ttlMs);
      const results = await pipeline.exec();
      if (!results || results.some(([error]) => error)) return false;
      for (const userId of users) dirty.delete(userId);
      return true;
    } catch {
      return false;
    }
  };

  const write = async (userId: string, run: () => Promise<unknown>): Promise<void> => {
    try {
      if (!(await settle())) throw new Error('redis unavailable');
      await run();
    } catch {
      dirty.add(userId);
    }
  };

  return {
    provider: 'redis',

    async get(ref): Promise<CacheLookup> {
      try {
        if (!(await settle())) return { status: 'unavailable' };
        const value = await redis.sessionGet(generationKey(ref.userId), entryPrefix(ref));
        if (value === null) return { status: 'miss' };
        const bar = value.indexOf('|');
        if (Number(value.slice(0, bar)) === TOMBSTONE) return { status: 'hit', session: null };
        const session = JSON.parse(value.slice(bar + 1)) as UserSession;
        return session.expiresAt > nowMs() ? { status: 'hit', session } : { status: 'hit', session: null };
      } catch {
        return { status: 'unavailable' };
      }
    },

    put(session) {
      const lifeMs = Math.min(ttlMs, session.expiresAt - nowMs());
      if (lifeMs <= 0) return Promise.resolve();
      return write(session.userId, () =>
        redis.sessionPut(generationKey(session.userId), entryPrefix(session), String(session.version), JSON.stringify(session), String(lifeMs)),
      );
    },

    remove(ref) {
      return write(ref.userId, () => redis.sessionPut(generationKey(ref.userId), entryPrefix(ref), String(TOMBSTONE), '', String(ttlMs)));
    },

    async health() {
      try {
        await redis.ping();
        return (await settle()) ? { ok: true } : { ok: false, error: 'stale entries not yet invalidated' };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      redis.disconnect();
    },
  };
}
