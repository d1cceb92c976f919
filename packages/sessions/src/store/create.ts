import { BatchGetCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { fingerprint, log } from '../../../../functions/lib/log';
import { hashRefreshToken, newRefreshToken, newSessionId } from '../tokens';
import type { CreateSessionInput, CreateSessionResult, MfaState, UserSession } from '../types';
import { RETRY, cancellationCodes, retrying, type StoreContext, type TransactItem } from './context';
import { sessionRemoval } from './delete';
import { RETIRED_KEPT, TTL_ATTRIBUTE, refreshItem, rosterAttribute, rosterTtl, toRoster, toSession, toSessionItem, userSessionKey, userSessionRosterKey, type RosterEntry } from './items';

/** DynamoDB's limit on the items of one transaction. */
const MAX_TRANSACT_ITEMS = 100;

type CheckedInput = Required<Omit<CreateSessionInput, 'mfa'>> & { mfa: MfaState };

/**
 * Creates sessions under the per-user limit. The roster item is updated in the same transaction as
 * the new session and its refresh token, and the transaction is conditional on the roster: while the
 * user has room, on its size (one request, no read); when full, on the version read, with the least
 * recently used sessions (and any expired ones) deleted in that same transaction. A race of creates
 * therefore never leaves more than the limit: each commits against the roster the others left.
 */
export class SessionCreator {
  constructor(private readonly context: StoreContext) {}

  async create(input: CheckedInput): Promise<CreateSessionResult> {
    const { settings, nowMs, cache, metrics } = this.context;
    const refreshToken = newRefreshToken();
    const hash = hashRefreshToken(refreshToken);
    const sessionId = newSessionId();
    // What the last refusal said: the roster is full, and as it was then (read again when absent).
    let refused: Refused | undefined;
    const result = await retrying(this.context, 'create', async () => {
      const now = nowMs();
      const session: UserSession = {
        sessionId,
        userId: input.userId,
        email: input.email,
        refreshTokenHash: hash,
        expiresAt: now + 1000 * (input.staySignedIn ? settings.staySignedInTtlSeconds : settings.ttlSeconds),
        device: input.device,
        staySignedIn: input.staySignedIn,
        trusted: input.trusted,
        mfa: input.mfa,
        createdAt: now,
        lastUsedAt: now,
        version: 1,
      };
      if (input.trusted) session.trustedAt = now;
      let outcome = refused?.full ? await this.evictAndCreate(session, refused.roster) : await this.createWithRoom(session);
      // Found full with room assumed: evict at once (no backoff, nothing conflicted yet).
      if (!Array.isArray(outcome) && outcome.full && !refused?.full) outcome = await this.evictAndCreate(session, outcome.roster);
      if (Array.isArray(outcome)) return { session, refreshToken, evicted: outcome };
      refused = outcome;
      return RETRY;
    });
    if (result.evicted.length > 0) metrics.count('SessionsEvicted', result.evicted.length);
    await cache.put(result.session);
    for (const evicted of result.evicted) await cache.remove(evicted);
    return result;
  }

  /** The new session's own writes: the session and its refresh token, each only if new. */
  private writesOf(session: UserSession): TransactItem[] {
    const { tableName } = this.context;
    return [
      { Put: { TableName: tableName, Item: toSessionItem(session, []), ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: tableName, Item: refreshItem(session.refreshTokenHash, session), ConditionExpression: 'attribute_not_exists(PK)' } },
    ];
  }

  /**
   * The create's one transaction: the roster's update (with the new entry, the kind and the TTL
   * always set), the new session and its token, and any removals. The cancellation codes, if cancelled.
   */
  private async commit(
    session: UserSession,
    roster: { update: string; condition: string; names?: Record<string, string>; values: Record<string, unknown> },
    removals: TransactItem[] = [],
  ): Promise<{ codes: string[]; roster?: Record<string, unknown> } | undefined> {
    const { client, tableName } = this.context;
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: userSessionRosterKey(session.userId),
                UpdateExpression: `SET #entry = :entry, kind = :kind, #ttl = :ttl${roster.update}`,
                ConditionExpression: roster.condition,
                // A create that finds the roster full learns it from the refusal, without a read.
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                ExpressionAttributeNames: { '#entry': rosterAttribute(session.sessionId), '#count': 'count', '#ttl': TTL_ATTRIBUTE, ...roster.names },
                ExpressionAttributeValues: { ':entry': entryOf(session), ':kind': ROSTER_KIND, ':ttl': rosterTtl(this.context.settings, session.lastUsedAt), ...roster.values },
              },
            },
            ...this.writesOf(session),
            ...removals,
          ],
        }),
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const item = error.CancellationReasons?.[0]?.Item;
      return { codes: cancellationCodes(error), roster: item && unmarshall(item as Parameters<typeof unmarshall>[0]) };
    }
  }

  /** One transaction, no read: adds the session while the roster has room; when it has none, the roster as it is. */
  private async createWithRoom(session: UserSession): Promise<UserSession[] | Refused> {
    const refused = await this.commit(session, {
      update: ' ADD version :one, #count :one',
      condition: 'attribute_not_exists(PK) OR #count < :max',
      values: { ':one': 1, ':max': this.context.settings.maxSessionsPerUser },
    });
    return refused === undefined ? [] : { full: refused.codes[0] === 'ConditionalCheckFailed', roster: refused.roster };
  }

  /**
   * Reads the roster (unless a refusal returned it), then adds the session in a transaction conditional on the version read that
   * also deletes the least recently used sessions beyond the limit (reported as evicted) and any
   * expired ones the table's TTL has not removed yet.
   */
  private async evictAndCreate(session: UserSession, known: Record<string, unknown> | undefined): Promise<UserSession[] | Refused> {
    const { client, tableName, settings } = this.context;
    const item = known ?? (await client.send(new GetCommand({ TableName: tableName, Key: userSessionRosterKey(session.userId), ConsistentRead: true }))).Item;
    const roster = toRoster(item);
    if (!roster) return this.createWithRoom(session);
    const now = session.lastUsedAt;
    const entries = [...roster.entries].map(([sessionId, entry]) => ({ sessionId, ...entry }));
    const live = entries.filter((entry) => entry.expiresAt > now).sort((a, b) => a.lastUsedAt - b.lastUsedAt || a.sessionId.localeCompare(b.sessionId));
    const evict = live.slice(0, Math.max(0, live.length + 1 - settings.maxSessionsPerUser)).map((entry) => entry.sessionId);
    const expired = entries.filter((entry) => entry.expiresAt <= now).map((entry) => entry.sessionId);
    const removed = [...evict, ...expired].slice(0, MAX_REMOVED);
    const items = await this.itemsOf(session.userId, removed);
    const names: Record<string, string> = {};
    removed.forEach((sessionId, n) => (names[`#r${n}`] = rosterAttribute(sessionId)));
    const refused = await this.commit(
      session,
      {
        update: `, #count = :count, version = :next${removed.length > 0 ? ` REMOVE ${Object.keys(names).join(', ')}` : ''}`,
        condition: 'version = :version',
        names,
        values: { ':count': roster.entries.size - removed.length + 1, ':next': roster.version + 1, ':version': roster.version },
      },
      [...items.values()].flatMap((item) => sessionRemoval(this.context, item)),
    );
    if (refused !== undefined) return { full: true, roster: refused.roster };
    const evicted = evict.map((sessionId) => items.get(sessionId)).filter((item) => item !== undefined);
    if (evicted.length < evict.length) {
      log({ event: 'user_session_roster_repaired', level: 'warn', user: fingerprint(session.userId), missing: evict.length - evicted.length });
    }
    return evicted.map(toSession);
  }

  /** The stored items of some of a user's sessions, read consistently in one request (absent ones left out). */
  private async itemsOf(userId: string, sessionIds: string[]): Promise<Map<string, Record<string, unknown>>> {
    const { client, tableName } = this.context;
    const items = new Map<string, Record<string, unknown>>();
    let keys = sessionIds.map((sessionId) => userSessionKey(userId, sessionId));
    while (keys.length > 0) {
      const result = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
      for (const item of result.Responses?.[tableName] ?? []) items.set(item.sessionId as string, item);
      keys = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as typeof keys;
    }
    return items;
  }
}

const ROSTER_KIND = 'user_session_roster';
/** A create's transaction was cancelled: whether the roster was full, and the roster as it was then if DynamoDB returned it. */
interface Refused {
  full: boolean;
  roster?: Record<string, unknown>;
}
const entryOf = (session: UserSession): RosterEntry => ({ lastUsedAt: session.lastUsedAt, expiresAt: session.expiresAt });
/** Sessions one create may remove: each costs its session and up to 1 + RETIRED_KEPT token items. */
const MAX_REMOVED = Math.floor((MAX_TRANSACT_ITEMS - 3) / (2 + RETIRED_KEPT));
