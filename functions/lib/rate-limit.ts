import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { connectionKey } from './keys';

export interface RateLimit {
  /** Messages allowed per window; 0 turns the limit off. */
  budget: number;
  windowSeconds: number;
}

/** `ok`, over the budget (`limited`), or so far over it (twice the budget) that the connection is closed. */
export type RateVerdict = 'ok' | 'limited' | 'close' | 'unknown_connection';

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
}): Promise<RateVerdict> {
  if (limit.budget === 0) return 'ok';
  const window = Math.floor(nowMs / 1000 / limit.windowSeconds);
  const verdict = (count: number): RateVerdict => (count <= limit.budget ? 'ok' : count <= 2 * limit.budget ? 'limited' : 'close');
  const key = connectionKey(connectionId);
  const values = { ':one': 1, ':window': window };

  /** Counts the message in the current window; undefined when the item is in another window or gone. */
  const increment = async (): Promise<number | undefined> => {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'ADD rateCount :one',
          ConditionExpression: 'rateWindow = :window',
          ExpressionAttributeValues: values,
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.rateCount);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  };

  /** Starts a new window with this message; false when the item is gone or another message won the race. */
  const openWindow = async (): Promise<boolean> => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET rateWindow = :window, rateCount = :one',
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(rateWindow) OR rateWindow <> :window)',
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  const counted = await increment();
  if (counted !== undefined) return verdict(counted);
  if (await openWindow()) return verdict(1);
  const recounted = await increment();
  return recounted === undefined ? 'unknown_connection' : verdict(recounted);
}
