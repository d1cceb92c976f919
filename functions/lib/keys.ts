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

/**
 * Two-phase connections waiting for `auth` sit in GSI1 under `PENDING#{shard}`, sorted by deadline,
 * so the sweeper finds the overdue ones with a Query per shard. Sharded so one busy stage does not
 * write a single hot index partition.
 */
export const PENDING_SHARDS = 8;
export const pendingPk = (shard: number): string => `PENDING#${shard}`;
export const pendingSk = (deadlineSeconds: number, connectionId: string): string =>
  `DEADLINE#${String(deadlineSeconds).padStart(10, '0')}#${connectionId}`;
export const pendingShardOf = (connectionId: string): number => {
  let hash = 0;
  for (const char of connectionId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % PENDING_SHARDS;
};
