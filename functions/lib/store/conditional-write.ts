import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';

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
export const conditionFailedAt = (error: unknown, index: number): boolean => cancellationReasons(error)?.[index]?.Code === 'ConditionalCheckFailed';


/**
 * A fresh id for a conditional write to store in its item as `writeId`. A write whose answer was lost
 * (applied by DynamoDB, but the attempt timed out or its socket dropped) is retried by the SDK, and the
 * retry fails its own condition on the item it wrote; the id tells that item from another writer's.
 *
 * @example
 * const writeId = newWriteId();
 * await client.send(new PutCommand({ TableName, Item: { ...item, writeId }, ConditionExpression: 'attribute_not_exists(PK)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
 */
export const newWriteId = (): string => randomUUID();

/** The `writeId` of an item returned with a failed condition (raw attribute values: the document client does not unmarshal errors). */
const writeIdOf = (item: Record<string, AttributeValue> | undefined): string | undefined => item?.writeId?.S;

/**
 * Awaits a conditional write that stores `writeId` in its item and asks for the item on a failed
 * condition (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`): true when it was written, by this
 * attempt or by an earlier one of the same request whose answer was lost ({@link metOwnWrite}); false
 * when its condition failed on another writer's item. Any other error is thrown.
 *
 * @example
 * const writeId = newWriteId();
 * const claimed = await writeUnlessConflict(client.send(new UpdateCommand({ …, UpdateExpression: 'SET goawayAt = :now, writeId = :writeId', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })), writeId);
 */
export async function writeUnlessConflict(write: Promise<unknown>, writeId: string): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (metOwnWrite(error, writeId)) return true;
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * True when `error` is a failed condition (`ConditionalCheckFailedException`) that met the item this
 * very request wrote (its `writeId`): the write was applied, its answer lost, and the SDK's retry of
 * it failed on it. The write must ask for the item (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`).
 * (A TransactWriteItems needs no such check: the SDK's retries carry its `ClientRequestToken`.)
 *
 * @example
 * if (metOwnWrite(error, writeId)) return 'stored';
 */
export function metOwnWrite(error: unknown, writeId: string): boolean {
  return error instanceof ConditionalCheckFailedException && writeIdOf(error.Item) === writeId;
}

/**
 * The reasons of a cancelled TransactWriteItems, one per item of `TransactItems` in order (an item
 * written with `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'` brings back what failed its
 * condition, as DynamoDB's attribute values); undefined for any other error.
 *
 * @example
 * const reasons = cancellationReasons(error);
 * if (reasons?.[0]?.Item) console.log(unmarshall(reasons[0].Item));
 */
export const cancellationReasons = (error: unknown): TransactionCanceledException['CancellationReasons'] =>
  error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : undefined;
