/**
 * A resumable session as the table holds it (docs/data-model.md), and the writes that keep it one:
 * the module's functions and a function of your own (examples/anonymous-resume) create, resume and
 * update sessions with these same requests, so the module goes on managing their lifecycle (detached
 * by the connection's `$disconnect`, expired after the resume window).
 *
 * Each builder returns the input of a `@aws-sdk/lib-dynamodb` command; send it with your own client.
 *
 * @example
 * const { Item } = await documents.send(new GetCommand(getSessionInput(tableName, sessionId)));
 * const session = Item && isLive(Item, nowSeconds) ? sessionOfItem(Item) : undefined;
 */
import { randomBytes } from 'node:crypto';
import type { GetCommandInput, TransactWriteCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { connectionKey, sessionKey, userPk, userSessionSk } from './table-keys';

/** A resumable session: survives its connections for the resume window. */
export interface Session {
  sessionId: string;
  userId: string;
  /** The connection it is linked to while active. */
  connectionId?: string;
  /**
   * `adopted`: a signed-in session took it over (`adopt`); it can neither be resumed nor adopted again.
   * `closed`: its connection was closed by a `disconnect` (eviction, logout, a backend): never resumed again.
   */
  status: 'active' | 'inactive' | 'adopted' | 'closed';
  /** Created by a guest (an anonymous identity): a signed-in session may adopt it. */
  guest?: boolean;
  /** Why it was closed (`closed` sessions): the disconnect's reason, which a refused `resume` is answered with. */
  closedReason?: string;
  /** When its last connection went away, epoch ms (inactive sessions). */
  lastSeen?: number;
  /** Application state (JSON), versioned for optimistic locking. */
  state: unknown;
  version: number;
  /** When the item stops counting, epoch s (also the TTL). */
  expiresAt: number;
}

/** What writing a session's state came to: the new version, a conflict (with the session as it is now), or no such live session. */
export type SetStateResult = { ok: true; version: number } | { ok: false; reason: 'conflict'; current: Session } | { ok: false; reason: 'gone' };

export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** A new session id: 16 random bytes in base64url (22 characters, {@link SESSION_ID_PATTERN}). */
export const newSessionId = (): string => randomBytes(16).toString('base64url');

/**
 * The connection item's attribute naming its session: whoever removes the connection (its
 * `$disconnect`, a 410, the sweeper) makes that session inactive, which starts its resume window.
 */
export const SESSION_LINK = 'wsSession';

/** Whether an item counts at `nowSeconds`: TTL deletes lag, so an item past its `ttl` is absent. */
export const isLive = (item: Record<string, unknown>, nowSeconds: number): boolean => (item.ttl as number) > nowSeconds;

/** The session a session item holds. */
export function sessionOfItem(item: Record<string, unknown>): Session {
  return {
    sessionId: item.sessionId as string,
    userId: item.userId as string,
    connectionId: item.connectionId as string | undefined,
    status: item.status as Session['status'],
    ...(item.guest === true ? { guest: true } : {}),
    lastSeen: item.lastSeen as number | undefined,
    ...(typeof item.closedReason === 'string' ? { closedReason: item.closedReason } : {}),
    state: item.state === undefined ? null : (JSON.parse(item.state as string) as unknown),
    version: item.version as number,
    expiresAt: item.ttl as number,
  };
}

/** Reads a session, consistently. */
export const getSessionInput = (tableName: string, sessionId: string): GetCommandInput => ({ TableName: tableName, Key: sessionKey(sessionId), ConsistentRead: true });

/** The connection's link to its session, only while the connection's item exists. */
const linkInput = (tableName: string, connectionId: string, sessionId: string) => ({
  TableName: tableName,
  Key: connectionKey(connectionId),
  UpdateExpression: `SET ${SESSION_LINK} = :session`,
  ConditionExpression: 'attribute_exists(PK)',
  ExpressionAttributeValues: { ':session': sessionId },
});

/**
 * Creates an active session linked to a connection, in one transaction: the session (new id only) and
 * the connection's link (the connection must exist). `now` is epoch ms, `expiresAt` epoch s. `guest`:
 * the connection's identity is anonymous, and a signed-in session may adopt this one.
 */
export function createSessionInput(
  tableName: string,
  { sessionId, userId, connectionId, expiresAt, now, guest = false }: { sessionId: string; userId: string; connectionId: string; expiresAt: number; now: number; guest?: boolean },
): TransactWriteCommandInput {
  return {
    TransactItems: [
      {
        Put: {
          TableName: tableName,
          Item: {
            ...sessionKey(sessionId),
            GSI1PK: userPk(userId),
            GSI1SK: userSessionSk(sessionId),
            type: 'session',
            sessionId,
            userId,
            connectionId,
            status: 'active',
            createdAt: now,
            version: 0,
            ttl: expiresAt,
            ...(guest ? { guest: true } : {}),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      { Update: linkInput(tableName, connectionId, sessionId) },
    ],
  };
}

/**
 * Resumes a session on a new connection: only for its user, while it has not expired and was not
 * adopted or closed (a failed condition: no such session for this user, or an adopted or closed one). Returns the new item (`ReturnValues: ALL_NEW`); then
 * send {@link linkSessionInput}.
 */
export function attachSessionInput(
  tableName: string,
  { sessionId, userId, connectionId, expiresAt, nowSeconds }: { sessionId: string; userId: string; connectionId: string; expiresAt: number; nowSeconds: number },
): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: sessionKey(sessionId),
    UpdateExpression: 'SET connectionId = :connection, #status = :active, #ttl = :ttl REMOVE lastSeen, GSI3PK, GSI3SK',
    ConditionExpression: 'attribute_exists(PK) AND userId = :user AND #ttl > :now AND NOT (#status IN (:adopted, :closed))',
    ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':connection': connectionId, ':active': 'active', ':ttl': expiresAt, ':user': userId, ':now': nowSeconds, ':adopted': 'adopted', ':closed': 'closed' },
    ReturnValues: 'ALL_NEW',
  };
}

/** Links a connection to the session it resumed (after {@link attachSessionInput} succeeded). */
export const linkSessionInput = (tableName: string, { connectionId, sessionId }: { connectionId: string; sessionId: string }): UpdateCommandInput =>
  linkInput(tableName, connectionId, sessionId);

/**
 * Writes a session's state if its version is still `expectedVersion`, it has not expired and was
 * not adopted or closed (by a disconnect); returns the new version. With `writeId` (a fresh id per write) the item keeps it and a failed condition
 * returns the item (`ReturnValuesOnConditionCheckFailure: ALL_OLD`): an item with that `writeId` means
 * this very write was applied by an attempt whose answer was lost, and the SDK's retry met it.
 */
export function setSessionStateInput(
  tableName: string,
  { sessionId, expectedVersion, state, nowSeconds, writeId }: { sessionId: string; expectedVersion: number; state: unknown; nowSeconds: number; writeId?: string },
): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: sessionKey(sessionId),
    UpdateExpression: writeId === undefined ? 'SET #state = :state, version = :next' : 'SET #state = :state, version = :next, writeId = :writeId',
    ConditionExpression: 'attribute_exists(PK) AND version = :expected AND #ttl > :now AND NOT (#status IN (:adopted, :closed))',
    ExpressionAttributeNames: { '#state': 'state', '#ttl': 'ttl', '#status': 'status' },
    ExpressionAttributeValues: {
      ':adopted': 'adopted',
      ':closed': 'closed',
      ':state': JSON.stringify(state),
      ':next': expectedVersion + 1,
      ':expected': expectedVersion,
      ':now': nowSeconds,
      ...(writeId === undefined ? {} : { ':writeId': writeId }),
    },
    ReturnValues: 'UPDATED_NEW',
    ...(writeId === undefined ? {} : { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }),
  };
}
