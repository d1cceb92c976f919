/**
 * The publisher library: how backend services push to WebSocket clients. Every call enqueues one
 * `publish` record on the fan-out queue (docs/fanout.md) and resolves with the message id, which is
 * the `id` the clients see on the frame. Calls made in the same tick are sent together with
 * SendMessageBatch (up to 10 messages or 256 KiB per request); a record is sized by the UTF-8 bytes of
 * its JSON body, by the rule every writer of the queue uses (`MAX_RECORD_BYTES`).
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
import {
  CLIENT_CHANNEL_PATTERN,
  MAX_FRAME_DEPTH,
  MESSAGE_ID_PATTERN,
  channelKeyOf,
  groupIdOf,
  jsonProblem,
  readTarget,
  sendEntries,
  type PublishRecord,
  type QueueEntry,
  type Target,
} from '../../contract/src';

export type { Target } from '../../contract/src';

/**
 * A call the publisher refused before sending anything (bad target; `BAD_DATA`: not JSON, a lone
 * surrogate or a non-character such as U+FFFE in a string or key, more than 31 levels of nesting;
 * payload too large), or SQS refused.
 */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(
    message: string,
    readonly code: 'BAD_TARGET' | 'BAD_DATA' | 'PAYLOAD_TOO_LARGE' | 'QUEUE_REJECTED',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface PublisherOptions {
  /** The fan-out queue's URL (the module's `fanout_queue_url` output). */
  queueUrl: string;
  /** An SQS client of your own (region, credentials, endpoint); by default one from the environment. */
  client?: SQSClient;
  /** The stage's `max_payload_bytes` (32 KiB by default): larger `data` is refused before sending. */
  maxPayloadBytes?: number;
  /** Message ids; random UUIDs by default. Must match `^[A-Za-z0-9_-]{1,128}$` and be unique. */
  newId?: () => string;
}

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
  /** Sends whatever is waiting for the next tick now. */
  flush(): Promise<void>;
}

interface Waiting {
  entry: QueueEntry;
  id: string;
  resolve: (id: string) => void;
  reject: (error: Error) => void;
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
      const results = await sendEntries(client, options.queueUrl, batch.map((item) => item.entry));
      results.forEach((result, index) => {
        const item = batch[index]!;
        if (result.ok) item.resolve(item.id);
        else if (result.tooLarge) item.reject(new PublishError(`message ${item.id} is too large for one queue record (${result.error})`, 'PAYLOAD_TOO_LARGE'));
        else item.reject(new PublishError(`SQS refused message ${item.id}: ${result.error}`, 'QUEUE_REJECTED'));
      });
    } catch (error) {
      for (const item of batch) item.reject(new PublishError(`sending message ${item.id} failed: ${error instanceof Error ? error.message : String(error)}`, 'QUEUE_REJECTED', { cause: error }));
    }
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
    const problem = jsonProblem(JSON.parse(text), { maxDepth: MAX_FRAME_DEPTH - 1, name: 'the value' });
    if (problem) return Promise.reject(new PublishError(`data: ${problem}`, 'BAD_DATA'));
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxPayloadBytes) return Promise.reject(new PublishError(`data is ${bytes} bytes; at most ${maxPayloadBytes}`, 'PAYLOAD_TOO_LARGE'));
    const id = sendOptions.id ?? newId();
    if (!MESSAGE_ID_PATTERN.test(id)) return Promise.reject(new PublishError('a message id must match ^[A-Za-z0-9_-]{1,128}$', 'BAD_TARGET'));
    const record: PublishRecord = { v: 1, kind: 'publish', id, target: checked.target, data, publishedAt: Date.now() };
    const entry: QueueEntry = { body: JSON.stringify(record), groupId: groupIdOf(channelKeyOf(checked.target)), deduplicationId: id };
    return new Promise<string>((resolve, reject) => {
      waiting.push({ entry, id, resolve, reject });
      scheduled ??= new Promise<void>((done) => setImmediate(() => void flush().then(done)));
    });
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
    flush,
  };
}
