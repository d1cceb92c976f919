import type { SessionRef, UserSession } from '../types';

/** A cache lookup: the session (or `null`: known deleted), a miss, the cache unreachable, or no cache at all. */
export type CacheLookup =
  | { status: 'hit'; session: UserSession | null }
  | { status: 'miss' }
  | { status: 'unavailable' }
  | { status: 'none' };

/**
 * Where session reads may be served from before DynamoDB. Writes reach DynamoDB first and the cache
 * after; a provider never throws: a failure is `unavailable` on read and is absorbed on write (the
 * provider then makes sure nothing stale is served once it reaches its store again).
 */
export interface SessionCache {
  readonly provider: 'dynamodb' | 'redis';
  get(ref: SessionRef): Promise<CacheLookup>;
  /** Stores a session read from or written to DynamoDB, unless the cache holds a newer version. */
  put(session: UserSession): Promise<void>;
  /** Records that a session is gone (deleted, evicted, revoked). */
  remove(ref: SessionRef): Promise<void>;
  health(): Promise<{ ok: boolean; error?: string }>;
  close(): Promise<void>;
}

/**
 * The default provider: no cache, every read is a DynamoDB read.
 *
 * @example
 * const sessions = createSessionService({ tableName, cache: dynamoOnlyCache() });
 */
export const dynamoOnlyCache = (): SessionCache => ({
  provider: 'dynamodb',
  get: () => Promise.resolve({ status: 'none' }),
  put: () => Promise.resolve(),
  remove: () => Promise.resolve(),
  health: () => Promise.resolve({ ok: true }),
  close: () => Promise.resolve(),
});
