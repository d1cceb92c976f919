import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConnectionExistsError } from './errors';
import type { AuthMode, Identity } from './auth/identity';
import { EVERYONE_INDEX, METADATA, USER_INDEX, connectionIdOfEveryoneSk, connectionKey, connectionPk, everyonePk, everyoneShardOf, everyoneSk, pendingPk, pendingShardOf, pendingSk, tenantPk, userPk } from './keys';
import { nowSeconds } from './time';

/** A live WebSocket connection as stored in the table. */
export interface Connection {
  connectionId: string;
  /** Absent while a two-phase connection has not authenticated. */
  userId?: string;
  authMode: AuthMode;
  tenantId?: string;
  roles?: string[];
  sessionId?: string;
  /** Two-phase: when the connection must have authenticated by, epoch seconds. */
  authDeadline?: number;
  /** When the token the connection authenticated with expires, epoch seconds. */
  tokenExpiresAt?: number;
  /** When API Gateway accepted the connection, epoch milliseconds (`requestContext.connectedAt`). */
  connectedAt: number;
  sourceIp?: string;
  userAgent?: string;
  /** When the item stops counting as live, epoch seconds; also the table's TTL attribute. */
  expiresAt: number;
  /** How many channels the connection subscribed to (kept by subscribe/unsubscribe). */
  subscriptionCount?: number;
  /** The resumable session linked to the connection (`hello` or `resume`). */
  wsSession?: string;
}

/** The stored item: the connection's fields, its keys, and `expiresAt` as the table's TTL attribute. */
type ConnectionItem = Omit<Connection, 'expiresAt'> & {
  PK: string;
  SK: string;
  GSI1PK: string;
  GSI1SK: string;
  /** The tenant index, when the identity has a tenant. */
  GSI2PK?: string;
  GSI2SK?: string;
  /** The everyone index, once the connection is authenticated. */
  GSI3PK?: string;
  GSI3SK?: string;
  type: 'connection';
  ttl: number;
};

/** The index keys an authenticated connection carries: its user, its tenant (if any) and everyone. */
export function audienceKeys(
  connectionId: string,
  userId: string,
  tenantId: string | undefined,
  connectedAt: number,
): Pick<ConnectionItem, 'GSI1PK' | 'GSI1SK' | 'GSI2PK' | 'GSI2SK' | 'GSI3PK' | 'GSI3SK'> {
  return {
    GSI1PK: userPk(userId),
    GSI1SK: connectionPk(connectionId),
    ...(tenantId === undefined ? {} : { GSI2PK: tenantPk(tenantId), GSI2SK: connectionPk(connectionId) }),
    GSI3PK: everyonePk(everyoneShardOf(connectionId)),
    GSI3SK: everyoneSk(connectedAt, connectionId),
  };
}

export interface ConnectionPage {
  connections: Connection[];
  /** Opaque cursor for the next page; absent on the last page. */
  cursor?: string;
}

export type AuthenticateResult = 'authenticated' | 'other_user' | 'gone';

export interface ConnectionStore {
  /** Stores an authenticated connection, or (without `userId`, with `authDeadline`) a pending two-phase one. */
  putConnection(connection: Connection): Promise<void>;
  /** Binds a pending connection to an identity, or refreshes the token of one bound to the same user. */
  authenticateConnection(params: { connectionId: string; identity: Identity; tokenExpiresAt: number; expiresAt: number; connectedAt: number }): Promise<AuthenticateResult>;
  /** Pending two-phase connections whose deadline has passed, from one shard. */
  listOverduePending(shard: number, limit?: number): Promise<Connection[]>;
  getConnection(connectionId: string): Promise<Connection | undefined>;
  deleteConnection(connectionId: string): Promise<Connection | undefined>;
  listUserConnections(userId: string, page?: { limit?: number; cursor?: string }): Promise<ConnectionPage>;
  /**
   * Connections accepted before `acceptedBefore` (epoch ms) that were not told to go away yet, from
   * one shard of the everyone index; each is marked told (conditionally, so one sweep tells it once).
   */
  claimGoaway(shard: number, acceptedBefore: number, limit?: number): Promise<Array<{ connectionId: string; connectedAt: number }>>;
  /**
   * Connections told to go away and accepted before `acceptedBefore` (epoch ms): past API Gateway's
   * 2-hour cut they are certainly closed, so one whose `$disconnect` never came shows up here.
   */
  listDead(shard: number, acceptedBefore: number, limit?: number): Promise<string[]>;
  /** Live connections of a user, counted up to `atMost` (enough to enforce a cap). */
  countUserConnections(userId: string, atMost: number): Promise<number>;
}

function toItem(c: Connection): ConnectionItem {
  if (c.userId === undefined && c.authDeadline === undefined) throw new TypeError('a connection needs a userId or an authDeadline');
  return {
    ...connectionKey(c.connectionId),
    ...(c.userId !== undefined
      ? audienceKeys(c.connectionId, c.userId, c.tenantId, c.connectedAt)
      : { GSI1PK: pendingPk(pendingShardOf(c.connectionId)), GSI1SK: pendingSk(c.authDeadline!, c.connectionId) }),
    type: 'connection',
    connectionId: c.connectionId,
    userId: c.userId,
    authMode: c.authMode,
    tenantId: c.tenantId,
    roles: c.roles,
    sessionId: c.sessionId,
    authDeadline: c.authDeadline,
    tokenExpiresAt: c.tokenExpiresAt,
    connectedAt: c.connectedAt,
    sourceIp: c.sourceIp,
    userAgent: c.userAgent,
    ttl: c.expiresAt,
  };
}

export const fromItem = (item: Record<string, unknown>): Connection => {
  const i = item as unknown as ConnectionItem;
  return {
    connectionId: i.connectionId,
    userId: i.userId,
    authMode: i.authMode,
    tenantId: i.tenantId,
    roles: i.roles,
    sessionId: i.sessionId,
    authDeadline: i.authDeadline,
    tokenExpiresAt: i.tokenExpiresAt,
    connectedAt: i.connectedAt,
    sourceIp: i.sourceIp,
    userAgent: i.userAgent,
    expiresAt: i.ttl,
    subscriptionCount: i.subscriptionCount,
    wsSession: i.wsSession,
  };
};

/**
 * Connections told to go away are re-keyed `CONNECTION#9{connectedAt}#{id}`: after every untold one
 * (acceptance times start with 1 until the year 2286), and among themselves still by acceptance time.
 */
const told = (connectedAt: number, connectionId: string): string => `CONNECTION#9${String(connectedAt).padStart(13, '0')}#${connectionId}`;

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

  const getConnection = async (connectionId: string): Promise<Connection | undefined> => {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: connectionKey(connectionId), ConsistentRead: true }));
    return Item && isLive(Item, now()) ? fromItem(Item) : undefined;
  };

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

    async authenticateConnection({ connectionId, identity, tokenExpiresAt, expiresAt, connectedAt }) {
      const optional = { tenantId: identity.tenantId, roles: identity.roles?.length ? identity.roles : undefined, sessionId: identity.sessionId };
      const set = ['userId = :userId', 'tokenExpiresAt = :tokenExpiresAt', '#ttl = :ttl'];
      const remove = ['authDeadline'];
      const names: Record<string, string> = { '#ttl': 'ttl' };
      const values: Record<string, unknown> = { ':userId': identity.userId, ':tokenExpiresAt': tokenExpiresAt, ':ttl': expiresAt };
      const keys = audienceKeys(connectionId, identity.userId, identity.tenantId, connectedAt);
      for (const name of ['GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK'] as const) {
        const value = keys[name];
        if (value === undefined) remove.push(name);
        else {
          set.push(`${name} = :${name}`);
          values[`:${name}`] = value;
        }
      }
      for (const [field, value] of Object.entries(optional)) {
        names[`#${field}`] = field;
        if (value === undefined) remove.push(`#${field}`);
        else {
          set.push(`#${field} = :${field}`);
          values[`:${field}`] = value;
        }
      }
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: connectionKey(connectionId),
            UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
            // A pending connection takes any identity; an authenticated one only refreshes its own.
            ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(userId) OR userId = :userId)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return 'authenticated';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        return (await getConnection(connectionId)) ? 'other_user' : 'gone';
      }
    },

    async listOverduePending(shard, limit = 100) {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: USER_INDEX,
          KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK < :before',
          ExpressionAttributeValues: { ':pk': pendingPk(shard), ':before': pendingSk(now(), '') },
          Limit: limit,
        }),
      );
      return (result.Items ?? []).map(fromItem);
    },

    getConnection,

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

    async claimGoaway(shard, acceptedBefore, limit = 100) {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: EVERYONE_INDEX,
          KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK < :before',
          ExpressionAttributeValues: { ':pk': everyonePk(shard), ':before': everyoneSk(acceptedBefore, '') },
          Limit: limit,
        }),
      );
      const claimed: Array<{ connectionId: string; connectedAt: number }> = [];
      for (const item of result.Items ?? []) {
        const sk = item.GSI3SK as string;
        const connectionId = connectionIdOfEveryoneSk(sk);
        const connectedAt = Number(sk.slice('CONNECTION#'.length, 'CONNECTION#'.length + 13));
        try {
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: connectionKey(connectionId),
              // Re-keyed to the end of its shard: still in everyone's audience, out of the next sweep's way.
              UpdateExpression: 'SET goawayAt = :now, GSI3SK = :told',
              ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(goawayAt)',
              ExpressionAttributeValues: { ':now': now(), ':told': told(connectedAt, connectionId) },
            }),
          );
          claimed.push({ connectionId, connectedAt });
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      return claimed;
    },

    async listDead(shard, acceptedBefore, limit = 100) {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: EVERYONE_INDEX,
          KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': everyonePk(shard), ':from': 'CONNECTION#9', ':to': told(acceptedBefore, '') },
          Limit: limit,
        }),
      );
      return (result.Items ?? []).map((item) => connectionIdOfEveryoneSk(item.GSI3SK as string));
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
