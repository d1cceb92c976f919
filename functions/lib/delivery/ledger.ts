import { createHash } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { deliveryKey } from '../../../packages/contract/src/table-keys';
import { nowSeconds } from '../time';
import type { FanoutContext } from './context';

/**
 * A deliver record's identity: its message, partition and connection ids (also its SQS
 * deduplication id, and the key of its delivery ledger).
 *
 * @example
 * deliverRecordKey('m-1', 0, ['c1=', 'c2=']); // 64 hex digits
 */
export const deliverRecordKey = (messageId: string, partition: number, connectionIds: readonly string[]): string =>
  createHash('sha256').update(`${messageId}\n${partition}\n${connectionIds.join(',')}`).digest('hex');

/**
 * What a record's delivery ledger holds as done (connection ids, frame indexes or `answered`), read
 * consistently: a redelivered record skips them.
 *
 * @example
 * const done = await servedOf(context, { messageId: id, key: deliverRecordKey(id, partition, connectionIds) });
 */
export async function servedOf(
  { documents, tableName }: Pick<FanoutContext, 'documents' | 'tableName'>,
  { messageId, key }: { messageId: string; key: string },
): Promise<Set<string>> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: tableName, Key: deliveryKey(messageId, key), ConsistentRead: true, ProjectionExpression: 'done' }),
  );
  return Item?.done instanceof Set ? (Item.done as Set<string>) : new Set();
}

/**
 * Adds to a record's delivery ledger what is done with (nothing written for none); the ledger expires
 * after `ledgerTtlSeconds`.
 *
 * @example
 * await recordServed(context, { messageId: id, key, done: ['c1=', 'c2='] });
 */
export async function recordServed(
  { documents, tableName, settings }: Pick<FanoutContext, 'documents' | 'tableName' | 'settings'>,
  { messageId, key, done }: { messageId: string; key: string; done: string[] },
): Promise<void> {
  if (done.length === 0) return;
  await documents.send(
    new UpdateCommand({
      TableName: tableName,
      Key: deliveryKey(messageId, key),
      UpdateExpression: 'ADD done :ids SET #type = :type, #ttl = :ttl',
      ExpressionAttributeNames: { '#type': 'type', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':ids': new Set(done), ':type': 'delivery', ':ttl': nowSeconds() + settings.ledgerTtlSeconds },
    }),
  );
}
