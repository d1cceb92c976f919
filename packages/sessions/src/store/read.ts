import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { USER_SESSION_PREFIX, userPk } from '../../../contract/src/table-keys';
import { hashRefreshToken } from '../tokens';
import type { SessionRef, UserSession } from '../types';
import type { StoreContext } from './context';
import { refreshTokenKey, toSession, userSessionKey, type RefreshItem } from './items';

/**
 * The stored item of a live session: one strongly consistent GetItem; an expired session reads as
 * absent whether or not the table's TTL has deleted it yet.
 *
 * @example
 * const item = await readLiveItem({ client, tableName, nowMs: Date.now }, { userId, sessionId });
 */
export async function readLiveItem(
  { client, tableName, nowMs }: Pick<StoreContext, 'client' | 'tableName' | 'nowMs'>,
  ref: SessionRef,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: userSessionKey(ref.userId, ref.sessionId), ConsistentRead: true }));
  if (!Item || (Item.expiresAt as number) <= nowMs()) return undefined;
  return Item;
}

/**
 * Reads: one session by id (through the cache when there is one), by refresh token, and a user's
 * sessions. An expired session reads as absent whether or not the table's TTL has deleted it yet.
 */
export class SessionReader {
  constructor(private readonly context: StoreContext) {}

  /** The stored item of a live session, read consistently from DynamoDB (what every write starts from). */
  async item(ref: SessionRef): Promise<Record<string, unknown> | undefined> {
    return readLiveItem(this.context, ref);
  }

  async get(ref: SessionRef): Promise<UserSession | undefined> {
    const { cache, metrics, nowMs } = this.context;
    const cached = await cache.get(ref);
    if (cached.status === 'hit') {
      metrics.count('SessionCacheHits');
      return cached.session !== null && cached.session.expiresAt > nowMs() ? cached.session : undefined;
    }
    if (cached.status === 'miss') metrics.count('SessionCacheMisses');
    if (cached.status === 'unavailable') metrics.count('SessionCacheErrors');
    const item = await this.item(ref);
    const session = item && toSession(item);
    if (session && cached.status === 'miss') await cache.put(session);
    return session;
  }

  /** The refresh-token lookup item of a token, rotated or not. */
  async refreshItem(token: string): Promise<(RefreshItem & { hash: string }) | undefined> {
    const { client, tableName } = this.context;
    const hash = hashRefreshToken(token);
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: refreshTokenKey(hash), ConsistentRead: true }));
    return Item ? { ...(Item as RefreshItem), hash } : undefined;
  }

  /** The session whose current refresh token this is; a rotated or unknown token finds nothing. */
  async getByRefreshToken(token: string): Promise<UserSession | undefined> {
    const found = await this.refreshItem(token);
    if (!found || found.rotatedAt !== undefined) return undefined;
    const session = await this.get({ userId: found.userId, sessionId: found.sessionId });
    return session?.refreshTokenHash === found.hash ? session : undefined;
  }

  /** A user's live sessions (their devices), most recently used first: one Query of the user's partition. */
  async list(userId: string): Promise<UserSession[]> {
    const { client, tableName, nowMs } = this.context;
    const sessions: UserSession[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': USER_SESSION_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) if ((item.expiresAt as number) > nowMs()) sessions.push(toSession(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return sessions.sort((a, b) => b.lastUsedAt - a.lastUsedAt || a.sessionId.localeCompare(b.sessionId));
  }
}
