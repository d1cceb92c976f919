import { createHash } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import type { Appended } from '../channels/channel-store';
import { fingerprint, log } from '../log';
import { hashOf } from '../../../packages/contract/src/table-keys';
import { nowSeconds } from '../time';
import { audiencePages } from './audience';
import type { BatchMemory, FanoutContext, FanoutSettings } from './context';
import { toDeadLetter } from './dead-letter';
import { logPosted, postInOrder, type Limit } from './deliver';
import { gapFrame, messageFrame, seqOf } from './frames';
import { deliverRecordKey, recordServed, servedOf } from './ledger';
import { channelKeyOf, deliverGroupIdOf, payloadBytes, type DeliverRecord, type PublishRecord } from '../../../packages/contract/src/queue-message';
import { MAX_RECORD_BYTES, packRecords, recordBytes, sendBatched, type QueueEntry } from '../../../packages/contract/src/sqs-batch';

/**
 * The most posts one step of work asks for: a step of a one-hop run (its messages × its audience), a
 * deliver record (its frames × its connections). 1,000 is what a run of 10 messages to 100
 * connections asked for before `publishes` records let a batch bring a thousand messages.
 */
export const POST_BUDGET = 1_000;

/**
 * The most frames one step of work posts to one connection. A connection's frames go one after the
 * other (each when the last is answered), so this, not the posts, sets how long a step takes: about
 * 100 × a post's round trip. What a step did is recorded before the next begins.
 */
export const CHAIN_BUDGET = 100;

/**
 * Post round trips one invocation may spend posting in one hop, all its runs together (a run costs
 * its messages × ⌈audience ÷ FANOUT_CONCURRENCY⌉): about 1,000 × a post's round trip, well within
 * the function's timeout. A channel run past what is left goes through deliver records.
 */
export const ROUNDS_PER_INVOCATION = 1_000;

/** The post round trips a one-hop run of `messages` to `audience` connections takes, `concurrency` posts at a time. */
export const roundsOf = (messages: number, audience: number, concurrency: number): number => messages * Math.ceil(Math.max(1, audience) / concurrency);

/** Frames one step posts to each of `connections` connections: within both budgets, at least one. */
export const framesPerStep = (connections: number): number => Math.max(1, Math.min(CHAIN_BUDGET, Math.floor(POST_BUDGET / Math.max(1, connections))));

/** A publish record of a run: the queue record and what it says. */
export interface Publishing {
  record: SQSRecord;
  publish: PublishRecord;
}

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

/** A run's frames in groups of at most half a record (a frame larger goes alone) and at most `maxFrames`. */
function frameGroups(frames: Array<{ id: string; frame: string }>, maxFrames: number): Array<Array<{ id: string; frame: string }>> {
  const groups: Array<Array<{ id: string; frame: string }>> = [];
  let bytes = 0;
  for (const item of frames) {
    const cost = recordBytes(JSON.stringify(item.frame)) + 1;
    const last = groups.at(-1);
    if (last && last.length < maxFrames && bytes + cost <= MAX_RECORD_BYTES / 2) last.push(item);
    else {
      groups.push([item]);
      bytes = 0;
    }
    bytes += cost;
  }
  return groups;
}

/**
 * The deliver records of a run's frames (several messages of one channel) to its audience: per
 * partition, the frames in groups (`frameGroups`: half a record, and `framesPerStep` of the
 * connections a record of the partition holds), each group to the partition's connections in chunks
 * of `chunkSize`, each record within `MAX_RECORD_BYTES`. Records of one partition are in frame
 * order, so each connection gets the run in order. A record's id names its frames (a hash of their
 * message ids), so a run cut differently on a redelivery is another record with its own ledger.
 */
function runEntries(
  settings: Pick<FanoutSettings, 'chunkSize'>,
  { frames, channelKey, buckets }: { frames: Array<{ id: string; frame: string }>; channelKey: string; buckets: string[][] },
): QueueEntry[] {
  const entries: QueueEntry[] = [];
  for (const [partition, connectionIds] of buckets.entries()) {
    if (connectionIds.length === 0) continue;
    const perRecord = Math.min(connectionIds.length, settings.chunkSize);
    for (const group of frameGroups(frames, framesPerStep(perRecord))) {
      const id = group.length === 1 ? group[0]!.id : `run-${createHash('sha256').update(group.map((item) => item.id).join('\n')).digest('hex').slice(0, 40)}`;
      const framesOf = group.map((item) => item.frame);
      const build = (chunk: string[]): string =>
        group.length === 1
          ? JSON.stringify({ v: 1, kind: 'deliver', id, frame: framesOf[0], partition, connectionIds: chunk } satisfies DeliverRecord)
          : JSON.stringify({ v: 1, kind: 'deliver', id, frames: framesOf, partition, connectionIds: chunk } satisfies DeliverRecord);
      // Every frame fits a record with the longest connection id (frameToSend), so nothing is oversized.
      const { records } = packRecords(connectionIds, build, { maxItems: settings.chunkSize });
      for (const { body, items } of records) entries.push({ body, groupId: deliverGroupIdOf(channelKey, partition), deduplicationId: deliverRecordKey(id, partition, items) });
    }
  }
  return entries;
}

/** One message of a run, ready to go out: its frame (a RESUME_GAP where the message cannot fit a record) and what its ledger holds. */
interface Outgoing {
  record: SQSRecord;
  id: string;
  frame: string;
  done: Set<string>;
}

/**
 * The frame a message goes out as: its message frame or, where that cannot fit a deliver record
 * even for one connection, a dead letter `record_too_large` and a RESUME_GAP naming its sequence
 * number in its place (undefined: nothing to send, a message to one connection).
 */
async function frameToSend(
  context: Pick<FanoutContext, 'sqs' | 'settings'>,
  { record, id, frame, channelKey, longest }: { record: SQSRecord; id: string; frame: string; channelKey: string; longest: string },
): Promise<string | undefined> {
  if (deliverEntries(context.settings, { id, frame, channelKey, buckets: [[longest]] })) return frame;
  const bytes = recordBytes(frame);
  const seq = seqOf(frame);
  await toDeadLetter(context, { record, reason: 'record_too_large', details: { messageId: id, seq, bytes, limit: MAX_RECORD_BYTES } });
  log({ event: 'publish_rejected', level: 'warn', reason: 'record_too_large', messageId: id, bytes }, { DeadLettered: 1 });
  return seq === undefined ? undefined : gapFrame(channelKey, seq, seq, 'the message is too large to deliver');
}

/**
 * Plans a run of publish records of one channel (consecutive in its FIFO group, one batch) together:
 * one read of the audience, their sequence numbers and log entries in one transaction, then either
 * - the one-hop path, when the audience is at most `oneHopMax` (and fits one deliver record) and the
 *   channel's earlier messages did not go through deliver records (they could still be queued): every
 *   frame is posted here, in order per connection, in steps of `framesPerStep` messages, and the
 *   ledger of each message is its marker (one write a step);
 * - or deliver records per partition (the two-stage path); the channel's head then says so for the
 *   queue's retention, and the run's markers are marked planned in one write.
 * A payload over `maxPayloadBytes` goes to the dead-letter queue. False when some post should be tried
 * again later (the run is redelivered; its ledger skips what was done).
 *
 * @example
 * const done = await planRun(context, { run: [{ record, publish }], batch, limit });
 */
export async function planRun(context: FanoutContext, { run, batch, limit }: { run: Publishing[]; batch: BatchMemory; limit: Limit }): Promise<boolean> {
  const { documents, tableName, channels, settings } = context;
  const accepted: Publishing[] = [];
  for (const item of run) {
    const { id } = item.publish;
    const bytes = payloadBytes(item.publish.data);
    if (bytes <= settings.maxPayloadBytes) accepted.push(item);
    else {
      await toDeadLetter(context, { record: item.record, reason: 'payload_too_large', details: { messageId: id, bytes, limit: settings.maxPayloadBytes } });
      log({ event: 'publish_rejected', level: 'warn', reason: 'payload_too_large', messageId: id }, { DeadLettered: 1 });
    }
  }
  if (accepted.length === 0) return true;
  const target = accepted[0]!.publish.target;
  const channelKey = channelKeyOf(target);
  // Publishes of one channel in a row (one group, one batch) share one read of the audience; a join
  // in between (the same group: a subscribe or a resume) drops it, so the joined connection is in
  // the audience of every publish planned after it.
  let pages = batch.audiences.get(channelKey);
  if (!pages) {
    pages = [];
    for await (const page of audiencePages({ client: documents, tableName, target })) pages.push(page);
    batch.audiences.set(channelKey, pages);
  }
  const audience = pages.flat();
  // One hop for a small audience, while the invocation has the time for it. The rounds are taken
  // before any await (the invocation's groups plan side by side) and given back if the run does not
  // go one hop after all.
  const rounds = roundsOf(accepted.length, audience.length, settings.concurrency);
  const smallAudience = audience.length <= Math.min(settings.oneHopMax, settings.chunkSize);
  const fitsOne = smallAudience && rounds <= batch.rounds.left;
  if (fitsOne || target.type === 'connection') batch.rounds.left -= rounds;

  let appended: Appended[];
  let direct: boolean;
  let stageFirst: number | undefined;
  if (target.type === 'connection') {
    // A message to one connection: no sequence, no log; its ledger is a delivery ledger of its own.
    appended = accepted.map(({ publish }) => ({ messageId: publish.id, seq: 0, duplicate: false, planned: false, done: new Set<string>() }));
    direct = true;
  } else {
    const now = nowSeconds();
    const result = await channels.append({
      channel: channelKey,
      messages: accepted.map(({ publish }) => ({ messageId: publish.id, payload: JSON.stringify(publish.data), publishedAt: publish.publishedAt })),
      knownHead: batch.heads.get(channelKey),
      // Deliver records of this run may still be queued for as long as the queue keeps messages.
      stageUntil: fitsOne ? undefined : now + settings.ledgerTtlSeconds,
    });
    batch.heads.set(channelKey, result.head);
    appended = result.appended;
    const staged = (result.head.stagedUntil ?? 0) > now;
    direct = fitsOne && !staged;
    // A run of redelivered messages only wrote nothing: when its audience outgrew one hop meanwhile,
    // the head must be told that deliver records are coming (two stages after one hop is safe).
    if (!fitsOne && !staged && appended.every(({ duplicate }) => duplicate)) stageFirst = now + settings.ledgerTtlSeconds;
    if (fitsOne && !direct) batch.rounds.left += rounds;
  }

  const longest = audience.reduce((a, b) => (b.length > a.length ? b : a), '');
  const outgoing: Outgoing[] = [];
  for (const [n, { record, publish }] of accepted.entries()) {
    const { id } = publish;
    const { seq, duplicate, planned, done } = appended[n]!;
    if (duplicate && planned) {
      log({ event: 'publish_duplicate', messageId: id, seq });
      continue;
    }
    const payload = JSON.stringify(publish.data);
    const frame = await frameToSend(context, {
      record,
      id,
      frame: target.type === 'connection' ? messageFrame({ id, payload }) : messageFrame({ channel: channelKey, seq, id, payload }),
      channelKey,
      longest: longest || 'x',
    });
    if (frame !== undefined) outgoing.push({ record, id, frame, done });
  }
  if (target.type === 'connection') {
    // Its ledger is read before posting: no marker tells a redelivered record from a first one.
    for (const message of outgoing) {
      message.done = await servedOf(context, { messageId: message.id, key: deliverRecordKey(message.id, hashOf(target.connectionId) % settings.partitions, audience) }, batch.ledgers);
    }
  }

  let complete = true;
  if (direct) {
    // In steps (`framesPerStep`), each recorded before the next begins, so a consumer cut off (its
    // timeout) keeps what it did; a step not complete ends the run, and what follows waits for the
    // redelivery, in order. A connection found gone is left out of the later steps.
    const step = framesPerStep(audience.length);
    let live = audience;
    for (let start = 0; start < outgoing.length && complete; start += step) {
      const slice = outgoing.slice(start, start + step);
      const served = await postInOrder(context, { messages: slice, connectionIds: live, limit });
      complete = served.every(({ complete }) => complete);
      for (const [n, posted] of served.entries()) logPosted(posted, { messageId: slice[n]!.id, direct: true, receiveCount: Number(slice[n]!.record.attributes.ApproximateReceiveCount) });
      if (target.type === 'connection') {
        for (const [n, { handled }] of served.entries()) {
          const { id } = slice[n]!;
          await recordServed(context, { messageId: id, key: deliverRecordKey(id, hashOf(target.connectionId) % settings.partitions, audience), done: handled }, batch.ledgers);
        }
      } else {
        await channels.recordHandled(served.map(({ handled, complete }, n) => ({ messageId: slice[n]!.id, planned: complete, done: complete ? [] : handled })));
      }
      const gone = new Set(served.flatMap(({ goneIds }) => goneIds));
      if (gone.size > 0) live = live.filter((connectionId) => !gone.has(connectionId));
    }
  } else {
    const entries: QueueEntry[] = [];
    const buckets = (done: ReadonlySet<string>): string[][] => {
      const partitions: string[][] = Array.from({ length: settings.partitions }, () => []);
      for (const connectionId of audience) if (!done.has(connectionId)) partitions[hashOf(connectionId) % settings.partitions]!.push(connectionId);
      return partitions;
    };
    if (outgoing.length > 1 && outgoing.every(({ done }) => done.size === 0)) entries.push(...runEntries(settings, { frames: outgoing.map(({ id, frame }) => ({ id, frame })), channelKey, buckets: buckets(new Set()) }));
    else for (const { id, frame, done } of outgoing) entries.push(...deliverEntries(settings, { id, frame, channelKey, buckets: buckets(done) })!);
    if (stageFirst !== undefined && entries.length > 0) {
      await channels.stage(channelKey, stageFirst);
      const head = batch.heads.get(channelKey);
      if (head) batch.heads.set(channelKey, { ...head, stagedUntil: stageFirst });
    }
    await sendBatched(context.sqs, settings.queueUrl, entries);
    await channels.recordHandled(outgoing.map(({ id }) => ({ messageId: id, planned: true, done: [] })));
  }
  for (const { id } of outgoing) {
    log(
      { event: 'publish', messageId: id, channel: target.type === 'connection' ? undefined : fingerprint(channelKey), target: target.type, audience: audience.length, run: accepted.length, direct, ...(smallAudience && !fitsOne ? { outOfRounds: true } : {}) },
      { Published: 1 },
    );
  }
  return complete;
}
