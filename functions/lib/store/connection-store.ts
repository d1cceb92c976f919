import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionFailedAt, ifConditionHolds, newWriteId, writeUnlessConflict } from './conditional-write';
import { ConnectionCountError, createConnectionCounter } from './connection-count';
import { ConnectionExistsError } from '../errors';
import type { AuthMode, Identity } from '../../../packages/contract/src/identity';
import { EVERYONE_INDEX, METADATA, TOKEN_DEADLINE, USER_INDEX, tokenDeadlineKey, connectionIdOfEveryoneSk, connectionKey, connectionPk, everyonePk, everyoneShardOf, everyoneSk, pendingPk, pendingShardOf, pendingSk, tenantPk, userPk } from '../../../packages/contract/src/table-keys';
import { nowSeconds } from '../time';
import { isLiveConnectionItem } from '../../../packages/contract/src/connection-item';

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
  /** The generation of the user's connection counter that counted this connection (absent: not counted). */
  countedIn?: string;
  /** The id of the last write that stored an uncounted item or claimed its `goaway`, which tells its own retry from a real conflict (conditional-write.ts). */
  writeId?: string;
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

/** `full`: the user already holds `maxPerUser` connections, nothing was written. */
/** A page of a listing: `cursor` (opaque) asks for the next one; absent on the last page. */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

export type AuthenticateResult = 'authenticated' | 'other_user' | 'gone' | 'full';

/** Found past its deadline: a two-phase connection that did not authenticate, or a connection's token deadline. */
export type OverdueConnection = { connectionId: string; reason: 'auth_deadline' } | { connectionId: string; reason: 'token_expired'; tokenExpiresAt: number };

export interface ConnectionStore {
  /**
   * Stores an authenticated connection, or (without `userId`, with `authDeadline`) a pending two-phase
   * one. With `maxPerUser` (above 0) an authenticated connection is counted on its user's counter in
   * the same transaction, and refused (`full`, nothing written) when the user holds that many already.
   */
  putConnection(connection: Connection, options?: { maxPerUser?: number }): Promise<'stored' | 'full'>;
  /**
   * Binds a pending connection to an identity (counted against `maxPerUser` as `putConnection` does),
   * or refreshes the token of one bound to the same user.
   */
  authenticateConnection(params: {
    connectionId: string;
    identity: Identity;
    tokenExpiresAt: number;
    expiresAt: number;
    connectedAt: number;
    maxPerUser?: number;
  }): Promise<AuthenticateResult>;
  /**
   * Records when the connection's token expires (epoch s) in the pending index, where the sweeper
   * finds it; overwrites an earlier record. `expiresAt` is the record's TTL, the connection's.
   */
  putTokenDeadline(params: { connectionId: string; tokenExpiresAt: number; expiresAt: number }): Promise<void>;
  /** Deletes a connection's token deadline record (absent is fine). */
  deleteTokenDeadline(connectionId: string): Promise<void>;
  /** Pending two-phase connections whose deadline has passed, and token deadlines past, from one shard, a page at a time. */
  listOverduePending(shard: number, page?: PageRequest): Promise<Page<OverdueConnection>>;
  getConnection(connectionId: string): Promise<Connection | undefined>;
  /**
   * Deletes a connection item and counts it out of its user's counter in one transaction (a GetItem,
   * then TransactWriteItems conditional on the item still being there): of two deletes of one
   * connection only one succeeds and decrements. Its token deadline record goes too. Returns the deleted
   * connection, undefined if absent.
   */
  deleteConnection(connectionId: string): Promise<Connection | undefined>;
  listUserConnections(userId: string, page?: { limit?: number; cursor?: string }): Promise<ConnectionPage>;
  /**
   * Connections accepted before `acceptedBefore` (epoch ms) that were not told to go away yet, from
   * one shard of the everyone index, a page at a time.
   */
  listNearCut(shard: number, acceptedBefore: number, page?: PageRequest): Promise<Page<{ connectionId: string; connectedAt: number }>>;
  /** Marks a connection told to go away (conditionally, so one sweep tells it once); false if it was already, or is gone. */
  claimGoaway(connectionId: string, connectedAt: number): Promise<boolean>;
  /** Undoes `claimGoaway` when the `goaway` could not be posted, so the next sweep tries again. */
  releaseGoaway(connectionId: string, connectedAt: number): Promise<void>;
  /**
   * Connections told to go away and accepted before `acceptedBefore` (epoch ms): past API Gateway's
   * 2-hour cut they are certainly closed, so one whose `$disconnect` never came shows up here.
   */
  listDead(shard: number, acceptedBefore: number, page?: PageRequest): Promise<Page<string>>;
  /**
   * Lowers a user's connection counter to the connection items it counted that still exist (those the
   * table's TTL deleted were never counted out). Returns the new count when it changed.
   */
  repairConnectionCount(userId: string): Promise<number | undefined>;
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
const isLive = isLiveConnectionItem;

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

  const counter = createConnectionCounter({ client, tableName, nowMs: () => now() * 1000 });

  const getConnection = async (connectionId: string): Promise<Connection | undefined> => {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: connectionKey(connectionId), ConsistentRead: true }));
    return Item && isLive(Item, now()) ? fromItem(Item) : undefined;
  };

  /**
   * Deletes a connection item and counts it out of its user's counter in one transaction (see
   * `deleteConnection`). Returns the deleted connection, undefined if absent.
   */
  const deleteCounted = async (connectionId: string): Promise<Connection | undefined> => {
    const key = connectionKey(connectionId);
    /** Deletes the item only if it is still counted in `generation` (or, without one, not counted at all). */
    const deleteAlone = async (generation: string | undefined): Promise<Connection | undefined | 'changed'> => {
      const deleted = await ifConditionHolds(
        client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: key,
            ReturnValues: 'ALL_OLD',
            ...(generation === undefined
              ? { ConditionExpression: 'attribute_not_exists(countedIn)' }
              : { ConditionExpression: 'countedIn = :generation', ExpressionAttributeValues: { ':generation': generation } }),
          }),
        ),
      );
      if (!deleted) return 'changed';
      return deleted.Attributes ? fromItem(deleted.Attributes) : undefined;
    };
    // Bounded: each round follows a change another writer made (an `auth`, another delete).
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      if (!Item) return undefined;
      const generation = typeof Item.countedIn === 'string' ? Item.countedIn : undefined;
      const userId = typeof Item.userId === 'string' ? Item.userId : undefined;
      if (generation === undefined || userId === undefined) {
        const removed = await deleteAlone(undefined);
        if (removed !== 'changed') return removed;
        continue;
      }
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Delete: { TableName: tableName, Key: key, ConditionExpression: 'countedIn = :generation', ExpressionAttributeValues: { ':generation': generation } } },
              counter.decrement(userId, generation),
            ],
          }),
        );
        return fromItem(Item);
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        if (conditionFailedAt(error, 0)) continue; // deleted (or changed) meanwhile: look again
        if (conditionFailedAt(error, 1)) {
          // The counter started a new generation (or is gone): this connection no longer counts.
          const removed = await deleteAlone(generation);
          if (removed !== 'changed') return removed;
        }
      }
    }
    throw new ConnectionCountError(`connection ${connectionId} kept changing while being deleted`);
  };

  return {
    async putConnection(connection, { maxPerUser = 0 } = {}) {
      const exists = (cause?: unknown) => new ConnectionExistsError(`connection ${connection.connectionId} is already stored`, { cause });
      if (connection.userId !== undefined && maxPerUser > 0) {
        // The SDK's retry of a transaction whose answer was lost carries the same ClientRequestToken,
        // which DynamoDB answers as the first: that retry does not meet its own item.
        const counted = await counter.countIn({
          userId: connection.userId,
          cap: maxPerUser,
          expiresAt: connection.expiresAt,
          write: (generation) => ({
            Put: { TableName: tableName, Item: { ...toItem(connection), countedIn: generation }, ConditionExpression: 'attribute_not_exists(PK)' },
          }),
        });
        if (counted === 'condition_failed') throw exists();
        return counted === 'full' ? 'full' : 'stored';
      }
      // A single PutItem has no request token: a retry of this very put (its answer lost) meets the
      // item it wrote, told from another writer's by `writeId`: stored, not a conflict.
      const writeId = newWriteId();
      const stored = await writeUnlessConflict(
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...toItem(connection), writeId },
            ConditionExpression: 'attribute_not_exists(PK)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
        writeId,
      );
      if (!stored) throw exists();
      return 'stored';
    },

    async authenticateConnection({ connectionId, identity, tokenExpiresAt, expiresAt, connectedAt, maxPerUser = 0 }) {
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
      if (maxPerUser > 0) {
        // A pending connection counts against its user's cap from now on; one that authenticated
        // meanwhile (a second `auth`) falls through to the refresh below.
        const counted = await counter.countIn({
          userId: identity.userId,
          cap: maxPerUser,
          expiresAt,
          write: (generation) => ({
            Update: {
              TableName: tableName,
              Key: connectionKey(connectionId),
              UpdateExpression: `SET ${[...set, 'countedIn = :countedIn'].join(', ')} REMOVE ${remove.join(', ')}`,
              ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(userId)',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ...values, ':countedIn': generation },
            },
          }),
        });
        if (counted !== 'condition_failed') return counted === 'full' ? 'full' : 'authenticated';
      }
      const authenticated = await ifConditionHolds(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: connectionKey(connectionId),
            UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
            // A pending connection takes any identity; an authenticated one only refreshes its own.
            ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(userId) OR userId = :userId)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
      if (authenticated) return 'authenticated';
      return (await getConnection(connectionId)) ? 'other_user' : 'gone';
    },

    async listOverduePending(shard, { limit = 100, cursor } = {}) {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: USER_INDEX,
          KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK < :before',
          ExpressionAttributeValues: { ':pk': pendingPk(shard), ':before': pendingSk(now(), '') },
          Limit: limit,
          ExclusiveStartKey: decodeCursor(cursor),
        }),
      );
      const items = (result.Items ?? []).map((item): OverdueConnection =>
        item.SK === TOKEN_DEADLINE
          ? { connectionId: item.connectionId as string, reason: 'token_expired', tokenExpiresAt: Number(item.tokenExpiresAt) }
          : { connectionId: item.connectionId as string, reason: 'auth_deadline' },
      );
      return { items, cursor: encodeCursor(result.LastEvaluatedKey) };
    },

    async putTokenDeadline({ connectionId, tokenExpiresAt, expiresAt }) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...tokenDeadlineKey(connectionId),
            GSI1PK: pendingPk(pendingShardOf(connectionId)),
            GSI1SK: pendingSk(tokenExpiresAt, connectionId),
            type: 'token_deadline',
            connectionId,
            tokenExpiresAt,
            ttl: expiresAt,
          },
        }),
      );
    },

    async deleteTokenDeadline(connectionId) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: tokenDeadlineKey(connectionId) }));
    },

    getConnection,

    async deleteConnection(connectionId) {
      const removed = await deleteCounted(connectionId);
      // Left behind, the record would only cost the sweeper a look when the token expires.
      if (removed?.tokenExpiresAt !== undefined) await client.send(new DeleteCommand({ TableName: tableName, Key: tokenDeadlineKey(connectionId) }));
      return removed;
    },


    async listUserConnections(userId, { limit = 100, cursor } = {}) {
      const result = await client.send(new QueryCommand({ ...userConnectionsQuery(userId), Limit: limit, ExclusiveStartKey: decodeCursor(cursor) }));
      return {
        connections: (result.Items ?? []).filter((item) => item.SK === METADATA).map(fromItem),
        cursor: encodeCursor(result.LastEvaluatedKey),
      };
    },

    async listNearCut(shard, acceptedBefore, { limit = 100, cursor } = {}) {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: EVERYONE_INDEX,
          KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK < :before',
          ExpressionAttributeValues: { ':pk': everyonePk(shard), ':before': everyoneSk(acceptedBefore, '') },
          Limit: limit,
          ExclusiveStartKey: decodeCursor(cursor),
        }),
      );
      const items = (result.Items ?? []).map((item) => {
        const sk = item.GSI3SK as string;
        return { connectionId: connectionIdOfEveryoneSk(sk), connectedAt: Number(sk.slice('CONNECTION#'.length, 'CONNECTION#'.length + 13)) };
      });
      return { items, cursor: encodeCursor(result.LastEvaluatedKey) };
    },

    async claimGoaway(connectionId, connectedAt) {
      // A retry of this claim (its answer lost) meets its own claim: still claimed by this sweep.
      const writeId = newWriteId();
      return writeUnlessConflict(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: connectionKey(connectionId),
            // Re-keyed to the end of its shard: still in everyone's audience, out of the next sweep's way.
            UpdateExpression: 'SET goawayAt = :now, GSI3SK = :told, writeId = :writeId',
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(goawayAt)',
            ExpressionAttributeValues: { ':now': now(), ':told': told(connectedAt, connectionId), ':writeId': writeId },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
        writeId,
      );
    },

    async releaseGoaway(connectionId, connectedAt) {
      await ifConditionHolds(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: connectionKey(connectionId),
            UpdateExpression: 'SET GSI3SK = :untold REMOVE goawayAt',
            ConditionExpression: 'attribute_exists(goawayAt)',
            ExpressionAttributeValues: { ':untold': everyoneSk(connectedAt, connectionId) },
          }),
        ),
      );
    },

    async listDead(shard, acceptedBefore, { limit = 100, cursor } = {}) {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: EVERYONE_INDEX,
          KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': everyonePk(shard), ':from': 'CONNECTION#9', ':to': told(acceptedBefore, '') },
          Limit: limit,
          ExclusiveStartKey: decodeCursor(cursor),
        }),
      );
      return { items: (result.Items ?? []).map((item) => connectionIdOfEveryoneSk(item.GSI3SK as string)), cursor: encodeCursor(result.LastEvaluatedKey) };
    },

    repairConnectionCount: (userId) => counter.repair(userId),
  };
}
