import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConnectionExistsError } from './errors';
import type { AuthMode } from './auth/identity';
import { METADATA, USER_INDEX, connectionKey, connectionPk, userPk } from './keys';
import { nowSeconds } from './time';

/** A live WebSocket connection as stored in the table. */
export interface Connection {
  connectionId: string;
  userId: string;
  authMode: AuthMode;
  /** When API Gateway accepted the connection, epoch milliseconds (`requestContext.connectedAt`). */
  connectedAt: number;
  sourceIp?: string;
  userAgent?: string;
  /** When the item stops counting as live, epoch seconds; also the table's TTL attribute. */
  expiresAt: number;
}

interface ConnectionItem {
  PK: string;
  SK: string;
  GSI1PK: string;
  GSI1SK: string;
  type: 'connection';
  connectionId: string;
  userId: string;
  authMode: AuthMode;
  connectedAt: number;
  sourceIp?: string;
  userAgent?: string;
  ttl: number;
}

export interface ConnectionPage {
  connections: Connection[];
  /** Opaque cursor for the next page; absent on the last page. */
  cursor?: string;
}

export interface ConnectionStore {
  putConnection(connection: Connection): Promise<void>;
  getConnection(connectionId: string): Promise<Connection | undefined>;
  deleteConnection(connectionId: string): Promise<Connection | undefined>;
  listUserConnections(userId: string, page?: { limit?: number; cursor?: string }): Promise<ConnectionPage>;
  /** Live connections of a user, counted up to `atMost` (enough to enforce a cap). */
  countUserConnections(userId: string, atMost: number): Promise<number>;
}

const toItem = (c: Connection): ConnectionItem => ({
  ...connectionKey(c.connectionId),
  GSI1PK: userPk(c.userId),
  GSI1SK: connectionPk(c.connectionId),
  type: 'connection',
  connectionId: c.connectionId,
  userId: c.userId,
  authMode: c.authMode,
  connectedAt: c.connectedAt,
  sourceIp: c.sourceIp,
  userAgent: c.userAgent,
  ttl: c.expiresAt,
});

const fromItem = (item: Record<string, unknown>): Connection => {
  const i = item as unknown as ConnectionItem;
  return {
    connectionId: i.connectionId,
    userId: i.userId,
    authMode: i.authMode,
    connectedAt: i.connectedAt,
    sourceIp: i.sourceIp,
    userAgent: i.userAgent,
    expiresAt: i.ttl,
  };
};

/** TTL deletes lag by up to two days, so an item past its `ttl` is treated as already gone. */
const isLive = (item: Record<string, unknown>, now: number): boolean => typeof item.ttl !== 'number' || item.ttl > now;

const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

const decodeCursor = (cursor: string | undefined): Record<string, unknown> | undefined => {
  if (!cursor) return undefined;
  const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('malformed cursor');
  return parsed as Record<string, unknown>;
};

/**
 * The connection half of the single table. Every call is one DynamoDB request.
 *
 * @example
 * const store = createConnectionStore({ client: createDocumentClient(), tableName: 'ws' });
 * await store.putConnection({ connectionId, userId, authMode: 'anonymous', connectedAt, expiresAt });
 */
export function createConnectionStore({
  client,
  tableName,
  now = () => nowSeconds(),
}: {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Clock in epoch seconds; injectable so expiry can be tested without waiting. */
  now?: () => number;
}): ConnectionStore {
  const userConnectionsQuery = (userId: string) => ({
    TableName: tableName,
    IndexName: USER_INDEX,
    KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
    FilterExpression: '#ttl > :now',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': 'CONNECTION#', ':now': now() },
  });

  return {
    async putConnection(connection) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: toItem(connection),
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new ConnectionExistsError(`connection ${connection.connectionId} is already stored`, { cause: error });
        }
        throw error;
      }
    },

    async getConnection(connectionId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: connectionKey(connectionId), ConsistentRead: true }),
      );
      return Item && isLive(Item, now()) ? fromItem(Item) : undefined;
    },

    async deleteConnection(connectionId) {
      const { Attributes } = await client.send(
        new DeleteCommand({ TableName: tableName, Key: connectionKey(connectionId), ReturnValues: 'ALL_OLD' }),
      );
      return Attributes ? fromItem(Attributes) : undefined;
    },

    async listUserConnections(userId, { limit = 100, cursor } = {}) {
      const result = await client.send(new QueryCommand({ ...userConnectionsQuery(userId), Limit: limit, ExclusiveStartKey: decodeCursor(cursor) }));
      return {
        connections: (result.Items ?? []).filter((item) => item.SK === METADATA).map(fromItem),
        cursor: encodeCursor(result.LastEvaluatedKey),
      };
    },

    async countUserConnections(userId, atMost) {
      let count = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const result = await client.send(new QueryCommand({ ...userConnectionsQuery(userId), Select: 'COUNT', ExclusiveStartKey: startKey }));
        count += result.Count ?? 0;
        startKey = result.LastEvaluatedKey;
      } while (startKey && count < atMost);
      return count;
    },
  };
}
