import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { SessionRef, UserSession } from '../types';
import { RETRY, retrying, type StoreContext, type TransactItem } from './context';
import { hashesOf, refreshTokenKey, rosterAttribute, toSession, userSessionKey, userSessionRosterKey } from './items';
import type { SessionReader } from './read';

/**
 * The deletes of one stored session: the session (conditional on the version that was read, so what
 * is reported deleted is what was deleted) and every refresh-token item it owns. The roster's update
 * is the caller's: a create that evicts updates the roster once for all its changes.
 */
export function sessionRemoval(context: StoreContext, item: Record<string, unknown>): TransactItem[] {
  const { tableName } = context;
  const session = toSession(item);
  return [
    {
      Delete: {
        TableName: tableName,
        Key: userSessionKey(session.userId, session.sessionId),
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': session.version },
      },
    },
    ...hashesOf(item).map((hash): TransactItem => ({ Delete: { TableName: tableName, Key: refreshTokenKey(hash) } })),
  ];
}

/** Deletes: one session, or every session of a user ("log out everywhere"). Each reaches the cache too. */
export class SessionDeleter {
  constructor(
    private readonly context: StoreContext,
    private readonly reader: SessionReader,
  ) {}

  /**
   * Deletes a session with its refresh tokens and its roster entry in one transaction. Returns the
   * session as it was, or undefined when there was none. A concurrent change is retried: deleting is
   * what the caller wants whatever the change was.
   */
  async delete(ref: SessionRef): Promise<UserSession | undefined> {
    const { client, tableName, cache } = this.context;
    const deleted = await retrying(this.context, 'delete', async () => {
      const item = await this.reader.item(ref);
      if (!item) return undefined;
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              ...sessionRemoval(this.context, item),
              {
                Update: {
                  TableName: tableName,
                  Key: userSessionRosterKey(ref.userId),
                  UpdateExpression: 'REMOVE #entry ADD version :one, #count :minus',
                  ConditionExpression: 'attribute_exists(#entry)',
                  ExpressionAttributeNames: { '#entry': rosterAttribute(ref.sessionId), '#count': 'count' },
                  ExpressionAttributeValues: { ':one': 1, ':minus': -1 },
                },
              },
            ],
          }),
        );
        return toSession(item);
      } catch (error) {
        if (error instanceof TransactionCanceledException) return RETRY;
        throw error;
      }
    });
    await cache.remove(ref);
    return deleted;
  }

  /**
   * Deletes every session of a user, each in its own transaction, one after the other (each updates
   * the user's roster, so side by side they would only cancel each other); returns those deleted.
   */
  async deleteAll(userId: string): Promise<UserSession[]> {
    const deleted: UserSession[] = [];
    for (const session of await this.reader.list(userId)) {
      const gone = await this.delete({ userId, sessionId: session.sessionId });
      if (gone) deleted.push(gone);
    }
    return deleted;
  }
}
