import { createHash } from 'node:crypto';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { audiencePages } from './audience';
import type { ChannelStore } from '../channels/channel-store';
import { deliveryKey, hashOf } from '../store/table-keys';
import { fingerprint, log } from '../log';
import { errorFrame, type ErrorFrame } from '../protocol/frames';
import { postToConnection, type PostOutcome } from '../push/management-api';
import {
  channelKeyOf,
  deliverGroupIdOf,
  joinEntry,
  parseQueueRecord,
  payloadBytes,
  type DeliverRecord,
  type JoinRecord,
  type PublishRecord,
  type ResumeRecord,
} from './queue-message';
import { MAX_RECORD_BYTES, fitsRecord, packRecords, recordBytes, sendBatched, type QueueEntry } from './sqs-batch';
import { nowSeconds } from '../time';

export interface FanoutSettings {
  queueUrl: string;
  deadLetterQueueUrl: string;
  /** Posts in flight per invocation. */
  concurrency: number;
  /** Connection ids per deliver record. */
  chunkSize: number;
  /** Deliver groups per channel. */
  partitions: number;
  /** Tries per post on 429, 5xx or a network error. */
  retryAttempts: number;
  /** The first backoff; each retry doubles the ceiling, and the wait is drawn below it (full jitter). */
  retryBaseMs: number;
  maxPayloadBytes: number;
  /** How long a delivery ledger is kept (the queue's retention). */
  ledgerTtlSeconds: number;
}

export interface FanoutDeps {
  documents: DynamoDBDocumentClient;
  tableName: string;
  sqs: SQSClient;
  management: ApiGatewayManagementApiClient;
  channels: ChannelStore;
  /** Deletes a connection that is gone (its item and subscriptions). */
  forgetConnection: (connectionId: string) => Promise<void>;
  settings: FanoutSettings;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A counting semaphore: `run` waits for one of `permits` slots, so at most that many tasks are in flight. */
export function createLimiter(permits: number): <R>(task: () => Promise<R>) => Promise<R> {
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

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A deliver record's identity: its message, partition and connection ids (also its SQS deduplication id). */
export const deliverRecordKey = (messageId: string, partition: number, connectionIds: readonly string[]): string =>
  sha256(`${messageId}\n${partition}\n${connectionIds.join(',')}`);

/** The frame a channel message is posted as; `data` is the published JSON text, untouched. */
export function messageFrame({ channel, seq, id, payload }: { channel?: string; seq?: number; id: string; payload: string }): string {
  const head = channel === undefined ? '' : `"channel":${JSON.stringify(channel)},"seq":${seq},`;
  return `{"type":"message",${head}"id":${JSON.stringify(id)},"data":${payload}}`;
}

/** A RESUME_GAP frame naming the sequence numbers `from`…`to` of a channel the connection will not get. */
const gapFrame = (channel: string, from: number, to: number, message: string, id?: ErrorFrame['id']): string =>
  JSON.stringify(errorFrame({ code: 'RESUME_GAP', message, id, channel, lost: { from, to } }));

const seqOf = (frame: string): number | undefined => {
  const match = /^\{"type":"message","channel":(?:"(?:[^"\\]|\\.)*"),"seq":(\d+),/.exec(frame);
  return match ? Number(match[1]) : undefined;
};

/**
 * A dead letter's body within one record: where it would be larger, its big text fields (`frame`,
 * `body`) keep a prefix and say so.
 */
export function deadLetterBody(fields: Record<string, unknown>): string {
  const body = JSON.stringify(fields);
  if (fitsRecord(body)) return body;
  const cut: Record<string, unknown> = { ...fields, truncated: true };
  for (const name of ['frame', 'body']) {
    const value = cut[name];
    if (typeof value === 'string') cut[name] = Buffer.from(value, 'utf8').subarray(0, 16_384).toString('utf8');
  }
  if (Array.isArray(cut.connectionIds) && cut.connectionIds.length > 100) cut.connectionIds = cut.connectionIds.slice(0, 100);
  return JSON.stringify(cut);
}

/**
 * The deliver records of one frame: per partition, chunks of at most `chunkSize` connection ids,
 * each record within `MAX_RECORD_BYTES` (the rule every writer uses); undefined when the frame does
 * not fit a record even for one connection.
 */
function deliverEntriesOf(settings: Pick<FanoutSettings, 'chunkSize'>) {
  return ({ id, frame, channelKey, buckets }: { id: string; frame: string; channelKey: string; buckets: string[][] }): QueueEntry[] | undefined => {
    const entries: QueueEntry[] = [];
    for (const [partition, connectionIds] of buckets.entries()) {
      const build = (chunk: string[]): string => JSON.stringify({ v: 1, kind: 'deliver', id, frame, partition, connectionIds: chunk } satisfies DeliverRecord);
      const { records, oversized } = packRecords(connectionIds, build, { maxItems: settings.chunkSize });
      if (oversized.length > 0) return undefined;
      for (const { body, items } of records) entries.push({ body, groupId: deliverGroupIdOf(channelKey, partition), deduplicationId: deliverRecordKey(id, partition, items) });
    }
    return entries;
  };
}

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
 * The fan-out consumer: plans `publish` records (sequence number, log, audience → deliver records)
 * and serves `deliver` records (posts with bounded concurrency, a ledger against redelivery). Records
 * of one message group are handled in order and, after a failure, the rest of that group is reported
 * failed too (FIFO); groups run in parallel. Returns the partial batch response.
 */
export function createFanout(deps: FanoutDeps): { handle(event: SQSEvent): Promise<SQSBatchResponse> } {
  const { documents, tableName, sqs, management, channels, settings } = deps;
  const deliverEntries = deliverEntriesOf(settings);
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const toDeadLetter = async (record: SQSRecord, reason: string, details: Record<string, unknown>): Promise<void> => {
    const body = deadLetterBody({ v: 1, kind: 'dead_letter', reason, ...details, queueMessageId: record.messageId, failedAt: Date.now() });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: settings.deadLetterQueueUrl,
        MessageBody: body,
        MessageGroupId: record.attributes.MessageGroupId ?? 'dead-letter',
        MessageDeduplicationId: sha256(`${record.messageId}\n${reason}\n${JSON.stringify(details.connectionIds ?? '')}\n${JSON.stringify(details.seq ?? '')}`),
      }),
    );
  };

  type Limit = ReturnType<typeof createLimiter>;
  /** What the records of one message group, handled in a row, may reuse: channel heads and audiences. */
  interface BatchMemory {
    heads: Map<string, number>;
    audiences: Map<string, string[][]>;
  }

  const post = async (connectionId: string, frame: string): Promise<PostOutcome> => {
    for (let attempt = 1; ; attempt++) {
      const outcome = await postToConnection({ client: management, connectionId, data: frame });
      if (outcome.kind === 'gone') {
        await deps.forgetConnection(connectionId);
        return outcome;
      }
      if (outcome.kind !== 'retry' || attempt >= settings.retryAttempts) return outcome;
      // Exponential backoff with full jitter: many lanes throttled at once spread out.
      await sleep(random() * Math.min(5_000, settings.retryBaseMs * 2 ** attempt));
    }
  };

  const served = async (messageId: string, key: string): Promise<Set<string>> => {
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: deliveryKey(messageId, key), ConsistentRead: true, ProjectionExpression: 'done' }),
    );
    return Item?.done instanceof Set ? (Item.done as Set<string>) : new Set();
  };

  const recordServed = async (messageId: string, key: string, connectionIds: string[]): Promise<void> => {
    if (connectionIds.length === 0) return;
    await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: deliveryKey(messageId, key),
        UpdateExpression: 'ADD done :ids SET #type = :type, #ttl = :ttl',
        ExpressionAttributeNames: { '#type': 'type', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':ids': new Set(connectionIds), ':type': 'delivery', ':ttl': nowSeconds() + settings.ledgerTtlSeconds },
      }),
    );
  };

  /** Posts a replay's frames to its one connection, in order; the ledger counts frames by index. */
  const replay = async (record: SQSRecord, deliverRecord: DeliverRecord & { frames: string[] }): Promise<boolean> => {
    const { id, partition, connectionIds, frames } = deliverRecord;
    const connectionId = connectionIds[0]!;
    const key = deliverRecordKey(id, partition, connectionIds);
    const done = await served(id, key);
    const handled: string[] = [];
    let complete = true;
    for (let index = 0; index < frames.length; index++) {
      if (done.has(String(index))) continue;
      const outcome = await post(connectionId, frames[index]!);
      if (outcome.kind === 'retry') {
        complete = false;
        break;
      }
      if (outcome.kind === 'rejected') await toDeadLetter(record, outcome.reason, { messageId: id, status: outcome.status, connectionIds, frame: frames[index] });
      handled.push(String(index));
      if (outcome.kind === 'gone') break;
    }
    await recordServed(id, key, handled);
    log({ event: 'replay', messageId: id, frames: frames.length, posted: handled.length, complete });
    return complete;
  };

  /** Serves one deliver record; false when some post should be tried again later. */
  const deliver = async (record: SQSRecord, deliverRecord: DeliverRecord, limit: Limit): Promise<boolean> => {
    if (deliverRecord.frames) return replay(record, { ...deliverRecord, frames: deliverRecord.frames });
    const { id, partition, connectionIds } = deliverRecord;
    const frame = deliverRecord.frame!;
    const key = deliverRecordKey(id, partition, connectionIds);
    const done = await served(id, key);
    const todo = connectionIds.filter((connectionId) => !done.has(connectionId));
    const outcomes = await Promise.all(todo.map((connectionId) => limit(() => post(connectionId, frame))));
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
      await toDeadLetter(record, reason, { messageId: id, status: entry.status, connectionIds: entry.connectionIds, frame });
    }
    await recordServed(id, key, handled);
    const failed = [...rejected.values()].reduce((sum, entry) => sum + entry.connectionIds.length, 0);
    log(
      { event: 'deliver', messageId: id, partition, sent, gone, skipped: connectionIds.length - todo.length, retry, deadLettered: failed, receiveCount: Number(record.attributes.ApproximateReceiveCount) },
      { Delivered: sent, StaleConnections: gone, DeliveryRetries: retry, DeadLettered: failed },
    );
    return retry === 0;
  };

  /** Plans one publish record: sequence number and log (channels), then deliver records per partition. */
  const plan = async (record: SQSRecord, publish: PublishRecord, batch: BatchMemory): Promise<void> => {
    const { id, target } = publish;
    const channelKey = channelKeyOf(target);
    const payload = JSON.stringify(publish.data);
    if (payloadBytes(publish.data) > settings.maxPayloadBytes) {
      await toDeadLetter(record, 'payload_too_large', { messageId: id, bytes: payloadBytes(publish.data), limit: settings.maxPayloadBytes });
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
    let entries = deliverEntries({ id, frame, channelKey, buckets });
    if (!entries) {
      // The frame does not fit a record even for one connection: it goes to the dead-letter queue, and
      // the channel's audience gets a RESUME_GAP naming its sequence number instead.
      const bytes = recordBytes(frame);
      await toDeadLetter(record, 'record_too_large', { messageId: id, seq: seqOf(frame), bytes, limit: MAX_RECORD_BYTES });
      log({ event: 'publish_rejected', level: 'warn', reason: 'record_too_large', messageId: id, bytes }, { DeadLettered: 1 });
      const seq = seqOf(frame);
      entries = seq === undefined ? [] : (deliverEntries({ id, frame: gapFrame(channelKey, seq, seq, 'the message is too large to deliver'), channelKey, buckets }) ?? []);
    }
    await sendBatched(sqs, settings.queueUrl, entries);
    if (target.type !== 'connection') await channels.markPlanned(id);
    log({ event: 'publish', messageId: id, channel: target.type === 'connection' ? undefined : fingerprint(channelKey), target: target.type, audience, records: entries.length }, { Published: 1 });
  };

  /**
   * A connection joins a channel (a `subscribe`, or a channel of a `resume`). Handled in the channel's
   * group, in order with its publishes: after the subscription, everything later reaches the
   * connection live; the ack (seq = the head now) and the log from `after` up to that head go to it
   * in deliver records of the connection's partition group, so they are posted before any later live
   * message of the channel. At most `limit` log entries are replayed; a RESUME_GAP names the rest.
   */
  const join = async (record: SQSRecord, joinRecord: JoinRecord, batch: BatchMemory): Promise<void> => {
    const { id, connectionId, channel, after, limit, ack } = joinRecord;
    batch.audiences.delete(channel);
    const frames: string[] = [];
    // A resume's join subscribes here; a `subscribe` wrote its subscription before enqueueing the join.
    if (joinRecord.subscribe) {
      const outcome = await channels.subscribe({ channel, connectionId, expiresAt: joinRecord.expiresAt, maxSubscriptions: joinRecord.maxSubscriptions });
      if (outcome === 'gone') return;
    }
    const head = await channels.head(channel);
    if (ack) frames.push(JSON.stringify({ type: 'ack', action: 'subscribe', ...(ack.id === undefined ? {} : { id: ack.id }), channel, seq: head }));
    let replayed = 0;
    if (after !== undefined && head > after) {
      const entries = (limit > 0 ? await channels.readLog(channel, after, Math.min(head - after, limit)) : []).filter((entry) => entry.seq <= head);
      const first = entries[0]?.seq ?? head + 1;
      if (entries.length > 0 && first > after + 1) frames.push(gapFrame(channel, after + 1, first - 1, 'the channel log no longer reaches back that far', ack?.id));
      for (const entry of entries) frames.push(messageFrame({ channel, seq: entry.seq, id: entry.id, payload: entry.payload }));
      const last = entries.at(-1)?.seq ?? after;
      if (last < head) {
        const why = entries.length < limit && limit > 0 ? 'the channel log no longer reaches back that far' : `at most ${limit} messages are replayed per request: subscribe with "since" to read on`;
        frames.push(gapFrame(channel, last + 1, head, why, ack?.id));
      }
      replayed = entries.length;
    }
    if (frames.length > 0) {
      const queued = replayEntries({ id, connectionId, channel, partition: hashOf(connectionId) % settings.partitions, frames });
      for (const { seq, bytes } of queued.oversized) {
        await toDeadLetter(record, 'record_too_large', { messageId: id, channel: fingerprint(channel), seq, connectionIds: [connectionId], bytes, limit: MAX_RECORD_BYTES });
      }
      await sendBatched(sqs, settings.queueUrl, queued.entries);
    }
    log({ event: 'join', connectionId, channel: fingerprint(channel), after, head, replayed, limit, ack: ack !== undefined });
  };

  /**
   * A `resume` is answered: `resumed` is posted (once: a ledger keeps a redelivery from posting it
   * again), then the joins are enqueued, so every replayed frame comes after the answer.
   */
  const resume = async (record: SQSRecord, resumeRecord: ResumeRecord): Promise<boolean> => {
    const { id, connectionId, joins } = resumeRecord;
    const key = deliverRecordKey(id, 0, [connectionId]);
    const done = await served(id, key);
    if (!done.has('answered')) {
      const outcome = await post(connectionId, resumeRecord.frame);
      if (outcome.kind === 'retry') return false;
      // The frame carries the resume token: the dead letter names the connection, not the frame.
      if (outcome.kind === 'rejected') await toDeadLetter(record, outcome.reason, { messageId: id, status: outcome.status, connectionIds: [connectionId] });
      await recordServed(id, key, ['answered']);
      if (outcome.kind !== 'sent') return true;
    }
    await sendBatched(sqs, settings.queueUrl, joins.map(joinEntry));
    log({ event: 'resume', connectionId, channels: joins.length });
    return true;
  };

  /** True when the record is done with (delivered, or moved to the dead-letter queue). */
  const handleRecord = async (record: SQSRecord, limit: Limit, batch: BatchMemory): Promise<boolean> => {
    try {
      const parsed = parseQueueRecord(record.body);
      if (!parsed.ok) {
        await toDeadLetter(record, 'malformed', { problem: parsed.problem, body: record.body.slice(0, 200_000) });
        log({ event: 'poison_message', level: 'warn', reason: 'malformed', problem: parsed.problem, queueMessageId: record.messageId }, { DeadLettered: 1 });
        return true;
      }
      if (parsed.record.kind === 'publish') {
        await plan(record, parsed.record, batch);
        return true;
      }
      if (parsed.record.kind === 'join') {
        await join(record, parsed.record, batch);
        return true;
      }
      if (parsed.record.kind === 'resume') return await resume(record, parsed.record);
      return await deliver(record, parsed.record, limit);
    } catch (error) {
      log({ event: 'fanout_error', level: 'error', reason: 'record_failed', queueMessageId: record.messageId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, { Errors: 1 });
      return false;
    }
  };

  return {
    async handle(event) {
      const groups = new Map<string, SQSRecord[]>();
      for (const record of event.Records) {
        const group = record.attributes.MessageGroupId ?? record.messageId;
        groups.set(group, [...(groups.get(group) ?? []), record]);
      }
      const failures: string[] = [];
      // One bound for the whole invocation: the records of several groups post side by side.
      const limit = createLimiter(settings.concurrency);
      await Promise.all(
        [...groups.values()].map(async (records) => {
          const batch: BatchMemory = { heads: new Map(), audiences: new Map() };
          let failed = false;
          for (const record of records) {
            // FIFO: after a failure the group's later records wait for the failed one.
            if (failed || !(await handleRecord(record, limit, batch))) {
              failed = true;
              failures.push(record.messageId);
            }
          }
        }),
      );
      return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
    },
  };
}

