import type { SQSRecord } from 'aws-lambda';
import { log } from '../log';
import { postToConnection, type PostOutcome } from '../push/management-api';
import type { BatchMemory, FanoutContext } from './context';
import { toDeadLetter } from './dead-letter';
import { deliverRecordKey, recordServed, servedOf } from './ledger';
import { messageIdOf } from './frames';
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

/** A message to post: its queue record (for dead letters), id, frame and the connections its ledger holds as served. */
export interface ToPost {
  record: SQSRecord;
  id: string;
  frame: string;
  done: ReadonlySet<string>;
}

/**
 * Posts messages to connections, each connection getting them in order (connections side by side, at
 * most `limit` posts in flight), skipping those a message's ledger holds: a connection stops at a
 * retry (what follows waits for the redelivery) or when it is gone (the rest is handled). Final
 * failures go to the dead-letter queue, one message per message and reason. Returns per message the
 * connections handled, whether none is left to retry, and the counts to log (`logPosted`).
 *
 * @example
 * const [{ handled, complete }] = await postInOrder(context, { messages: [{ record, id, frame, done: new Set() }], connectionIds, limit });
 */
export async function postInOrder(
  context: FanoutContext,
  { messages, connectionIds, limit }: { messages: ToPost[]; connectionIds: readonly string[]; limit: Limit },
): Promise<Posted[]> {
  const results = messages.map(() => ({ handled: [] as string[], goneIds: [] as string[], complete: true, sent: 0, retry: 0, rejected: new Map<string, { status: number | undefined; connectionIds: string[] }>() }));
  await Promise.all(
    connectionIds.map(async (connectionId) => {
      for (let n = 0; n < messages.length; n++) {
        const { frame, done } = messages[n]!;
        if (done.has(connectionId)) continue;
        const outcome = await limit(() => post(context, { connectionId, frame }));
        const result = results[n]!;
        if (outcome.kind === 'retry') {
          for (const later of results.slice(n)) later.complete = false;
          result.retry++;
          return;
        }
        result.handled.push(connectionId);
        if (outcome.kind === 'sent') result.sent++;
        else if (outcome.kind === 'rejected') {
          const entry = result.rejected.get(outcome.reason) ?? { status: outcome.status, connectionIds: [] };
          entry.connectionIds.push(connectionId);
          result.rejected.set(outcome.reason, entry);
        } else {
          result.goneIds.push(connectionId);
          // Gone: the connection's later messages are handled too.
          for (const [m, later] of results.entries()) if (m > n && !messages[m]!.done.has(connectionId)) later.handled.push(connectionId);
          return;
        }
      }
    }),
  );
  for (const [n, result] of results.entries()) {
    const { record, id, frame } = messages[n]!;
    // Final failures go to the dead-letter queue before they are recorded as handled.
    for (const [reason, entry] of result.rejected) {
      await toDeadLetter(context, { record, reason, details: { messageId: id, status: entry.status, connectionIds: entry.connectionIds, frame } });
    }
  }
  return results.map(({ handled, goneIds, complete, sent, retry, rejected }) => ({
    handled,
    goneIds,
    complete,
    sent,
    gone: goneIds.length,
    retry,
    deadLettered: [...rejected.values()].reduce((sum, entry) => sum + entry.connectionIds.length, 0),
  }));
}

/** What `postInOrder` did for one message. */
export interface Posted {
  /** Connections done with (sent, gone, dead-lettered). */
  handled: string[];
  /** Connections found gone (410) on this message's post. */
  goneIds: string[];
  /** No connection is left to retry. */
  complete: boolean;
  sent: number;
  gone: number;
  retry: number;
  deadLettered: number;
}

/** Logs what was posted for one message, with its metrics. */
export function logPosted(posted: Pick<Posted, 'sent' | 'gone' | 'retry' | 'deadLettered'>, fields: Record<string, unknown>): void {
  const { sent, gone, retry, deadLettered } = posted;
  log({ event: 'deliver', ...fields, sent, gone, retry, deadLettered }, { Delivered: sent, StaleConnections: gone, DeliveryRetries: retry, DeadLettered: deadLettered });

}

/**
 * Serves one deliver record of one `frame` (a replay's `frames` are `deliverReplay`'s): posts it to
 * the record's connections not yet in its ledger (`postInOrder`), then records all but the retries
 * as done. False when some post should be tried again later.
 *
 * @example
 * const done = await deliver(context, { record, deliverRecord, limit: createLimiter(16), ledgers });
 */
export async function deliver(
  context: FanoutContext,
  { record, deliverRecord, limit, ledgers }: { record: SQSRecord; deliverRecord: DeliverRecord; limit: Limit; ledgers?: BatchMemory['ledgers'] },
): Promise<boolean> {
  const { id, partition, connectionIds } = deliverRecord;
  const key = deliverRecordKey(id, partition, connectionIds);
  const done = await servedOf(context, { messageId: id, key }, ledgers);
  const [posted] = (await postInOrder(context, { messages: [{ record, id, frame: deliverRecord.frame!, done }], connectionIds, limit })) as [Posted];
  await recordServed(context, { messageId: id, key, done: posted.handled }, ledgers);
  logPosted(posted, { messageId: id, partition, skipped: done.size, receiveCount: Number(record.attributes.ApproximateReceiveCount) });
  return posted.complete;
}

/**
 * Serves a deliver record of several `frames`: a replay's (one connection) or a run's (a channel's
 * messages of one batch, to a chunk of its audience). Each connection gets them in order
 * (`postInOrder`), stopping at a retry or when it is gone; the ledger counts frames by index, and by
 * index and connection where the record has several. A dead letter names the message its frame
 * carries (the record's id for an ack or a gap). False when a post should be tried again later.
 *
 * @example
 * const done = await deliverFrames(context, { record, deliverRecord: { ...deliverRecord, frames }, limit, ledgers });
 */
export async function deliverFrames(
  context: FanoutContext,
  { record, deliverRecord, limit, ledgers }: { record: SQSRecord; deliverRecord: DeliverRecord & { frames: string[] }; limit: Limit; ledgers?: BatchMemory['ledgers'] },
): Promise<boolean> {
  const { id, partition, connectionIds, frames } = deliverRecord;
  const key = deliverRecordKey(id, partition, connectionIds);
  const entry = (index: number, connectionId: string): string => (connectionIds.length === 1 ? String(index) : `${index}:${connectionId}`);
  const done = await servedOf(context, { messageId: id, key }, ledgers);
  const messages = frames.map((frame, index) => ({
    record,
    id: messageIdOf(frame) ?? id,
    frame,
    done: new Set(connectionIds.filter((connectionId) => done.has(entry(index, connectionId)))),
  }));
  const posted = await postInOrder(context, { messages, connectionIds, limit });
  await recordServed(context, { messageId: id, key, done: posted.flatMap(({ handled }, index) => handled.map((connectionId) => entry(index, connectionId))) }, ledgers);
  const sum = (field: 'sent' | 'gone' | 'retry' | 'deadLettered') => posted.reduce((total, counts) => total + counts[field], 0);
  logPosted({ sent: sum('sent'), gone: sum('gone'), retry: sum('retry'), deadLettered: sum('deadLettered') }, { messageId: id, partition, frames: frames.length, receiveCount: Number(record.attributes.ApproximateReceiveCount) });
  return posted.every(({ complete }) => complete);
}
