import { UpdateCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SessionConflictError, SessionNotFoundError } from '../errors';
import type { MfaState, SessionRef, UserSession } from '../types';
import { RETRY, isConditionFailure, retrying, type StoreContext, type TransactItem } from './context';
import { TTL_ATTRIBUTE, refreshTokenKey, rosterAttribute, rosterTtl, toSession, ttlOf, userSessionKey, userSessionRosterKey } from './items';
import type { SessionReader } from './read';

/** A change to one stored session: fields to set or remove, and whether it counts as a use (LRU). */
export interface Change {
  set: Record<string, unknown>;
  remove?: string[];
  /** A use: the roster's entry gets the new last use and expiry, in the same transaction. */
  use?: boolean;
  /** Further writes of the same transaction (refresh-token items). */
  with?: TransactItem[];
}

/**
 * The roster update recording a use of a session (fails if the session left the roster meanwhile).
 * It moves the roster's TTL on with the use, so a user who only refreshes keeps it past its first TTL.
 */
function rosterUse(context: StoreContext, session: UserSession): TransactItem {
  return {
    Update: {
      TableName: context.tableName,
      Key: userSessionRosterKey(session.userId),
      UpdateExpression: 'SET #entry = :entry, #ttl = :ttl ADD version :one',
      ConditionExpression: 'attribute_exists(#entry)',
      ExpressionAttributeNames: { '#entry': rosterAttribute(session.sessionId), '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: { ':entry': { lastUsedAt: session.lastUsedAt, expiresAt: session.expiresAt }, ':ttl': rosterTtl(context.settings, session.lastUsedAt), ':one': 1 },
    },
  };
}

/** A session's new expiry and TTL after a use at `now`: longer when it stays signed in. */
export function extendedBy(context: StoreContext, session: UserSession, now: number): { lastUsedAt: number; expiresAt: number } & Record<string, unknown> {
  const expiresAt = now + 1000 * (session.staySignedIn ? context.settings.staySignedInTtlSeconds : context.settings.ttlSeconds);
  return { lastUsedAt: now, expiresAt, [TTL_ATTRIBUTE]: ttlOf(expiresAt) };
}

/**
 * Applies a change to a session as stored, conditional on the version it was read at: the session
 * after it, or `RETRY` when the session changed (or left) meanwhile. One UpdateItem, or one
 * transaction when the change is a use or carries other writes.
 */
export async function applyChange(context: StoreContext, item: Record<string, unknown>, change: Change): Promise<UserSession | typeof RETRY> {
  const { client, tableName } = context;
  const version = item.version as number;
  const nextItem: Record<string, unknown> = { ...item, ...change.set, version: version + 1 };
  for (const name of change.remove ?? []) delete nextItem[name];
  const next = toSession(nextItem);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':version': version, ':next': version + 1 };
  const sets = Object.entries(change.set).map(([name, value], n) => {
    names[`#f${n}`] = name;
    values[`:f${n}`] = value;
    return `#f${n} = :f${n}`;
  });
  const removes = (change.remove ?? []).map((name, n) => {
    names[`#r${n}`] = name;
    return `#r${n}`;
  });
  const update = {
    TableName: tableName,
    Key: userSessionKey(next.userId, next.sessionId),
    UpdateExpression: `SET ${[...sets, 'version = :next'].join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: 'version = :version',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
  try {
    if (!change.use && !change.with) await client.send(new UpdateCommand(update));
    else {
      const items: TransactItem[] = [{ Update: update }, ...(change.use ? [rosterUse(context, next)] : []), ...(change.with ?? [])];
      await client.send(new TransactWriteCommand({ TransactItems: items }));
    }
  } catch (error) {
    if (isConditionFailure(error)) return RETRY;
    throw error;
  }
  await context.cache.put(next);
  return next;
}

/**
 * Updates: renew, trust and untrust the device, set the MFA state. Each is conditional on the
 * session's version. Without `expectedVersion` a concurrent change is retried (these set absolute
 * values, so applying them to the newer version is what the caller asked for); with it, a session at
 * another version is a `SessionConflictError` and nothing is written.
 */
export class SessionUpdater {
  constructor(
    private readonly context: StoreContext,
    private readonly reader: SessionReader,
  ) {}

  /** Marks a use: last use now, expiry extended (the stay-signed-in lifetime when the session has it). */
  renew(ref: SessionRef, expectedVersion?: number): Promise<UserSession> {
    return this.change(ref, expectedVersion, 'renew', (item) => {
      const session = toSession(item);
      const set = extendedBy(this.context, session, this.context.nowMs());
      return {
        set,
        use: true,
        // The current token's lookup item lives as long as its session.
        with: [
          {
            Update: {
              TableName: this.context.tableName,
              Key: refreshTokenKey(session.refreshTokenHash),
              UpdateExpression: 'SET #ttl = :ttl',
              ConditionExpression: 'attribute_exists(PK)',
              ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
              ExpressionAttributeValues: { ':ttl': set[TTL_ATTRIBUTE] },
            },
          },
        ],
      };
    });
  }

  trust(ref: SessionRef, expectedVersion?: number): Promise<UserSession> {
    return this.change(ref, expectedVersion, 'trust', () => ({ set: { trusted: true, trustedAt: this.context.nowMs() } }));
  }

  untrust(ref: SessionRef, expectedVersion?: number): Promise<UserSession> {
    return this.change(ref, expectedVersion, 'untrust', () => ({ set: { trusted: false }, remove: ['trustedAt'] }));
  }

  setMfa(ref: SessionRef, mfa: MfaState, expectedVersion?: number): Promise<UserSession> {
    return this.change(ref, expectedVersion, 'setMfa', () => ({ set: { mfa } }));
  }

  private change(ref: SessionRef, expectedVersion: number | undefined, what: string, build: (item: Record<string, unknown>) => Change): Promise<UserSession> {
    return retrying(this.context, what, async () => {
      const item = await this.reader.item(ref);
      if (!item) throw new SessionNotFoundError(`${what}: no live session ${ref.sessionId}`);
      if (expectedVersion !== undefined && item.version !== expectedVersion) {
        throw new SessionConflictError(`${what}: session ${ref.sessionId} is at version ${String(item.version)}, not ${expectedVersion}`, item.version as number);
      }
      return applyChange(this.context, item, build(item));
    });
  }
}
