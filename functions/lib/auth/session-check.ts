import { ConfigError } from '../../../packages/contract/src/config-error';
import { readBooleanSetting, readIntegerSetting } from '../../../packages/contract/src/settings';
import { SessionValidationError } from '../../../packages/sessions/src/errors';
import { createSessionLookup, type SessionLookup } from '../../../packages/sessions/src/lookup';
import { JWT_REQUIRE_SESSION_ID, JWT_SESSION_CACHE_SECONDS, JWT_SESSION_CACHE_SIZE, JWT_SESSION_CHECK, SESSION_COOKIE_CONNECT } from '../../authorizer.settings';

type Env = Record<string, string | undefined>;

/** Why a token's session check refused it; each is a log reason and a metric dimension. */
export type SessionCheckRejection = 'session_revoked' | 'session_id_missing' | 'session_unavailable';

export type SessionCheckResult = { ok: true; cache: 'hit' | 'miss' | 'off' } | { ok: false; reason: SessionCheckRejection; cache?: 'hit' | 'miss' };

/** A session looked up whatever the token settings say (the session cookie's): live until `expiresAt` (epoch ms), or why not. */
export type SessionLiveResult = { ok: true; cache: 'hit' | 'miss'; expiresAt: number } | { ok: false; reason: 'session_revoked' | 'session_unavailable'; cache?: 'hit' | 'miss' };

export interface SessionCheckSettings {
  /** Look the token's `sid` up in the user sessions. */
  check: boolean;
  /** Refuse a token without `sid` (`session_id_missing`). */
  requireSessionId: boolean;
  /** How long an answer is kept, seconds (0–5): the most a revocation may go unseen. */
  cacheSeconds: number;
  /** The most answers kept; the oldest goes first. */
  cacheSize: number;
}

/** Lookups since the container started: hits and misses of the answer cache. */
export interface SessionCheckStats {
  hits: number;
  misses: number;
  size: number;
}

export interface SessionCheck {
  /** A token's identity: its `sid` checked as the settings say (`check`, `requireSessionId`). */
  (identity: { userId: string; sessionId?: string }): Promise<SessionCheckResult>;
  /** The session of a session cookie: always looked up (through the same cache), whatever `check` says. */
  session(ref: { userId: string; sessionId: string }): Promise<SessionLiveResult>;
  stats(): SessionCheckStats;
}

/**
 * The check that a token's user session is still live (not deleted, evicted, revoked by refresh-token
 * reuse, or expired), through the session service's read, with a bounded per-container cache of the
 * answers (live or not) kept at most `cacheSeconds`. A lookup that fails is `session_unavailable` and
 * is not cached: the authorizer fails closed. A `sid` that is not a session id names no session.
 *
 * @example
 * const check = createSessionCheck({ check: true, requireSessionId: false, cacheSeconds: 5, cacheSize: 10_000 }, createSessionLookup({ tableName }));
 * const result = await check({ userId: 'user-7', sessionId: '3f0c…' }); // { ok: false, reason: 'session_revoked', cache: 'miss' }
 */
export function createSessionCheck(settings: SessionCheckSettings, lookup: SessionLookup, nowMs: () => number = () => Date.now()): SessionCheck {
  const answers = new Map<string, { expiresAt: number | undefined; until: number }>();
  const stats = { hits: 0, misses: 0 };

  /** The live session's expiry (epoch ms), or undefined when it is not live; throws when the lookup fails. */
  const isLive = async (userId: string, sessionId: string): Promise<{ expiresAt: number | undefined; cache: 'hit' | 'miss' }> => {
    const key = `${userId}\n${sessionId}`;
    const now = nowMs();
    const cached = answers.get(key);
    if (cached && cached.until > now) {
      stats.hits += 1;
      return { expiresAt: cached.expiresAt, cache: 'hit' };
    }
    stats.misses += 1;
    let session;
    try {
      session = await lookup({ userId, sessionId });
    } catch (error) {
      if (!(error instanceof SessionValidationError)) throw error;
    }
    // A live session's answer may be kept no longer than the session itself lives.
    const until = Math.min(now + settings.cacheSeconds * 1000, session?.expiresAt ?? Infinity);
    answers.delete(key);
    if (settings.cacheSeconds > 0) {
      // Map keeps insertion order: the first key is the oldest answer.
      while (answers.size >= settings.cacheSize) answers.delete(answers.keys().next().value!);
      answers.set(key, { expiresAt: session?.expiresAt, until });
    }
    return { expiresAt: session?.expiresAt, cache: 'miss' };
  };

  const check = async ({ userId, sessionId }: { userId: string; sessionId?: string }): Promise<SessionCheckResult> => {
    if (sessionId === undefined) return settings.requireSessionId ? { ok: false, reason: 'session_id_missing' } : { ok: true, cache: 'off' };
    if (!settings.check) return { ok: true, cache: 'off' };
    let answer;
    try {
      answer = await isLive(userId, sessionId);
    } catch {
      return { ok: false, reason: 'session_unavailable' };
    }
    return answer.expiresAt !== undefined ? { ok: true, cache: answer.cache } : { ok: false, reason: 'session_revoked', cache: answer.cache };
  };

  const session = async ({ userId, sessionId }: { userId: string; sessionId: string }): Promise<SessionLiveResult> => {
    let answer;
    try {
      answer = await isLive(userId, sessionId);
    } catch {
      return { ok: false, reason: 'session_unavailable' };
    }
    return answer.expiresAt !== undefined ? { ok: true, cache: answer.cache, expiresAt: answer.expiresAt } : { ok: false, reason: 'session_revoked', cache: answer.cache };
  };
  return Object.assign(check, { session, stats: () => ({ ...stats, size: answers.size }) });
}

/**
 * The `sid` check as configured (JWT_SESSION_CHECK, JWT_REQUIRE_SESSION_ID, JWT_SESSION_CACHE_*), read
 * once at init; no table client unless the check is on or the session cookie is accepted
 * (SESSION_COOKIE_CONNECT), whose sessions are always looked up.
 *
 * @example
 * const sessionCheck = readSessionCheck(process.env); // JWT_SESSION_CHECK=true TABLE_NAME=chat
 */
export function readSessionCheck(env: Env = process.env): SessionCheck {
  const check = readBooleanSetting(JWT_SESSION_CHECK, env);
  const cookie = readBooleanSetting(SESSION_COOKIE_CONNECT, env);
  const settings = {
    check,
    requireSessionId: readBooleanSetting(JWT_REQUIRE_SESSION_ID, env),
    cacheSeconds: readIntegerSetting(JWT_SESSION_CACHE_SECONDS, env),
    cacheSize: readIntegerSetting(JWT_SESSION_CACHE_SIZE, env),
  };
  const tableName = env.TABLE_NAME;
  if ((check || cookie) && !tableName) throw new ConfigError(`TABLE_NAME is required when ${check ? JWT_SESSION_CHECK.name : SESSION_COOKIE_CONNECT.name} is true`);
  const lookup = check || cookie ? createSessionLookup({ tableName: tableName! }) : () => Promise.reject(new Error('the session check is off'));
  return createSessionCheck(settings, lookup);
}
