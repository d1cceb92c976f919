import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ifConditionHolds } from './conditional-write';
import { connectionKey } from '../../../packages/contract/src/table-keys';

export interface RateLimit {
  /** Messages allowed per window; 0 turns the limit off. */
  budget: number;
  windowSeconds: number;
}

/** `ok`, over the budget (`limited`), or so far over it (twice the budget) that the connection is closed. */
export type RateVerdict = 'ok' | 'limited' | 'close' | 'unknown_connection';

/** The verdict, and the connection's item as the update left it (so callers need not read it again). */
export interface RateResult {
  verdict: RateVerdict;
  item?: Record<string, unknown>;
}

/**
 * Counts a connection's messages in fixed windows on its own item (usually one UpdateItem per
 * message), so the budget holds across every Lambda container serving the connection.
 *
 * @example
 * const verdict = await countMessage({ client, tableName, connectionId, limit: { budget: 100, windowSeconds: 10 }, nowMs: Date.now() });
 */
export async function countMessage({
  client,
  tableName,
  connectionId,
  limit,
  nowMs,
}: {
  client: DynamoDBDocumentClient;
  tableName: string;
  connectionId: string;
  limit: RateLimit;
  nowMs: number;
}): Promise<RateResult> {
  if (limit.budget === 0) return { verdict: 'ok' };
  const window = Math.floor(nowMs / 1000 / limit.windowSeconds);
  const verdict = (item: Record<string, unknown>): RateResult => {
    const count = Number(item.rateCount);
    return { verdict: count <= limit.budget ? 'ok' : count <= 2 * limit.budget ? 'limited' : 'close', item };
  };
  const key = connectionKey(connectionId);
  const values = { ':one': 1, ':window': window };

  /** One conditional update of the connection's item; undefined when the condition does not hold. */
  const update = async (updateExpression: string, conditionExpression: string): Promise<Record<string, unknown> | undefined> => {
    const updated = await ifConditionHolds(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: updateExpression,
          ConditionExpression: conditionExpression,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return updated?.Attributes;
  };
  // Counts the message in the current window; misses when the item is in another window or gone.
  const increment = () => update('ADD rateCount :one', 'rateWindow = :window');
  // Starts a new window with this message; misses when the item is gone or another message opened it first.
  const openWindow = () => update('SET rateWindow = :window, rateCount = :one', 'attribute_exists(PK) AND (attribute_not_exists(rateWindow) OR rateWindow <> :window)');

  const item = (await increment()) ?? (await openWindow()) ?? (await increment());
  return item ? verdict(item) : { verdict: 'unknown_connection' };
}
