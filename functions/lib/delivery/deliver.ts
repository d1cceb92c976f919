import type { SQSRecord } from 'aws-lambda';
import { log } from '../log';
import { postToConnection, type PostOutcome } from '../push/management-api';
import type { FanoutContext } from './context';
import { toDeadLetter } from './dead-letter';
import { deliverRecordKey, recordServed, servedOf } from './ledger';
import type { DeliverRecord } from '../../../packages/contract/src/queue-message';

/** Runs a task when one of the limiter's slots is free (see `createLimiter`). */
export type Limit = <R>(task: () => Promise<R>) => Promise<R>;

/**
 * A counting semaphore: `run` waits for one of `permits` slots, so at most that many tasks are in flight.
 *
 * @example
 * const limit = createLimiter(16);
 * await Promise.all(connectionIds.map((connectionId) => limit(() => post(connectionId))));
 */
export function createLimiter(permits: number): Limit {
  let free = permits;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/**
 * Posts a frame to a connection, retrying a 429, 5xx or network error up to `retryAttempts` tries
 * with backoff; a connection found gone is forgotten. Returns the last outcome.
 *
 * @example
 * const outcome = await post(context, { connectionId, frame }); // { kind: 'sent' } …
 */
export async function post(
  { management, forgetConnection, settings, random, sleep }: Pick<FanoutContext, 'management' | 'forgetConnection' | 'settings' | 'random' | 'sleep'>,
  { connectionId, frame }: { connectionId: string; frame: string },
): Promise<PostOutcome> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await postToConnection({ client: management, connectionId, data: frame });
    if (outcome.kind === 'gone') {
      await forgetConnection(connectionId);
      return outcome;
    }
    if (outcome.kind !== 'retry' || attempt >= settings.retryAttempts) return outcome;
    // Exponential backoff with full jitter: many lanes throttled at once spread out.
    await sleep(random() * Math.min(5_000, settings.retryBaseMs * 2 ** attempt));
  }
}

/**
 * Serves one deliver record of one `frame` (a replay's `frames` are `deliverReplay`'s): posts it to the record's connections not yet in its
 * ledger, at most `limit` posts in flight; final failures go to the dead-letter queue, then all but
 * the retries are recorded as done. False when some post should be tried again later.
 *
 * @example
 * const done = await deliver(context, { record, deliverRecord, limit: createLimiter(16) });
 */
export async function deliver(
  context: FanoutContext,
  { record, deliverRecord, limit }: { record: SQSRecord; deliverRecord: DeliverRecord; limit: Limit },
): Promise<boolean> {
  const { id, partition, connectionIds } = deliverRecord;
  const frame = deliverRecord.frame!;
  const key = deliverRecordKey(id, partition, connectionIds);
  const done = await servedOf(context, { messageId: id, key });
  const todo = connectionIds.filter((connectionId) => !done.has(connectionId));
  const outcomes = await Promise.all(todo.map((connectionId) => limit(() => post(context, { connectionId, frame }))));
  const handled: string[] = [];
  const rejected = new Map<string, { status: number | undefined; connectionIds: string[] }>();
  let retry = 0;
  let sent = 0;
  let gone = 0;
  outcomes.forEach((outcome, index) => {
    const connectionId = todo[index]!;
    if (outcome.kind === 'retry') {
      retry++;
      return;
    }
    handled.push(connectionId);
    if (outcome.kind === 'sent') sent++;
    else if (outcome.kind === 'gone') gone++;
    else {
      const entry = rejected.get(outcome.reason) ?? { status: outcome.status, connectionIds: [] };
      entry.connectionIds.push(connectionId);
      rejected.set(outcome.reason, entry);
    }
  });
  // Final failures go to the dead-letter queue before they are recorded as handled.
  for (const [reason, entry] of rejected) {
    await toDeadLetter(context, { record, reason, details: { messageId: id, status: entry.status, connectionIds: entry.connectionIds, frame } });
  }
  await recordServed(context, { messageId: id, key, done: handled });
  const failed = [...rejected.values()].reduce((sum, entry) => sum + entry.connectionIds.length, 0);
  log(
    { event: 'deliver', messageId: id, partition, sent, gone, skipped: connectionIds.length - todo.length, retry, deadLettered: failed, receiveCount: Number(record.attributes.ApproximateReceiveCount) },
    { Delivered: sent, StaleConnections: gone, DeliveryRetries: retry, DeadLettered: failed },
  );
  return retry === 0;
}
