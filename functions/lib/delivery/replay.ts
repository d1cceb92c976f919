import type { SQSRecord } from 'aws-lambda';
import { fingerprint, log } from '../log';
import { errorFrame } from '../../../packages/contract/src/frames';
import { hashOf } from '../../../packages/contract/src/table-keys';
import type { BatchMemory, FanoutContext } from './context';
import { toDeadLetter } from './dead-letter';
import { deliverFrames, type Limit } from './deliver';
import { gapFrame, messageFrame, seqOf } from './frames';
import { deliverRecordKey } from './ledger';
import { deliverGroupIdOf, type DeliverRecord, type JoinRecord } from '../../../packages/contract/src/queue-message';
import { nowSeconds } from '../time';
import { MAX_RECORD_BYTES, packRecords, recordBytes, sendBatched, type QueueEntry } from '../../../packages/contract/src/sqs-batch';

/**
 * The deliver records of a join's frames (the ack, gaps, the replay) to its one connection, in order,
 * each within `MAX_RECORD_BYTES`. A frame too large for a record even alone is replaced by a
 * RESUME_GAP naming its sequence number, and reported.
 */
function replayEntries({ id, connectionId, channel, partition, frames }: { id: string; connectionId: string; channel: string; partition: number; frames: string[] }): {
  entries: QueueEntry[];
  oversized: Array<{ seq: number | undefined; bytes: number }>;
} {
  // Bodies are measured with the longest record id they can get, then written with their own.
  const build = (chunk: string[], recordId = `${id}-${'9'.repeat(String(frames.length).length)}`): string =>
    JSON.stringify({ v: 1, kind: 'deliver', id: recordId, frames: chunk, partition, connectionIds: [connectionId] } satisfies DeliverRecord);
  let packed = packRecords(frames, (chunk) => build(chunk));
  const oversized = packed.oversized.map(({ item }) => ({ seq: seqOf(item), bytes: recordBytes(item) }));
  if (packed.oversized.length > 0) {
    const replaced = [...frames];
    for (const { item, index } of packed.oversized) {
      const seq = seqOf(item);
      replaced[index] = seq === undefined ? JSON.stringify(errorFrame({ code: 'INTERNAL', message: 'a frame too large to deliver was dropped' })) : gapFrame(channel, seq, seq, 'the message is too large to deliver');
    }
    packed = packRecords(replaced, (chunk) => build(chunk));
  }
  const entries = packed.records.map(({ items }, n) => {
    const recordId = `${id}-${n}`;
    return { body: build(items, recordId), groupId: deliverGroupIdOf(channel, partition), deduplicationId: deliverRecordKey(recordId, partition, [connectionId]) };
  });
  return { entries, oversized };
}

/**
 * A connection joins a channel (a `subscribe`, or a channel of a `resume`). Handled in the channel's
 * group, in order with its publishes: after the subscription, everything later reaches the
 * connection live; the ack (seq = the head now) and the log from `after` up to that head go to it
 * in deliver records of the connection's partition group, so they are posted before any later live
 * message of the channel. At most `limit` log entries are replayed; a RESUME_GAP names the rest.
 * While the channel's messages take the one-hop path (plan.ts), later messages are posted by the
 * planner itself, so the join posts its frames here too, in the same records' order and with their
 * ledgers. False when a post should be tried again later (the join is redelivered).
 *
 * @example
 * const done = await join(context, { record, joinRecord, batch, limit });
 */
export async function join(
  context: FanoutContext,
  { record, joinRecord, batch, limit: posts }: { record: SQSRecord; joinRecord: JoinRecord; batch: BatchMemory; limit: Limit },
): Promise<boolean> {
  const { sqs, channels, settings } = context;
  const { id, connectionId, channel, after, limit, ack } = joinRecord;
  batch.audiences.delete(channel);
  const frames: string[] = [];
  // A resume's join subscribes here; a `subscribe` wrote its subscription before enqueueing the join.
  if (joinRecord.subscribe) {
    const outcome = await channels.subscribe({ channel, connectionId, expiresAt: joinRecord.expiresAt, maxSubscriptions: joinRecord.maxSubscriptions });
    if (outcome === 'gone') return true;
  }
  const state = await channels.headOf(channel);
  const head = state.seq;
  batch.heads.set(channel, state);
  const staged = (state.stagedUntil ?? 0) > nowSeconds();
  if (ack) frames.push(JSON.stringify({ type: 'ack', action: 'subscribe', ...(ack.id === undefined ? {} : { id: ack.id }), channel, seq: head }));
  let replayed = 0;
  let gaps = 0;
  if (after !== undefined && head > after) {
    const entries = (limit > 0 ? await channels.readLog(channel, after, Math.min(head - after, limit)) : []).filter((entry) => entry.seq <= head);
    const first = entries[0]?.seq ?? head + 1;
    if (entries.length > 0 && first > after + 1) {
      frames.push(gapFrame(channel, after + 1, first - 1, 'the channel log no longer reaches back that far', ack?.id));
      gaps++;
    }
    for (const entry of entries) frames.push(messageFrame({ channel, seq: entry.seq, id: entry.id, payload: entry.payload }));
    const last = entries.at(-1)?.seq ?? after;
    if (last < head) {
      const why = entries.length < limit && limit > 0 ? 'the channel log no longer reaches back that far' : `at most ${limit} messages are replayed per request: subscribe with "since" to read on`;
      frames.push(gapFrame(channel, last + 1, head, why, ack?.id));
      gaps++;
    }
    replayed = entries.length;
  }
  if (frames.length > 0) {
    const queued = replayEntries({ id, connectionId, channel, partition: hashOf(connectionId) % settings.partitions, frames });
    for (const { seq, bytes } of queued.oversized) {
      await toDeadLetter(context, { record, reason: 'record_too_large', details: { messageId: id, channel: fingerprint(channel), seq, connectionIds: [connectionId], bytes, limit: MAX_RECORD_BYTES } });
    }
    if (staged) await sendBatched(sqs, settings.queueUrl, queued.entries);
    else {
      for (const { body } of queued.entries) {
        const deliverRecord = JSON.parse(body) as DeliverRecord & { frames: string[] };
        if (!(await deliverFrames(context, { record, deliverRecord, limit: posts, ledgers: batch.ledgers }))) return false;
      }
    }
  }
  log({ event: 'join', connectionId, channel: fingerprint(channel), after, head, replayed, gaps, limit, ack: ack !== undefined, direct: !staged }, gaps > 0 ? { ResumeGaps: gaps } : undefined);
  return true;
}
