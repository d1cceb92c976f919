import { createHmac, timingSafeEqual } from 'node:crypto';
import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, ifConditionHolds, newWriteId, writeUnlessConflict } from '../store/conditional-write';
import { adoptSessionInput } from './adopt';
import { EVERYONE_INDEX, hashOf, sessionKey } from '../../../packages/contract/src/table-keys';
import {
  attachSessionInput,
  createSessionInput,
  getSessionInput,
  isLive,
  linkSessionInput,
  newSessionId,
  sessionOfItem,
  setSessionStateInput,
  type Session,
  type SetStateResult,
} from '../../../packages/contract/src/session-item';

/** Inactive sessions sit in GSI3 under `EXPIRING#{shard}`, sorted by when they expire, for the sweeper. */
export const EXPIRING_SHARDS = 8;
const expiringPk = (shard: number): string => `EXPIRING#${shard}`;
const expiringSk = (expiresAt: number, sessionId: string): string => `AT#${String(expiresAt).padStart(10, '0')}#${sessionId}`;

/**
 * The resume token of a session: an HMAC over the session id and its user, so it cannot be forged
 * without the key and is worth nothing for another user (an anonymous id alone takes over nothing).
 */
export function resumeToken(key: Buffer, userId: string, sessionId: string): string {
  return createHmac('sha256', key).update(`ws-sessions resume v1\n${userId}\n${sessionId}`).digest('base64url');
}

/** A resume token's shape: an HMAC-SHA256 in base64url, 43 characters. */
const RESUME_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Compares in constant time; anything not shaped like a token is false, never an exception. */
export function checkResumeToken(key: Buffer, userId: string, sessionId: string, token: unknown): boolean {
  if (typeof token !== 'string' || !RESUME_TOKEN_PATTERN.test(token)) return false;
  const expected = Buffer.from(resumeToken(key, userId, sessionId), 'ascii');
  const given = Buffer.from(token, 'ascii');
  // timingSafeEqual throws on buffers of different lengths.
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface SessionStore {
  /** A new active session linked to the connection (one transaction: the session, the connection's link); `guest` for an anonymous identity's. */
  create(params: { userId: string; connectionId: string; expiresAt: number; now: number; guest?: boolean }): Promise<Session>;
  /** The session, or undefined when absent or past its TTL. */
  get(sessionId: string, nowSeconds: number): Promise<Session | undefined>;
  /** Links the session to a new connection (resume): only for its user and while it has not expired. */
  attach(params: { sessionId: string; userId: string; connectionId: string; expiresAt: number; nowSeconds: number }): Promise<Session | undefined>;
  /** Marks it inactive when its connection goes away (only if still linked to that connection). */
  detach(params: { sessionId: string; connectionId: string; lastSeen: number; expiresAt: number }): Promise<boolean>;
  /**
   * A signed-in session takes over a guest session (one transaction, see `adoptSessionInput`): false
   * when a condition failed (the guest session moved, was adopted or is gone, or this one moved) and
   * nothing was written.
   */
  adopt(params: Parameters<typeof adoptSessionInput>[1]): Promise<boolean>;
  /**
   * Closes the session of a connection that a `disconnect` closes (only while linked to that
   * connection): `closed` with the reason, its state dropped, out of the user's index, kept until
   * `expiresAt` (the resume window) so a `resume` of it is refused with the reason, then purged like
   * an expired one. False when it was not linked to the connection (closed already, resumed elsewhere).
   */
  close(params: { sessionId: string; connectionId: string; reason: string; expiresAt: number }): Promise<boolean>;
  /** Writes the state if the version is still `expectedVersion`. */
  setState(params: { sessionId: string; expectedVersion: number; state: unknown; nowSeconds: number }): Promise<SetStateResult>;
  /** Deletes the session if it is inactive (or closed) and expired by `nowSeconds`; true when it did. */
  purgeIfExpired(sessionId: string, nowSeconds: number): Promise<boolean>;
  /** Inactive and closed sessions expired by `nowSeconds`, from one shard. */
  listExpired(shard: number, nowSeconds: number, limit?: number): Promise<string[]>;
}

/**
 * The session half of the single table (docs/data-model.md).
 *
 * @example
 * const sessions = createSessionStore({ client: createDocumentClient(), tableName });
 */
export function createSessionStore({ client, tableName }: { client: DynamoDBDocumentClient; tableName: string }): SessionStore {
  const get = async (sessionId: string, nowSeconds: number): Promise<Session | undefined> => {
    const { Item } = await client.send(new GetCommand(getSessionInput(tableName, sessionId)));
    return Item && isLive(Item, nowSeconds) ? sessionOfItem(Item) : undefined;
  };

  return {
    get,

    async create({ userId, connectionId, expiresAt, now, guest = false }) {
      const sessionId = newSessionId();
      await client.send(new TransactWriteCommand(createSessionInput(tableName, { sessionId, userId, connectionId, expiresAt, now, guest })));
      return { sessionId, userId, connectionId, status: 'active', state: null, version: 0, expiresAt, ...(guest ? { guest } : {}) };
    },

    async adopt(params) {
      try {
        await client.send(new TransactWriteCommand(adoptSessionInput(tableName, params)));
        return true;
      } catch (error) {
        if (cancellationReasons(error)?.some((reason) => reason.Code === 'ConditionalCheckFailed')) return false;
        throw error;
      }
    },

    async attach({ sessionId, userId, connectionId, expiresAt, nowSeconds }) {
      const attached = await ifConditionHolds(client.send(new UpdateCommand(attachSessionInput(tableName, { sessionId, userId, connectionId, expiresAt, nowSeconds }))));
      if (!attached) return undefined;
      // Only once the session is ours: the connection's link to it (its $disconnect detaches it).
      const linked = await ifConditionHolds(client.send(new UpdateCommand(linkSessionInput(tableName, { connectionId, sessionId }))));
      return linked && attached.Attributes ? sessionOfItem(attached.Attributes) : undefined;
    },

    async detach({ sessionId, connectionId, lastSeen, expiresAt }) {
      const shard = hashOf(sessionId) % EXPIRING_SHARDS;
      // A retry of this detach (its answer lost) meets its own write: detached by this removal.
      const writeId = newWriteId();
      return writeUnlessConflict(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: sessionKey(sessionId),
            UpdateExpression: 'SET #status = :inactive, lastSeen = :lastSeen, #ttl = :ttl, GSI3PK = :pk, GSI3SK = :sk, writeId = :writeId REMOVE connectionId',
            ConditionExpression: 'connectionId = :connection',
            ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':inactive': 'inactive',
              ':lastSeen': lastSeen,
              ':ttl': expiresAt,
              ':pk': expiringPk(shard),
              ':sk': expiringSk(expiresAt, sessionId),
              ':connection': connectionId,
              ':writeId': writeId,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
        writeId,
      );
    },

    async close({ sessionId, connectionId, reason, expiresAt }) {
      const shard = hashOf(sessionId) % EXPIRING_SHARDS;
      const closed = await ifConditionHolds(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: sessionKey(sessionId),
            UpdateExpression: 'SET #status = :closed, closedReason = :reason, #ttl = :ttl, GSI3PK = :pk, GSI3SK = :sk REMOVE connectionId, #state, GSI1PK, GSI1SK',
            ConditionExpression: 'connectionId = :connection',
            ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl', '#state': 'state' },
            ExpressionAttributeValues: { ':closed': 'closed', ':reason': reason, ':ttl': expiresAt, ':pk': expiringPk(shard), ':sk': expiringSk(expiresAt, sessionId), ':connection': connectionId },
          }),
        ),
      );
      return closed !== undefined;
    },

    async setState({ sessionId, expectedVersion, state, nowSeconds }) {
      // A retry of this write (its answer lost) meets the version it wrote: written, not a conflict.
      const writeId = newWriteId();
      const written = await writeUnlessConflict(client.send(new UpdateCommand(setSessionStateInput(tableName, { sessionId, expectedVersion, state, nowSeconds, writeId }))), writeId);
      if (written) return { ok: true, version: expectedVersion + 1 };
      const current = await get(sessionId, nowSeconds);
      return current ? { ok: false, reason: 'conflict', current } : { ok: false, reason: 'gone' };
    },

    async purgeIfExpired(sessionId, nowSeconds) {
      const purged = await ifConditionHolds(
        client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: sessionKey(sessionId),
            ConditionExpression: '#status IN (:inactive, :closed) AND #ttl <= :now',
            ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':inactive': 'inactive', ':closed': 'closed', ':now': nowSeconds },
          }),
        ),
      );
      return purged !== undefined;
    },

    async listExpired(shard, nowSeconds, limit = 100) {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: EVERYONE_INDEX,
          KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK <= :until',
          ExpressionAttributeValues: { ':pk': expiringPk(shard), ':until': expiringSk(nowSeconds, '~') },
          Limit: limit,
        }),
      );
      return (result.Items ?? []).map((item) => (item.PK as string).slice('SESSION#'.length));
    },
  };
}
