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
