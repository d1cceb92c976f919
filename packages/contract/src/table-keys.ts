/**
 * Single-table key layout. `PK=CONNECTION#{id}`, `SK=METADATA` and the GSI1 `USER#{userId}` partition are
 * fixed by the design; see docs/data-model.md.
 */
export const USER_INDEX = 'GSI1';
export const METADATA = 'METADATA';

export const connectionPk = (connectionId: string): string => `CONNECTION#${connectionId}`;
export const userPk = (userId: string): string => `USER#${userId}`;

/** The primary key of a connection item. */
export const connectionKey = (connectionId: string): { PK: string; SK: string } => ({
  PK: connectionPk(connectionId),
  SK: METADATA,
});

/** A user's connection counter (the per-user cap): `USER#{userId}` / `CONNECTIONS`. */
export const connectionCountKey = (userId: string): { PK: string; SK: string } => ({ PK: userPk(userId), SK: 'CONNECTIONS' });

/** Handshakes from one source IP in one fixed window (the optional per-IP limit): `IP#{ip}` / `WINDOW#{n}`. */
export const handshakeCountKey = (sourceIp: string, window: number): { PK: string; SK: string } => ({ PK: `IP#${sourceIp}`, SK: `WINDOW#${window}` });

/**
 * Two-phase connections waiting for `auth` sit in GSI1 under `PENDING#{shard}`, sorted by deadline,
 * so the sweeper finds the overdue ones with a Query per shard. Sharded so one busy stage does not
 * write a single hot index partition.
 */
export const PENDING_SHARDS = 8;
export const pendingPk = (shard: number): string => `PENDING#${shard}`;
export const pendingSk = (deadlineSeconds: number, connectionId: string): string =>
  `DEADLINE#${String(deadlineSeconds).padStart(10, '0')}#${connectionId}`;
export const pendingShardOf = (connectionId: string): number => hashOf(connectionId) % PENDING_SHARDS;

/**
 * When a connection's token expires: a companion item `CONNECTION#{id}` / `TOKEN` in the pending index,
 * `PENDING#{shard}` / `DEADLINE#{exp}#{id}`, so the sweeper's one Query per shard finds both the
 * two-phase connections past their auth deadline and the connections whose token expired.
 */
export const TOKEN_DEADLINE = 'TOKEN';
export const tokenDeadlineKey = (connectionId: string): { PK: string; SK: string } => ({ PK: connectionPk(connectionId), SK: TOKEN_DEADLINE });

/** Connections of a tenant: GSI2 `TENANT#{tenantId}` / `CONNECTION#{id}` (authenticated ones with a tenant). */
export const TENANT_INDEX = 'GSI2';
export const tenantPk = (tenantId: string): string => `TENANT#${tenantId}`;

/**
 * Every authenticated connection: GSI3 `ALL#{shard}` / `CONNECTION#{id}`, sparse (pending two-phase
 * connections are not in it) and sharded like the pending index, so a broadcast pages shard by shard.
 */
export const EVERYONE_INDEX = 'GSI3';
export const EVERYONE_SHARDS = 8;
export const everyonePk = (shard: number): string => `ALL#${shard}`;

/** A stable small hash of a connection id (31-multiplier over UTF-16 units). */
export const hashOf = (text: string): number => {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash;
};
export const everyoneShardOf = (connectionId: string): number => hashOf(connectionId) % EVERYONE_SHARDS;
/** Sorted by when the connection was accepted, so the sweeper finds those near API Gateway's 2-hour cut. */
export const everyoneSk = (connectedAt: number, connectionId: string): string => `CONNECTION#${String(connectedAt).padStart(13, '0')}#${connectionId}`;
export const connectionIdOfEveryoneSk = (sk: string): string => sk.slice(sk.indexOf('#', 'CONNECTION#'.length) + 1);

/** A channel's items share the partition `CHANNEL#{name}`: its head, its log and its subscriptions. */
export const channelPk = (channel: string): string => `CHANNEL#${channel}`;
export const HEAD = 'HEAD';
export const SEQ_DIGITS = 20;
export const logSk = (seq: number): string => `SEQ#${String(seq).padStart(SEQ_DIGITS, '0')}`;
/** A subscription: `CHANNEL#{name}` / `CONNECTION#{id}`, and in GSI1 `CONNECTION#{id}` / `CHANNEL#{name}`. */
export const subscriptionKey = (channel: string, connectionId: string): { PK: string; SK: string } => ({
  PK: channelPk(channel),
  SK: connectionPk(connectionId),
});
/** Remembers which sequence number a message id got, so a redelivered publish is not logged twice. */
export const messageKey = (messageId: string): { PK: string; SK: string } => ({ PK: `MESSAGE#${messageId}`, SK: METADATA });
/** The delivery ledger of one deliver record: the connection ids already served. */
export const deliveryKey = (messageId: string, record: string): { PK: string; SK: string } => ({
  PK: `DELIVERY#${messageId}`,
  SK: `RECORD#${record}`,
});

/** A resumable session: `SESSION#{sessionId}` / `METADATA`, and in GSI1 `USER#{userId}` / `SESSION#{sessionId}`. */
export const SESSION_PREFIX = 'SESSION#';
export const sessionKey = (sessionId: string): { PK: string; SK: string } => ({ PK: `${SESSION_PREFIX}${sessionId}`, SK: METADATA });
export const userSessionSk = (sessionId: string): string => `${SESSION_PREFIX}${sessionId}`;
/**
 * Login and MFA flows (packages/sessions/src/login): a login flow `LOGINFLOW#{flowId}` / `METADATA`
 * and its MFA child `MFAFLOW#{flowId}` / `METADATA`, each naming the other (`mfaFlowId`, `parentFlowId`).
 */
export const loginFlowKey = (flowId: string): { PK: string; SK: string } => ({ PK: `LOGINFLOW#${flowId}`, SK: METADATA });
export const mfaFlowKey = (flowId: string): { PK: string; SK: string } => ({ PK: `MFAFLOW#${flowId}`, SK: METADATA });
/**
 * Failed logins counted per account and per source IP: `LOGIN#{email}` / `FAILURES` (the email the
 * login names, lower-cased: the user id is unknown until the credentials check out) and
 * `IP#{ip}` / `LOGINFAILURES`.
 */
export const loginFailuresKey = (email: string): { PK: string; SK: string } => ({ PK: `LOGIN#${email}`, SK: 'FAILURES' });
export const ipLoginFailuresKey = (sourceIp: string): { PK: string; SK: string } => ({ PK: `IP#${sourceIp}`, SK: 'LOGINFAILURES' });
/** The last TOTP time step a user's code was accepted for (so no code is used twice): `USER#{userId}` / `TOTPSTEP`. */
export const totpStepKey = (userId: string): { PK: string; SK: string } => ({ PK: userPk(userId), SK: 'TOTPSTEP' });
/**
 * User sessions (packages/sessions) share the user's partition: `USER#{userId}` / `USERSESSION#{sessionId}`
 * for each session, read by GetItem and listed by a Query on the partition with the prefix, and one
 * roster item `USER#{userId}` / `USERSESSIONS` naming the live ones with their last use, which every
 * transaction that adds, removes or uses a session updates conditionally (the per-user limit and LRU).
 */
export const USER_SESSION_PREFIX = 'USERSESSION#';
export const userSessionKey = (userId: string, sessionId: string): { PK: string; SK: string } => ({
  PK: userPk(userId),
  SK: `${USER_SESSION_PREFIX}${sessionId}`,
});
export const userSessionRosterKey = (userId: string): { PK: string; SK: string } => ({ PK: userPk(userId), SK: 'USERSESSIONS' });
/** A refresh token's lookup item, keyed by the token's SHA-256 (base64url): `REFRESH#{hash}` / `METADATA`. */
export const refreshTokenKey = (hash: string): { PK: string; SK: string } => ({ PK: `REFRESH#${hash}`, SK: METADATA });
