/**
 * The publisher library: how backend services push to WebSocket clients. Every call enqueues a
 * message on the fan-out queue (docs/fanout.md) and resolves with the message id, which is the `id`
 * the clients see on the frame. Calls made in the same tick are sent together with SendMessageBatch
 * (up to 10 records or 256 KiB per request), and the calls of one tick to one target share records:
 * one call is a `publish` record, several in a row a `publishes` record of up to 100 messages, so a
 * busy channel costs a fraction of the queue records and of the planner's batches. A record is sized
 * by the UTF-8 bytes of its JSON body, by the rule every writer of the queue uses (`MAX_RECORD_BYTES`). `disconnect`
 * enqueues a `disconnect` record (closes connections); `get`, `getByUser` and `getByTenant` read who
 * is connected from the stack's table (`tableName`).
 *
 * @example
 * import { createPublisher } from '@websocket-sessions/publisher';
 *
 * const publisher = createPublisher({ queueUrl: process.env.FANOUT_QUEUE_URL! });
 * const id = await publisher.sendToUser('user-42', { type: 'invoice.paid', invoiceId: 'inv-7' });
 * await publisher.publish('prices', { symbol: 'ACME', price: 12.5 });
 */
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  CLIENT_CHANNEL_PATTERN,
  MAX_FRAME_DEPTH,
  MESSAGE_ID_PATTERN,
  channelKeyOf,
  disconnectEntry,
  disconnectReasonProblem,
  groupIdOf,
  jsonProblem,
  MAX_PUBLISHES_PER_RECORD,
  packRecords,
  publishesDeduplicationIdOf,
  publishesIdOf,
  readDisconnectTarget,
  readTarget,
  sendEntries,
  type DisconnectRecord,
  type PublishRecord,
  type PublishedMessage,
  type PublishesRecord,
  type QueueEntry,
  type Target,
} from '../../contract/src';

import { createConnectionReader, type ConnectionInfo, type ConnectionPage } from './connections';
import { PublishError } from './errors';

export type { Target } from '../../contract/src';
export type { ConnectionInfo, ConnectionPage } from './connections';
export { PublishError } from './errors';

export interface PublisherOptions {
  /** The fan-out queue's URL (the module's `fanout_queue_url` output). */
  queueUrl: string;
  /** An SQS client of your own (region, credentials, endpoint); by default one from the environment. */
  client?: SQSClient;
  /** The stage's `max_payload_bytes` (32 KiB by default): larger `data` is refused before sending. */
  maxPayloadBytes?: number;
  /** Message ids; random UUIDs by default. Must match `^[A-Za-z0-9_-]{1,128}$` and be unique. */
  newId?: () => string;
  /** The stack's table (the module's `table_name` output), for the read calls (`get`, `getByUser`, `getByTenant`). */
  tableName?: string;
  /** A DynamoDB document client of your own for the read calls; by default one from the environment. */
  documents?: DynamoDBDocumentClient;
}

/**
 * Whose connections `disconnect` closes: one connection, or a user's (all of them, or those
 * authorised with one user session, `sessionId`: the token's `sid`). `reason` is `SESSION_EVICTED`,
 * `SESSION_REVOKED` or your own (1–64 characters of `A–Z 0–9 _`, sent as `DISCONNECTED` with the
 * reason); `DISCONNECTED` by default.
 */
export type DisconnectTarget = { connectionId: string; reason?: string } | { userId: string; sessionId?: string; reason?: string };

/** Per-call options. */
export interface SendOptions {
  /** Your own message id (an idempotency key: sending the same id twice delivers once). */
  id?: string;
}

export interface Publisher {
  /** To one connection (no channel, no sequence number). */
  sendToConnection(connectionId: string, data: unknown, options?: SendOptions): Promise<string>;
  /** To every connection of a user, on the user's channel `user:{userId}`. */
  sendToUser(userId: string, data: unknown, options?: SendOptions): Promise<string>;
  /** To every connection of a tenant, on `tenant:{tenantId}`. */
  sendToTenant(tenantId: string, data: unknown, options?: SendOptions): Promise<string>;
  /** To the subscribers of a channel. */
  publish(channel: string, data: unknown, options?: SendOptions): Promise<string>;
  /** To every authenticated connection, on `broadcast:all`. */
  broadcast(data: unknown, options?: SendOptions): Promise<string>;
  /**
   * Closes live connections: each gets an `error` frame with the reason, is closed and removed, and
   * its resumable session can no longer be resumed. Resolves with the record's id once it is queued.
   */
  disconnect(target: DisconnectTarget, options?: SendOptions): Promise<string>;
  /** One connection with its identity, session and `connectedAt`, or undefined when not connected. Needs `tableName`. */
  get(connectionId: string): Promise<ConnectionInfo | undefined>;
  /** Every connection of a user. Needs `tableName`. */
  getByUser(userId: string): Promise<ConnectionInfo[]>;
  /** A tenant's connections, a page at a time (`limit` 1–100). Needs `tableName`. */
  getByTenant(tenantId: string, page?: { cursor?: string; limit?: number }): Promise<ConnectionPage>;
  /** Sends whatever is waiting for the next tick now. */
  flush(): Promise<void>;
}

interface Waiting {
  entry: QueueEntry;
  id: string;
  /** A message to a target: it may share a `publishes` record with the calls next to it. */
  publish?: PublishRecord;
  resolve: (id: string) => void;
  reject: (error: Error) => void;
}

/** Records to send, each with the calls it answers. */
type Packed = Array<{ entry: QueueEntry; items: Waiting[] }>;

/**
 * The records for one tick's calls: the messages to one target in a row (no other record of their
 * message group between them, no id twice, none nesting deeper than a `publishes` record allows,
 * none to one connection) share `publishes` records of up to
 * MAX_PUBLISHES_PER_RECORD messages and `MAX_RECORD_BYTES`; any other call, or a message alone, is
 * its own record. Each group's records keep the order of its calls.
 */
function pack(batch: readonly Waiting[]): Packed {
  const slots: Array<Waiting | Waiting[]> = [];
  const open = new Map<string, { items: Waiting[]; ids: Set<string> }>();
  for (const item of batch) {
    const groupId = item.entry.groupId;
    if (!item.publish) {
      open.delete(groupId);
      slots.push(item);
      continue;
    }
    const current = open.get(groupId);
    if (current && !current.ids.has(item.id)) {
      current.items.push(item);
      current.ids.add(item.id);
      continue;
    }
    const started = { items: [item], ids: new Set([item.id]) };
    open.set(groupId, started);
    slots.push(started.items);
  }
  const packed: Packed = [];
  for (const slot of slots) {
    if (!Array.isArray(slot)) packed.push({ entry: slot.entry, items: [slot] });
    else if (slot.length === 1) packed.push({ entry: slot[0]!.entry, items: slot });
    else {
      const target = slot[0]!.publish!.target;
      const callOf = new Map<PublishedMessage, Waiting>();
      const messages = slot.map((item) => {
        const { id, data, publishedAt } = item.publish!;
        const message: PublishedMessage = { id, data, publishedAt };
        callOf.set(message, item);
        return message;
      });
      const build = (chunk: PublishedMessage[]): string =>
        JSON.stringify({ v: 1, kind: 'publishes', id: publishesIdOf(chunk.map(({ id }) => id)), target, messages: chunk } satisfies PublishesRecord);
      const { records, oversized } = packRecords(messages, build, { maxItems: MAX_PUBLISHES_PER_RECORD });
      if (oversized.length > 0) {
        // A message too large for a shared record: every call of the run alone, in order, as before
        // (SQS's answer makes the too large one PAYLOAD_TOO_LARGE).
        for (const item of slot) packed.push({ entry: item.entry, items: [item] });
        continue;
      }
      for (const { body, items } of records) {
        const calls = items.map((message) => callOf.get(message)!);
        // A message alone keeps its `publish` record.
        packed.push(
          calls.length === 1
            ? { entry: calls[0]!.entry, items: calls }
            : { entry: { body, groupId: calls[0]!.entry.groupId, deduplicationId: publishesDeduplicationIdOf(publishesIdOf(items.map(({ id }) => id))) }, items: calls },
        );
      }
    }
  }
  return packed;
}

/**
 * Creates a publisher. See the module's docs/fanout.md for the queue message schema it writes.
 *
 * @example
 * const publisher = createPublisher({ queueUrl, client: new SQSClient({ region: 'eu-west-1' }) });
 * await publisher.broadcast({ notice: 'maintenance at 22:00 UTC' });
 */
export function createPublisher(options: PublisherOptions): Publisher {
  if (typeof options.queueUrl !== 'string' || !/^https?:\/\/\S+$/.test(options.queueUrl)) {
    throw new PublishError('queueUrl must be the fan-out queue URL', 'BAD_TARGET');
  }
  const client = options.client ?? new SQSClient({});
  const maxPayloadBytes = options.maxPayloadBytes ?? 32_768;
  const newId = options.newId ?? randomUUID;
  let waiting: Waiting[] = [];
  let scheduled: Promise<void> | undefined;

  const flush = async (): Promise<void> => {
    const batch = waiting;
    waiting = [];
    scheduled = undefined;
    if (batch.length === 0) return;
    try {
      const records = pack(batch);
      const results = await sendEntries(client, options.queueUrl, records.map(({ entry }) => entry));
      results.forEach((result, index) => {
        for (const item of records[index]!.items) {
          if (result.ok) item.resolve(item.id);
          else if (result.tooLarge) item.reject(new PublishError(`message ${item.id} is too large for one queue record (${result.error})`, 'PAYLOAD_TOO_LARGE'));
          else item.reject(new PublishError(`SQS refused message ${item.id}: ${result.error}`, 'QUEUE_REJECTED'));
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(new PublishError(`sending message ${item.id} failed: ${error instanceof Error ? error.message : String(error)}`, 'QUEUE_REJECTED', { cause: error }));
    }
  };

  const enqueue = (entry: QueueEntry, id: string, publish?: Waiting['publish']): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      waiting.push({ entry, id, publish, resolve, reject });
      scheduled ??= new Promise<void>((done) => setImmediate(() => void flush().then(done)));
    });

  const messageId = (sendOptions: SendOptions): string | PublishError => {
    const id = sendOptions.id ?? newId();
    return MESSAGE_ID_PATTERN.test(id) ? id : new PublishError('a message id must match ^[A-Za-z0-9_-]{1,128}$', 'BAD_TARGET');
  };

  const send = (target: Target, data: unknown, sendOptions: SendOptions = {}): Promise<string> => {
    const checked = readTarget(target);
    if (!checked.ok) return Promise.reject(new PublishError(checked.problem, 'BAD_TARGET'));
    if (data === undefined) return Promise.reject(new PublishError('data is required (any JSON value)', 'BAD_DATA'));
    let text: string | undefined;
    try {
      text = JSON.stringify(data);
    } catch (error) {
      return Promise.reject(new PublishError('data must be serializable as JSON', 'BAD_DATA', { cause: error }));
    }
    if (text === undefined) return Promise.reject(new PublishError('data must be serializable as JSON', 'BAD_DATA'));
    // What clients and the consumer will see is the JSON, not the value (toJSON, NaN as null): check that.
    const value: unknown = JSON.parse(text);
    const problem = jsonProblem(value, { maxDepth: MAX_FRAME_DEPTH - 1, name: 'the value' });
    if (problem) return Promise.reject(new PublishError(`data: ${problem}`, 'BAD_DATA'));
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxPayloadBytes) return Promise.reject(new PublishError(`data is ${bytes} bytes; at most ${maxPayloadBytes}`, 'PAYLOAD_TOO_LARGE'));
    const id = messageId(sendOptions);
    if (id instanceof PublishError) return Promise.reject(id);
    const record: PublishRecord = { v: 1, kind: 'publish', id, target: checked.target, data, publishedAt: Date.now() };
    const channelKey = channelKeyOf(checked.target);
    // In a `publishes` record data sits two levels deeper (messages, message), within the record's
    // 32: data nesting more than 29 levels of its own goes in a `publish` record alone. Messages to
    // one connection are not packed: they have no sequence number to drop a repeat by, and their
    // ledgers are one write each.
    const packable = checked.target.type !== 'connection' && jsonProblem(value, { maxDepth: MAX_FRAME_DEPTH - 3, name: 'the value' }) === undefined;
    return enqueue({ body: JSON.stringify(record), groupId: groupIdOf(channelKey), deduplicationId: id }, id, packable ? record : undefined);
  };

  const disconnect = (target: DisconnectTarget, sendOptions: SendOptions = {}): Promise<string> => {
    if (typeof target !== 'object' || target === null) return Promise.reject(new PublishError('disconnect takes { connectionId } or { userId, sessionId? }', 'BAD_TARGET'));
    const given = target as Record<string, unknown>;
    if ((given.connectionId === undefined) === (given.userId === undefined)) {
      return Promise.reject(new PublishError('disconnect takes either a connectionId or a userId (with an optional sessionId)', 'BAD_TARGET'));
    }
    if (given.connectionId !== undefined && given.sessionId !== undefined) return Promise.reject(new PublishError('a sessionId goes with a userId, not a connectionId', 'BAD_TARGET'));
    const read = readDisconnectTarget(given.connectionId !== undefined ? { type: 'connection', connectionId: given.connectionId } : { type: 'user', userId: given.userId, sessionId: given.sessionId });
    if (!read.ok) return Promise.reject(new PublishError(read.problem, 'BAD_TARGET'));
    const reason = given.reason ?? 'DISCONNECTED';
    const problem = disconnectReasonProblem(reason);
    if (problem) return Promise.reject(new PublishError(problem, 'BAD_REASON'));
    const id = messageId(sendOptions);
    if (id instanceof PublishError) return Promise.reject(id);
    const record: DisconnectRecord = { v: 1, kind: 'disconnect', id, target: read.target, reason: reason as string, requestedAt: Date.now() };
    return enqueue(disconnectEntry(record), id);
  };

  let reader: ReturnType<typeof createConnectionReader> | undefined;
  /** Runs a read; input errors are the reader's, DynamoDB's failures are `TABLE_REJECTED`. */
  const read = async <T>(call: (connections: ReturnType<typeof createConnectionReader>) => Promise<T>): Promise<T> => {
    if (options.tableName === undefined) throw new PublishError('reading connections needs the tableName option (the module\'s table_name output)', 'NO_TABLE');
    reader ??= createConnectionReader({ documents: options.documents ?? DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: options.tableName });
    try {
      return await call(reader);
    } catch (error) {
      if (error instanceof PublishError) throw error;
      throw new PublishError(`reading connections failed: ${error instanceof Error ? error.message : String(error)}`, 'TABLE_REJECTED', { cause: error });
    }
  };

  return {
    sendToConnection: (connectionId, data, sendOptions) => send({ type: 'connection', connectionId }, data, sendOptions),
    sendToUser: (userId, data, sendOptions) => send({ type: 'user', userId }, data, sendOptions),
    sendToTenant: (tenantId, data, sendOptions) => send({ type: 'tenant', tenantId }, data, sendOptions),
    publish: (channel, data, sendOptions) =>
      CLIENT_CHANNEL_PATTERN.test(channel)
        ? send({ type: 'channel', channel }, data, sendOptions)
        : Promise.reject(new PublishError('a channel name is 1–128 characters of A–Z a–z 0–9 _ . - starting with a letter or digit', 'BAD_TARGET')),
    broadcast: (data, sendOptions) => send({ type: 'broadcast' }, data, sendOptions),
    disconnect,
    get: (connectionId) => read((connections) => connections.get(connectionId)),
    getByUser: (userId) => read((connections) => connections.getByUser(userId)),
    getByTenant: (tenantId, page) => read((connections) => connections.getByTenant(tenantId, page)),
    flush,
  };
}
