import type { SQSRecord } from 'aws-lambda';
import { fingerprint, log } from '../log';
import { hashOf } from '../../../packages/contract/src/table-keys';
import { audiencePages } from './audience';
import type { BatchMemory, FanoutContext, FanoutSettings } from './context';
import { toDeadLetter } from './dead-letter';
import { gapFrame, messageFrame, seqOf } from './frames';
import { deliverRecordKey } from './ledger';
import { channelKeyOf, deliverGroupIdOf, payloadBytes, type DeliverRecord, type PublishRecord } from '../../../packages/contract/src/queue-message';
import { MAX_RECORD_BYTES, packRecords, recordBytes, sendBatched, type QueueEntry } from '../../../packages/contract/src/sqs-batch';

/**
 * The deliver records of one frame: per partition, chunks of at most `chunkSize` connection ids,
 * each record within `MAX_RECORD_BYTES` (the rule every writer uses); undefined when the frame does
 * not fit a record even for one connection.
 */
function deliverEntries(
  settings: Pick<FanoutSettings, 'chunkSize'>,
  { id, frame, channelKey, buckets }: { id: string; frame: string; channelKey: string; buckets: string[][] },
): QueueEntry[] | undefined {
  const entries: QueueEntry[] = [];
  for (const [partition, connectionIds] of buckets.entries()) {
    const build = (chunk: string[]): string => JSON.stringify({ v: 1, kind: 'deliver', id, frame, partition, connectionIds: chunk } satisfies DeliverRecord);
    const { records, oversized } = packRecords(connectionIds, build, { maxItems: settings.chunkSize });
    if (oversized.length > 0) return undefined;
    for (const { body, items } of records) entries.push({ body, groupId: deliverGroupIdOf(channelKey, partition), deduplicationId: deliverRecordKey(id, partition, items) });
  }
  return entries;
}

/**
 * Plans one publish record: the sequence number and the log (channels), then the deliver records
 * of its audience, per partition. A payload over `maxPayloadBytes`, or a frame too large for a
 * record, goes to the dead-letter queue (the audience of the latter gets a RESUME_GAP instead).
 *
 * @example
 * await plan(context, { record, publish, batch: { heads: new Map(), audiences: new Map() } });
 */
export async function plan(
  context: Pick<FanoutContext, 'documents' | 'tableName' | 'sqs' | 'channels' | 'settings'>,
  { record, publish, batch }: { record: SQSRecord; publish: PublishRecord; batch: BatchMemory },
): Promise<void> {
  const { documents, tableName, sqs, channels, settings } = context;
  const { id, target } = publish;
  const channelKey = channelKeyOf(target);
  const payload = JSON.stringify(publish.data);
  if (payloadBytes(publish.data) > settings.maxPayloadBytes) {
    await toDeadLetter(context, { record, reason: 'payload_too_large', details: { messageId: id, bytes: payloadBytes(publish.data), limit: settings.maxPayloadBytes } });
    log({ event: 'publish_rejected', level: 'warn', reason: 'payload_too_large', messageId: id }, { DeadLettered: 1 });
    return;
  }
  let frame: string;
  if (target.type === 'connection') {
    frame = messageFrame({ id, payload });
  } else {
    const appended = await channels.append({ channel: channelKey, messageId: id, payload, publishedAt: publish.publishedAt, knownHead: batch.heads.get(channelKey) });
    if (appended.duplicate) batch.heads.delete(channelKey);
    else batch.heads.set(channelKey, appended.seq);
    if (appended.duplicate && appended.planned) {
      log({ event: 'publish_duplicate', messageId: id, seq: appended.seq });
      return;
    }
    frame = messageFrame({ channel: channelKey, seq: appended.seq, id, payload });
  }
  const buckets: string[][] = Array.from({ length: settings.partitions }, () => []);
  let audience = 0;
  // Publishes of one channel in a row (one group, one batch) share one read of the audience; a join
  // in between (the same group: a subscribe or a resume) drops it, so the joined connection is in
  // the audience of every publish planned after it.
  let pages = batch.audiences.get(channelKey);
  if (!pages) {
    pages = [];
    for await (const page of audiencePages({ client: documents, tableName, target })) pages.push(page);
    batch.audiences.set(channelKey, pages);
  }
  for (const page of pages) {
    for (const connectionId of page) {
      buckets[hashOf(connectionId) % settings.partitions]!.push(connectionId);
      audience++;
    }
  }
  let entries = deliverEntries(settings, { id, frame, channelKey, buckets });
  if (!entries) {
    // The frame does not fit a record even for one connection: it goes to the dead-letter queue, and
    // the channel's audience gets a RESUME_GAP naming its sequence number instead.
    const bytes = recordBytes(frame);
    await toDeadLetter(context, { record, reason: 'record_too_large', details: { messageId: id, seq: seqOf(frame), bytes, limit: MAX_RECORD_BYTES } });
    log({ event: 'publish_rejected', level: 'warn', reason: 'record_too_large', messageId: id, bytes }, { DeadLettered: 1 });
    const seq = seqOf(frame);
    entries = seq === undefined ? [] : (deliverEntries(settings, { id, frame: gapFrame(channelKey, seq, seq, 'the message is too large to deliver'), channelKey, buckets }) ?? []);
  }
  await sendBatched(sqs, settings.queueUrl, entries);
  if (target.type !== 'connection') await channels.markPlanned(id);
  log({ event: 'publish', messageId: id, channel: target.type === 'connection' ? undefined : fingerprint(channelKey), target: target.type, audience, records: entries.length }, { Published: 1 });
}
