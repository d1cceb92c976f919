/**
 * How sessions are stored. Three kinds of item, all in the connection store's single table (keys from
 * functions/lib/store/table-keys.ts, the TTL attribute from modules/connection-store/schema.json):
 *
 * - the session, `USER#{userId}` / `USERSESSION#{sessionId}`: the fields of `UserSession`, the hashes of
 *   its last `RETIRED_KEPT` rotated refresh tokens and `ttl` (its expiry in epoch seconds);
 * - a refresh token, `REFRESH#{sha256}` / `METADATA`: its session, and `rotatedAt` once rotated;
 * - the user's roster, `USER#{userId}` / `USERSESSIONS`: an attribute `S#{sessionId}` per live session
 *   with its last use and expiry, `count` of them and `version`, bumped by every change. Creates are
 *   conditional on it, so the per-user limit and the choice of the least recently used hold under
 *   races. (One attribute per session, not a map: an update may then add an entry and create the item
 *   at once.)
 */
import schema from '../../../../modules/connection-store/schema.json';
import { refreshTokenKey, userSessionKey, userSessionRosterKey } from '../../../contract/src/table-keys';
import type { UserSession } from '../types';

export const TTL_ATTRIBUTE = schema.ttlAttribute;

/** Rotated tokens a session remembers (reuse detection); older ones are deleted as they fall off. */
export const RETIRED_KEPT = 2;

export interface SessionItem extends UserSession {
  PK: string;
  SK: string;
  kind: 'user_session';
  retiredHashes: string[];
}

export interface RefreshItem {
  PK: string;
  SK: string;
  kind: 'refresh_token';
  userId: string;
  sessionId: string;
  /** Epoch ms; absent while the token is the session's current one. */
  rotatedAt?: number;
}

export interface RosterEntry {
  lastUsedAt: number;
  expiresAt: number;
}

export interface Roster {
  entries: Map<string, RosterEntry>;
  count: number;
  version: number;
}

const ROSTER_ENTRY_PREFIX = 'S#';
/** The roster attribute of one session. */
export const rosterAttribute = (sessionId: string): string => `${ROSTER_ENTRY_PREFIX}${sessionId}`;

export function toRoster(item: Record<string, unknown> | undefined): Roster | undefined {
  if (!item) return undefined;
  const entries = new Map<string, RosterEntry>();
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(ROSTER_ENTRY_PREFIX)) entries.set(name.slice(ROSTER_ENTRY_PREFIX.length), value as RosterEntry);
  }
  return { entries, count: item.count as number, version: item.version as number };
}

export const ttlOf = (expiresAtMs: number): number => Math.ceil(expiresAtMs / 1000);

/** The roster's TTL after a create or a use at `now`: past the longest any session can live from then. */
export const rosterTtl = (settings: { staySignedInTtlSeconds: number; ttlSeconds: number }, now: number): number =>
  ttlOf(now + 1000 * Math.max(settings.staySignedInTtlSeconds, settings.ttlSeconds));

export function toSessionItem(session: UserSession, retiredHashes: string[]): SessionItem & Record<string, unknown> {
  return {
    ...userSessionKey(session.userId, session.sessionId),
    kind: 'user_session',
    ...session,
    retiredHashes,
    [TTL_ATTRIBUTE]: ttlOf(session.expiresAt),
  };
}

export function toSession(item: Record<string, unknown>): UserSession {
  const stored = item as unknown as SessionItem;
  const session: UserSession = {
    sessionId: stored.sessionId,
    userId: stored.userId,
    email: stored.email,
    refreshTokenHash: stored.refreshTokenHash,
    expiresAt: stored.expiresAt,
    device: stored.device ?? {},
    staySignedIn: stored.staySignedIn,
    trusted: stored.trusted,
    mfa: stored.mfa,
    createdAt: stored.createdAt,
    lastUsedAt: stored.lastUsedAt,
    version: stored.version,
  };
  if (stored.trustedAt !== undefined) session.trustedAt = stored.trustedAt;
  return session;
}

export const retiredOf = (item: Record<string, unknown>): string[] => ((item as unknown as SessionItem).retiredHashes ?? []).slice();

/** Every refresh-token hash a stored session owns (current and retired): what deleting it deletes. */
export const hashesOf = (item: Record<string, unknown>): string[] => [(item as unknown as SessionItem).refreshTokenHash, ...retiredOf(item)];

export const refreshItem = (hash: string, session: UserSession): RefreshItem & Record<string, unknown> => ({
  ...refreshTokenKey(hash),
  kind: 'refresh_token',
  userId: session.userId,
  sessionId: session.sessionId,
  [TTL_ATTRIBUTE]: ttlOf(session.expiresAt),
});

export { refreshTokenKey, userSessionKey, userSessionRosterKey };
