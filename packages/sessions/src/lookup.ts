import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../../functions/lib/store/dynamo';
import { toSession } from './store/items';
import { readLiveItem } from './store/read';
import type { SessionRef, UserSession } from './types';
import { checkRef } from './validate';

/** Whether a user session is live: the session, or undefined when it was deleted, evicted, revoked or has expired. */
export type SessionLookup = (ref: SessionRef) => Promise<UserSession | undefined>;

/**
 * The service's read (`get`) straight from DynamoDB, without its cache and without Redis (so a function that only checks sessions
 * does not carry `ioredis`): one strongly consistent GetItem of `USER#{userId}` / `USERSESSION#{sessionId}`;
 * an expired session reads as absent. Invalid ids are a `SessionValidationError`; nothing is written.
 *
 * @example
 * const lookup = createSessionLookup({ tableName: process.env.TABLE_NAME! });
 * const live = (await lookup({ userId: 'user-7', sessionId })) !== undefined;
 */
export function createSessionLookup(options: { tableName: string; client?: DynamoDBDocumentClient; nowMs?: () => number }): SessionLookup {
  const context = { client: options.client ?? createDocumentClient(), tableName: options.tableName, nowMs: options.nowMs ?? (() => Date.now()) };
  return async (ref) => {
    const item = await readLiveItem(context, checkRef(ref));
    return item && toSession(item);
  };
}
