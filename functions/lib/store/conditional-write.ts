import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/**
 * Awaits a conditional write: its output, or undefined when DynamoDB refused it because its
 * condition did not hold (`ConditionalCheckFailedException`). Any other error is thrown.
 *
 * @example
 * const written = await ifConditionHolds(client.send(new UpdateCommand({ TableName, Key, UpdateExpression, ConditionExpression: 'attribute_exists(PK)' })));
 * if (!written) return 'gone';
 */
export async function ifConditionHolds<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/**
 * True when `error` is a cancelled TransactWriteItems whose item at `index` (its position in
 * `TransactItems`) failed its condition (`ConditionalCheckFailed`).
 *
 * @example
 * if (conditionFailedAt(error, 1)) return 'already_subscribed';
 */
export const conditionFailedAt = (error: unknown, index: number): boolean =>
  error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
