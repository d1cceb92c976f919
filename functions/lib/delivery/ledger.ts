import { createHash } from 'node:crypto';
import { BatchGetCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

/** A ledger to read: the message and the record key (`deliverRecordKey`). */
export interface LedgerRef {
  messageId: string;
  key: string;
}

/**
 * The ledgers of one invocation's records, read ahead together (`readLedgers`) and kept up to date
 * by `recordServed`: what each holds as done, an empty set for none yet.
 */
export type Ledgers = Map<string, Set<string>>;

const ledgerId = ({ messageId, key }: LedgerRef): string => `${messageId}\n${key}`;

/** BatchGetItem reads at most 100 keys a request. */
const BATCH_GET_KEYS = 100;
/** Requests per part of `readLedgers` before the keys DynamoDB left unprocessed are left to `servedOf`. */
const BATCH_GET_TRIES = 3;
/** The wait before asking again for unprocessed keys (a throttle), doubled each time. */
const BATCH_GET_BACKOFF_MS = 25;

/**
 * Reads the ledgers of the records one invocation will serve, up to 100 in one consistent
 * BatchGetItem (a record of the invocation is served by it alone: its FIFO group waits), instead of
 * one GetItem a record. Keys DynamoDB leaves unprocessed (a throttle) are asked for again after a
 * backoff; those left after a few tries are left out, and `servedOf` reads them one by one.
 *
 * @example
 * const ledgers = await readLedgers(context, [{ messageId: id, key: deliverRecordKey(id, partition, connectionIds) }]);
 */
export async function readLedgers(
  { documents, tableName, sleep }: Pick<FanoutContext, 'documents' | 'tableName' | 'sleep'>,
  refs: readonly LedgerRef[],
): Promise<Ledgers> {
  const ledgers: Ledgers = new Map();
  const itemOf = (key: Record<string, unknown>): string => `${String(key.PK)}\n${String(key.SK)}`;
  // Each ledger item once, by its key, with the ledger it answers for.
  const wanted = new Map<string, string>();
  const keysOf: Array<Record<string, unknown>> = [];
  for (const ref of refs) {
    const key = deliveryKey(ref.messageId, ref.key);
    if (wanted.has(itemOf(key))) continue;
    wanted.set(itemOf(key), ledgerId(ref));
    keysOf.push(key);
  }
  for (let start = 0; start < keysOf.length; start += BATCH_GET_KEYS) {
    let keys = keysOf.slice(start, start + BATCH_GET_KEYS);
    for (let tries = 0; keys.length > 0 && tries < BATCH_GET_TRIES; tries++) {
      if (tries > 0) await sleep(BATCH_GET_BACKOFF_MS * 2 ** (tries - 1));
      const { Responses, UnprocessedKeys } = await documents.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'PK, SK, done' } } }),
      );
      const found = new Map((Responses?.[tableName] ?? []).map((item) => [itemOf(item), item.done instanceof Set ? new Set(item.done as Set<string>) : new Set<string>()]));
      const unprocessed = UnprocessedKeys?.[tableName]?.Keys ?? [];
      const left = new Set(unprocessed.map(itemOf));
      // A key asked for and not left unprocessed was read: found, or no ledger yet.
      for (const key of keys) if (!left.has(itemOf(key))) ledgers.set(wanted.get(itemOf(key))!, found.get(itemOf(key)) ?? new Set());
      keys = unprocessed;
    }
  }
  return ledgers;
}

/**
 * What a record's delivery ledger holds as done (connection ids, frame indexes or `answered`): from
 * the ledgers read ahead when they hold it, else read consistently. A redelivered record skips them.
 *
 * @example
 * const done = await servedOf(context, { messageId: id, key: deliverRecordKey(id, partition, connectionIds) }, ledgers);
 */
export async function servedOf(
  { documents, tableName }: Pick<FanoutContext, 'documents' | 'tableName'>,
  { messageId, key }: LedgerRef,
  ledgers?: Ledgers,
): Promise<Set<string>> {
  const known = ledgers?.get(ledgerId({ messageId, key }));
  if (known) return new Set(known);
  const { Item } = await documents.send(
    new GetCommand({ TableName: tableName, Key: deliveryKey(messageId, key), ConsistentRead: true, ProjectionExpression: 'done' }),
  );
  return Item?.done instanceof Set ? (Item.done as Set<string>) : new Set();
}

/**
 * Adds to a record's delivery ledger what is done with (nothing written for none), and to the
 * ledgers read ahead when they hold it; the ledger expires after `ledgerTtlSeconds`.
 *
 * @example
 * await recordServed(context, { messageId: id, key, done: ['c1=', 'c2='] }, ledgers);
 */
export async function recordServed(
  { documents, tableName, settings }: Pick<FanoutContext, 'documents' | 'tableName' | 'settings'>,
  { messageId, key, done }: LedgerRef & { done: string[] },
  ledgers?: Ledgers,
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
  const known = ledgers?.get(ledgerId({ messageId, key }));
  if (known) for (const entry of done) known.add(entry);
}
