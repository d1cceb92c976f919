import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { log } from '../../../functions/lib/log';
import { createDocumentClient } from '../../../functions/lib/store/dynamo';
import { userSessionRosterKey } from '../../contract/src/table-keys';
import { dynamoOnlyCache, type SessionCache } from './cache/cache';
import { createRedisCache } from './cache/redis';
import { SessionEvent, SessionEventEmitter } from './events';
import { SessionMetrics, type LogFunction, type SessionMetricName } from './metrics';
import { defaultSessionSettings, type SessionSettings } from './settings';
import type { StoreContext } from './store/context';
import { SessionCreator } from './store/create';
import { SessionDeleter } from './store/delete';
import { SessionReader } from './store/read';
import { SessionRefresher } from './store/refresh';
import { SessionUpdater } from './store/update';
import type { CreateSessionInput, CreateSessionResult, Expected, MfaState, RefreshResult, SessionRef, UserSession } from './types';
import { checkCreateInput, checkExpectedVersion, checkMfa, checkRef, checkRefreshToken, checkUserId } from './validate';

export interface SessionServiceOptions {
  /** The connection store's table (the module's `dynamodb_table_name` output). */
  tableName: string;
  /** A document client; by default one with the project's marshalling and request timeouts. */
  client?: DynamoDBDocumentClient | DynamoDBClient;
  /** Overrides of the settings (defaults: `readSessionSettings()` of an empty environment). */
  settings?: Partial<SessionSettings>;
  /** A cache of your own; by default the one `settings.cache` names. */
  cache?: SessionCache;
  /** Epoch milliseconds (tests pass a clock). */
  nowMs?: () => number;
  /** Where log lines and metrics go (default: functions/lib/log.ts, one JSON line on stdout). */
  log?: LogFunction;
}

export interface HealthReport {
  ok: boolean;
  dynamodb: { ok: boolean; latencyMs: number; error?: string };
  cache: { provider: 'dynamodb' | 'redis'; ok: boolean; latencyMs: number; error?: string };
}

/** Everything the service does. Every method validates its input first (`SessionValidationError`, nothing written). */
export interface SessionService {
  /** Creates a session; evicts the least recently used beyond `maxSessionsPerUser`, in the same transaction. */
  create(input: CreateSessionInput): Promise<CreateSessionResult>;
  /** The live session, or undefined. Served by the cache when there is one. */
  get(ref: SessionRef): Promise<UserSession | undefined>;
  /** The session whose current refresh token this is, or undefined (rotated, unknown, ended). Rotates nothing. */
  getByRefreshToken(refreshToken: string): Promise<UserSession | undefined>;
  /** A user's live sessions (their devices), most recently used first. */
  list(userId: string): Promise<UserSession[]>;
  /** Rotates the refresh token and renews the session. `InvalidRefreshTokenError`, or `RefreshTokenReusedError` after revoking. */
  refresh(refreshToken: string): Promise<RefreshResult>;
  /** Extends the expiry (longer when it stays signed in) and marks it used. */
  renew(ref: SessionRef & Expected): Promise<UserSession>;
  trustDevice(ref: SessionRef & Expected): Promise<UserSession>;
  untrustDevice(ref: SessionRef & Expected): Promise<UserSession>;
  setMfa(ref: SessionRef & Expected & { mfa: MfaState }): Promise<UserSession>;
  /** Deletes one session (and its refresh tokens); the session as it was, or undefined. */
  delete(ref: SessionRef): Promise<UserSession | undefined>;
  /** "Log out everywhere": deletes every session of the user; those deleted. */
  deleteAll(userId: string): Promise<UserSession[]>;
  health(): Promise<HealthReport>;
  /** Counters since the service was created (cache hits and misses, evictions, reuse detections, retries). */
  metrics(): Record<SessionMetricName, number>;
  /** Writes the counts since the last flush as one EMF log line; call it at the end of an invocation. */
  flushMetrics(): void;
  /** Closes the cache's connection. */
  close(): Promise<void>;
  /** The service's typed events (`SessionEvent`), each emitted once its write has succeeded. */
  readonly events: SessionEventEmitter;
}

const timed = async <T>(run: () => Promise<T>): Promise<{ value?: T; error?: string; latencyMs: number }> => {
  const started = performance.now();
  try {
    const value = await run();
    return { value, latencyMs: performance.now() - started };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error), latencyMs: performance.now() - started };
  }
};

/**
 * Creates the user-session service over the connection store's table. Create it once per Lambda
 * container (at module scope), like an SDK client.
 *
 * @example
 * import { createSessionService, readSessionSettings } from '@websocket-sessions/sessions';
 *
 * const sessions = createSessionService({ tableName: process.env.TABLE_NAME!, settings: readSessionSettings() });
 *
 * export async function login(userId: string, email: string, ip: string) {
 *   const { session, refreshToken, evicted } = await sessions.create({ userId, email, device: { ip }, staySignedIn: true });
 *   // evicted: the least recently used sessions this one replaced (close their sockets)
 *   return { sessionId: session.sessionId, refreshToken };
 * }
 */
export function createSessionService(options: SessionServiceOptions): SessionService {
  const settings: SessionSettings = { ...defaultSessionSettings(), ...options.settings };
  const nowMs = options.nowMs ?? (() => Date.now());
  const write = options.log ?? log;
  const metrics = new SessionMetrics(write);
  const events = new SessionEventEmitter(write);
  const client = options.client instanceof DynamoDBClient ? createDocumentClient(options.client) : (options.client ?? createDocumentClient());
  const cache =
    options.cache ??
    (settings.cache === 'redis'
      ? createRedisCache({ url: requireUrl(settings.redisUrl), timeoutMs: settings.redisTimeoutMs, cacheTtlSeconds: settings.cacheTtlSeconds, nowMs })
      : dynamoOnlyCache());
  const context: StoreContext = { client, tableName: options.tableName, settings, nowMs, cache, metrics };
  const reader = new SessionReader(context);
  const creator = new SessionCreator(context);
  const updater = new SessionUpdater(context, reader);
  const deleter = new SessionDeleter(context, reader);
  const refresher = new SessionRefresher(context, reader, deleter);

  return {
    create: async (input) => {
      const created = await creator.create(checkCreateInput(input));
      const { session } = created;
      events.notify(SessionEvent.SESSION_CREATED, {
        userId: session.userId,
        sessionId: session.sessionId,
        createdAt: session.createdAt,
        expiresAt: session.expiresAt,
        staySignedIn: session.staySignedIn,
        trusted: session.trusted,
        mfa: session.mfa.status,
      });
      for (const evicted of created.evicted) {
        events.notify(SessionEvent.SESSION_EVICTED, { userId: evicted.userId, sessionId: evicted.sessionId, bySessionId: session.sessionId, lastUsedAt: evicted.lastUsedAt, evictedAt: session.createdAt });
      }
      return created;
    },
    get: async (ref) => reader.get(checkRef(ref)),
    getByRefreshToken: async (token) => reader.getByRefreshToken(checkRefreshToken(token)),
    list: async (userId) => reader.list(checkUserId(userId)),
    refresh: async (token) => {
      const refreshed = await refresher.refresh(checkRefreshToken(token), (revoked, revokedAt) =>
        events.notify(SessionEvent.SESSION_REVOKED, { userId: revoked.userId, sessionId: revoked.sessionId, reason: 'refresh_token_reused', revokedAt }),
      );
      events.notify(SessionEvent.SESSION_REFRESHED, usage(refreshed.session));
      return refreshed;
    },
    renew: async (ref) => {
      const renewed = await updater.renew(checkRef(ref), checkExpectedVersion(ref.expectedVersion));
      events.notify(SessionEvent.SESSION_RENEWED, usage(renewed));
      return renewed;
    },
    trustDevice: async (ref) => {
      const trusted = await updater.trust(checkRef(ref), checkExpectedVersion(ref.expectedVersion));
      events.notify(SessionEvent.DEVICE_TRUSTED, { userId: trusted.userId, sessionId: trusted.sessionId, trustedAt: trusted.trustedAt ?? nowMs(), version: trusted.version });
      return trusted;
    },
    untrustDevice: async (ref) => {
      const untrusted = await updater.untrust(checkRef(ref), checkExpectedVersion(ref.expectedVersion));
      events.notify(SessionEvent.DEVICE_UNTRUSTED, { userId: untrusted.userId, sessionId: untrusted.sessionId, untrustedAt: nowMs(), version: untrusted.version });
      return untrusted;
    },
    setMfa: async (ref) => {
      const changed = await updater.setMfa(checkRef(ref), checkMfa(ref.mfa), checkExpectedVersion(ref.expectedVersion));
      const { status, method, verifiedAt } = changed.mfa;
      events.notify(SessionEvent.MFA_STATE_CHANGED, {
        userId: changed.userId,
        sessionId: changed.sessionId,
        status,
        ...(method === undefined ? {} : { method }),
        ...(verifiedAt === undefined ? {} : { verifiedAt }),
        changedAt: nowMs(),
        version: changed.version,
      });
      return changed;
    },
    delete: async (ref) => {
      const deleted = await deleter.delete(checkRef(ref));
      if (deleted) events.notify(SessionEvent.SESSION_DELETED, { userId: deleted.userId, scope: 'one', sessionIds: [deleted.sessionId], count: 1, deletedAt: nowMs() });
      return deleted;
    },
    deleteAll: async (userId) => {
      const deleted = await deleter.deleteAll(checkUserId(userId));
      const sessionIds = deleted.map((session) => session.sessionId);
      if (deleted.length > 0) events.notify(SessionEvent.SESSION_DELETED, { userId, scope: 'all', sessionIds, count: deleted.length, deletedAt: nowMs() });
      return deleted;
    },
    async health() {
      const [dynamo, cached] = await Promise.all([
        // A GetItem of a key no user can have: reachability and permissions, no data.
        timed(() => client.send(new GetCommand({ TableName: options.tableName, Key: userSessionRosterKey('\u0000health') }))),
        timed(() => cache.health()),
      ]);
      const cacheOk = cached.value?.ok ?? false;
      return {
        ok: dynamo.error === undefined,
        dynamodb: { ok: dynamo.error === undefined, latencyMs: dynamo.latencyMs, ...(dynamo.error ? { error: dynamo.error } : {}) },
        cache: { provider: cache.provider, ok: cacheOk, latencyMs: cached.latencyMs, ...(cacheOk ? {} : { error: cached.error ?? cached.value?.error }) },
      };
    },
    metrics: () => metrics.snapshot(),
    flushMetrics: () => metrics.flush(),
    close: () => cache.close(),
    events,
  };
}

/** The payload of a renewal or a rotation: when it was used and until when it now lives. */
const usage = (session: UserSession) => ({ userId: session.userId, sessionId: session.sessionId, lastUsedAt: session.lastUsedAt, expiresAt: session.expiresAt, version: session.version });

function requireUrl(url: string | undefined): string {
  if (url === undefined) throw new TypeError('settings.redisUrl is required when settings.cache is "redis"');
  return url;
}
