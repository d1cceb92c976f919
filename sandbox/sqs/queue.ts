import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Signal } from '../signal';
import { invalidValue, missingParameter, SqsError } from './errors';
import { attributeSize, md5Hex, md5OfMessageAttributes, type MessageAttribute } from './md5';

export const ACCOUNT_ID = '000000000000';
export const REGION = 'us-east-1';
/** SQS's message size limit: body plus message attributes (names, types and values). */
export const MAX_MESSAGE_BYTES = 262_144;
/** What SQS reports as the sender of every message (the principal's id in AWS). */
export const SENDER_ID = 'AIDASANDBOXSENDER0000';

const DEFAULT_VISIBILITY_TIMEOUT_MS = 30_000;
const DEDUPLICATION_WINDOW_MS = 5 * 60_000;
const MAX_ATTRIBUTES = 10;
// Characters SQS accepts in a body: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
const INVALID_BODY_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
// Group and deduplication ids: 1 to 128 alphanumeric and punctuation characters.
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\.[A-Za-z0-9_.-]{1,250})?$/;
// A plausible 20-digit starting point for FIFO sequence numbers.
const SEQUENCE_BASE = 18_000_000_000_000_000_000n;

/** A queue as the sandbox declares it (what Terraform's `aws_sqs_queue` and its redrive policy say). */
export interface QueueDefinition {
  /** 1–80 characters `[A-Za-z0-9_-]`; a FIFO queue's name ends in `.fifo`. */
  name: string;
  /** Default: whether the name ends in `.fifo` (they must agree). */
  fifo?: boolean;
  /** Default 30 000. Milliseconds, so tests can use short timeouts. */
  visibilityTimeoutMs?: number;
  /** Receives after which the next receive attempt moves a message to `deadLetterQueue` (1–1000). */
  maxReceiveCount?: number;
  /** Name of the dead-letter queue (declared in the same sandbox, FIFO for a FIFO queue). */
  deadLetterQueue?: string;
  /** At-least-once made visible: every message is delivered once more after its first deletion. */
  duplicateDelivery?: boolean;
  /** FIFO only: the deduplication id defaults to the SHA-256 of the body. */
  contentBasedDeduplication?: boolean;
  /** Default 5 minutes, SQS's deduplication interval. */
  deduplicationWindowMs?: number;
  /** Seed of the PRNG that picks which messages a standard queue returns. Default: derived from the name. */
  seed?: number;
}

export interface SendInput {
  body: string;
  /** Standard queues only (0–900). */
  delaySeconds?: number;
  messageAttributes?: Record<string, MessageAttribute>;
  /** The only system attribute SQS accepts: `AWSTraceHeader` (String). */
  messageSystemAttributes?: Record<string, MessageAttribute>;
  /** Required on FIFO queues; allowed on standard queues (fair queues). */
  groupId?: string;
  /** FIFO only; required unless the queue has content-based deduplication. */
  deduplicationId?: string;
}

export interface SendResult {
  messageId: string;
  md5OfMessageBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
  /** FIFO only. */
  sequenceNumber?: string;
}

/** One delivery of a message, with every system attribute that applies to it. */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  messageAttributes: Record<string, MessageAttribute>;
  /** `SenderId`, `SentTimestamp`, `ApproximateReceiveCount`, `ApproximateFirstReceiveTimestamp`, and where they apply `SequenceNumber`, `MessageGroupId`, `MessageDeduplicationId`, `AWSTraceHeader`, `DeadLetterQueueSourceArn`. */
  attributes: Record<string, string>;
}

export type MessageState = 'visible' | 'inFlight' | 'delayed';

/** A message still in the queue, for tests. */
export interface QueuedMessage {
  messageId: string;
  body: string;
  messageAttributes: Record<string, MessageAttribute>;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
  receiveCount: number;
  sentTimestamp: number;
  state: MessageState;
}

export interface QueueCounters {
  /** Messages enqueued by SendMessage / SendMessageBatch (not counting deduplicated ones). */
  sent: number;
  /** Sends accepted but not enqueued: their deduplication id was seen within the window. */
  deduplicated: number;
  /** Deliveries (a message received three times counts three). */
  received: number;
  /** Deletions that took effect (twice per message with `duplicateDelivery`). */
  deleted: number;
  /** Messages this queue moved to its dead-letter queue. */
  movedToDeadLetter: number;
  /** Second deliveries made by `duplicateDelivery` (counted when the copy is received). */
  duplicatesDelivered: number;
  /** Messages removed by PurgeQueue. */
  purged: number;
}

/** The counters and how many messages are in each state now. */
export type QueueStats = QueueCounters & Record<MessageState, number>;

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes: Record<string, MessageAttribute>;
  readonly md5OfMessageAttributes?: string;
  readonly traceHeader?: string;
  readonly sentTimestamp: number;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly sequenceNumber?: string;
  deadLetterSourceArn?: string;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  visibleAt: number;
  receiptHandle?: string;
  /** `duplicateDelivery`: the second delivery was already scheduled. */
  duplicated: boolean;
}

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const nameSeed = (name: string): number => createHash('sha256').update(name).digest().readUInt32BE(0);

function validateDefinition(definition: QueueDefinition): void {
  const { name } = definition;
  const fifoName = name.endsWith('.fifo');
  const base = fifoName ? name.slice(0, -5) : name;
  if (!/^[A-Za-z0-9_-]+$/.test(base) || name.length > 80) {
    throw new Error(`queue name ${JSON.stringify(name)}: 1 to 80 characters [A-Za-z0-9_-] (plus .fifo for a FIFO queue)`);
  }
  if (definition.fifo !== undefined && definition.fifo !== fifoName) {
    throw new Error(`queue ${name}: a FIFO queue's name ends in .fifo, and only a FIFO queue's does`);
  }
  if (definition.contentBasedDeduplication && !fifoName) throw new Error(`queue ${name}: contentBasedDeduplication is for FIFO queues`);
  const visibility = definition.visibilityTimeoutMs;
  if (visibility !== undefined && !(Number.isInteger(visibility) && visibility >= 0 && visibility <= 43_200_000)) {
    throw new Error(`queue ${name}: visibilityTimeoutMs must be an integer from 0 to 43 200 000 (12 hours)`);
  }
  const max = definition.maxReceiveCount;
  if ((max === undefined) !== (definition.deadLetterQueue === undefined)) {
    throw new Error(`queue ${name}: maxReceiveCount and deadLetterQueue go together (a redrive policy)`);
  }
  if (max !== undefined && !(Number.isInteger(max) && max >= 1 && max <= 1000)) throw new Error(`queue ${name}: maxReceiveCount must be 1 to 1000`);
}

function validateAttributes(attributes: Record<string, MessageAttribute>): void {
  const names = Object.keys(attributes);
  if (names.length > MAX_ATTRIBUTES) {
    throw new SqsError('InvalidParameterValue', `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  }
  for (const name of names) {
    const { DataType, StringValue, BinaryValue } = attributes[name]!;
    if (!ATTRIBUTE_NAME.test(name) || /^(aws\.|amazon\.)/i.test(name)) {
      throw invalidValue('MessageAttribute.Name', name, 'Message attribute names: 1 to 256 characters [A-Za-z0-9_.-], no leading, trailing or double dot, no AWS. or Amazon. prefix.');
    }
    if (!DataType) throw new SqsError('InvalidParameterValue', `The message attribute '${name}' must contain non-empty message attribute type.`);
    if (!DATA_TYPE.test(DataType)) {
      throw new SqsError('InvalidParameterValue', `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    const binary = DataType.startsWith('Binary');
    if (binary ? !BinaryValue?.length : !StringValue) {
      throw new SqsError('InvalidParameterValue', `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${DataType}'.`);
    }
    if (DataType.startsWith('Number') && !Number.isFinite(Number(StringValue))) {
      throw new SqsError('InvalidParameterValue', `Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
  }
}

function validateSystemAttributes(attributes: Record<string, MessageAttribute>): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (name !== 'AWSTraceHeader') throw invalidValue('MessageSystemAttributes', name, 'Only AWSTraceHeader is supported.');
    if (value.DataType !== 'String' || !value.StringValue) throw invalidValue('MessageSystemAttributes.AWSTraceHeader', value.DataType, 'It must be a non-empty String.');
  }
}

function validateBody(body: string | undefined, attributes: Record<string, MessageAttribute>): asserts body is string {
  if (!body) throw missingParameter('MessageBody');
  const invalid = INVALID_BODY_CHARACTER.exec(body);
  if (invalid) {
    const code = invalid[0].codePointAt(0)!.toString(16).toUpperCase();
    throw new SqsError(
      'InvalidMessageContents',
      `Invalid binary character '#x${code}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
  if (messageSize(body, attributes) > MAX_MESSAGE_BYTES) {
    throw new SqsError('InvalidParameterValue', `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`);
  }
}

/** Bytes a message counts toward the size limit: the UTF-8 body plus its message attributes. */
export const messageSize = (body: string, attributes: Record<string, MessageAttribute> = {}): number =>
  Buffer.byteLength(body) + Object.entries(attributes).reduce((sum, [name, attribute]) => sum + attributeSize(name, attribute), 0);

/**
 * An SQS queue in memory, standard or FIFO, with the semantics consumers depend on: visibility
 * timeouts, receive counts, redrive to a dead-letter queue, FIFO ordering and deduplication, and
 * optionally SQS's at-least-once delivery made deterministic (`duplicateDelivery`).
 *
 * Not emulated: retention (messages never expire), queue-level delay, long-poll sampling of standard
 * queues (every receive sees every visible message), PurgeQueue's once-a-minute limit.
 */
export class LocalQueue {
  readonly name: string;
  readonly fifo: boolean;
  /** `http://host:port/000000000000/name` */
  readonly url: string;
  /** `arn:aws:sqs:us-east-1:000000000000:name` */
  readonly arn: string;
  readonly visibilityTimeoutMs: number;
  readonly maxReceiveCount?: number;
  readonly contentBasedDeduplication: boolean;
  readonly duplicateDelivery: boolean;
  readonly counters: QueueCounters = { sent: 0, deduplicated: 0, received: 0, deleted: 0, movedToDeadLetter: 0, duplicatesDelivered: 0, purged: 0 };
  /** Notified whenever a message may have become receivable, or one left the queue. */
  readonly changed = new Signal();
  readonly createdTimestamp = Date.now();
  private deadLetter?: LocalQueue;
  /** By message id; insertion order is queue order (FIFO order for a FIFO queue). */
  private readonly stored = new Map<string, StoredMessage>();
  /** Deduplication id → the first send's message and when the id expires; insertion order is time order. */
  private readonly deduplication = new Map<string, { messageId: string; sequenceNumber?: string; expiresAt: number }>();
  private readonly deduplicationWindowMs: number;
  private readonly random: () => number;
  /** Consumers' batches being processed (see {@link beginWork}). */
  private work = 0;
  private readonly workDone = new Signal();
  private sequence = 0n;
  private wakeAt = Infinity;
  private wakeTimer?: NodeJS.Timeout;
  private closed = false;

  /** `endpoint` is the emulator's `http://host:port`. Dead-letter queues are attached afterwards. */
  constructor(
    private readonly definition: QueueDefinition,
    endpoint: string,
  ) {
    validateDefinition(definition);
    this.name = definition.name;
    this.fifo = definition.name.endsWith('.fifo');
    this.url = `${endpoint}/${ACCOUNT_ID}/${this.name}`;
    this.arn = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${this.name}`;
    this.visibilityTimeoutMs = definition.visibilityTimeoutMs ?? DEFAULT_VISIBILITY_TIMEOUT_MS;
    this.maxReceiveCount = definition.maxReceiveCount;
    this.contentBasedDeduplication = definition.contentBasedDeduplication ?? false;
    this.duplicateDelivery = definition.duplicateDelivery ?? false;
    this.deduplicationWindowMs = definition.deduplicationWindowMs ?? DEDUPLICATION_WINDOW_MS;
    this.random = seededRandom(definition.seed ?? nameSeed(this.name));
  }

  /** The dead-letter queue of the redrive policy, once attached. */
  get deadLetterQueue(): LocalQueue | undefined {
    return this.deadLetter;
  }

  /** Resolves the definition's `deadLetterQueue` by name (called once all queues exist). */
  attachDeadLetterQueue(lookup: (name: string) => LocalQueue | undefined): void {
    const name = this.definition.deadLetterQueue;
    if (name === undefined) return;
    const queue = lookup(name);
    if (!queue) throw new Error(`queue ${this.name}: its dead-letter queue ${name} is not declared`);
    if (queue === this) throw new Error(`queue ${this.name}: a queue cannot be its own dead-letter queue`);
    if (queue.fifo !== this.fifo) throw new Error(`queue ${this.name}: the dead-letter queue of a ${this.fifo ? 'FIFO' : 'standard'} queue must be ${this.fifo ? 'FIFO' : 'standard'} too`);
    this.deadLetter = queue;
  }

  /** Messages in the queue: visible, in flight or delayed. */
  get size(): number {
    return this.stored.size;
  }

  /** SendMessage's semantics. Throws {@link SqsError} as SQS answers (see the FIFO rules in docs). */
  send(input: SendInput): SendResult {
    const messageAttributes = input.messageAttributes ?? {};
    const systemAttributes = input.messageSystemAttributes ?? {};
    validateBody(input.body, messageAttributes);
    validateAttributes(messageAttributes);
    validateSystemAttributes(systemAttributes);
    const deduplicationId = this.validateFifoParameters(input);
    if (input.groupId !== undefined && !FIFO_ID.test(input.groupId)) {
      throw invalidValue('MessageGroupId', input.groupId, 'MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
    }

    const now = Date.now();
    // The digests always describe this request, also when it is deduplicated (the SDK checks them).
    const digests = {
      md5OfMessageBody: md5Hex(input.body),
      ...(Object.keys(messageAttributes).length > 0 && { md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes) }),
      ...(Object.keys(systemAttributes).length > 0 && { md5OfMessageSystemAttributes: md5OfMessageAttributes(systemAttributes) }),
    };
    if (deduplicationId !== undefined) {
      const seen = this.recentDeduplication(deduplicationId, now);
      if (seen) {
        this.counters.deduplicated += 1;
        return { messageId: seen.messageId, ...digests, ...(seen.sequenceNumber && { sequenceNumber: seen.sequenceNumber }) };
      }
    }
    const message: StoredMessage = {
      messageId: randomUUID(),
      body: input.body,
      md5OfBody: digests.md5OfMessageBody,
      messageAttributes,
      md5OfMessageAttributes: digests.md5OfMessageAttributes,
      traceHeader: systemAttributes.AWSTraceHeader?.StringValue,
      sentTimestamp: now,
      groupId: input.groupId,
      deduplicationId,
      sequenceNumber: this.fifo ? String(SEQUENCE_BASE + (this.sequence += 1n) * 65_536n) : undefined,
      receiveCount: 0,
      visibleAt: now + (input.delaySeconds ?? 0) * 1000,
      duplicated: false,
    };
    const result: SendResult = { messageId: message.messageId, ...digests, ...(message.sequenceNumber && { sequenceNumber: message.sequenceNumber }) };
    if (deduplicationId !== undefined) {
      this.deduplication.set(deduplicationId, { messageId: message.messageId, sequenceNumber: message.sequenceNumber, expiresAt: now + this.deduplicationWindowMs });
    }
    this.stored.set(message.messageId, message);
    this.counters.sent += 1;
    this.messageAdded(message);
    return result;
  }

  /**
   * ReceiveMessage's semantics: up to `max` messages, each hidden for the visibility timeout. A FIFO
   * queue serves a group's messages in order and none of a group that has messages in flight; a
   * standard queue picks visible messages in a (seeded) random order. A message already received
   * `maxReceiveCount` times is moved to the dead-letter queue instead of being delivered.
   */
  receive(options: { max?: number; visibilityTimeoutMs?: number } = {}): ReceivedMessage[] {
    if (this.closed) return [];
    const now = Date.now();
    const max = options.max ?? 1;
    const picked = this.fifo ? this.pickFifo(now, max) : this.pickStandard(now, max);
    const visibilityTimeoutMs = options.visibilityTimeoutMs ?? this.visibilityTimeoutMs;
    return picked.map((message) => this.deliver(message, now, visibilityTimeoutMs));
  }

  /**
   * DeleteMessage's semantics: a handle that is not this queue's throws ReceiptHandleIsInvalid; a
   * well-formed but stale one (the message was received again since, or is gone) is accepted and
   * deletes nothing, as SQS does. Returns whether a delivery was deleted.
   */
  delete(receiptHandle: string): boolean {
    const messageId = this.parseReceiptHandle(receiptHandle);
    const message = this.stored.get(messageId);
    if (!message || message.receiptHandle !== receiptHandle) return false;
    this.counters.deleted += 1;
    if (this.duplicateDelivery && !message.duplicated) this.scheduleDuplicate(message);
    else this.stored.delete(messageId);
    this.changed.notify();
    return true;
  }

  /** PurgeQueue: removes every message, in flight or not (deduplication ids are kept). */
  purge(): void {
    this.counters.purged += this.stored.size;
    this.stored.clear();
    this.changed.notify();
  }

  /** The counters, and the messages visible, in flight and delayed as GetQueueAttributes counts them. */
  stats(now = Date.now()): QueueStats {
    const stats: QueueStats = { ...this.counters, visible: 0, inFlight: 0, delayed: 0 };
    for (const message of this.stored.values()) stats[stateOf(message, now)] += 1;
    return stats;
  }

  /**
   * Marks a consumer's batch as being processed, so {@link drained} waits for it (a consumer may send
   * new messages before it finishes). Call the returned function when done.
   */
  beginWork(): () => void {
    this.work += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.work -= 1;
      this.workDone.notify();
    };
  }

  /**
   * Resolves once the queue is empty (nothing visible, in flight or delayed) and no consumer is
   * processing a batch; rejects after `timeoutMs` saying what is left. Failed records count as in flight
   * until they are processed or moved to the dead-letter queue.
   */
  async drained(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.stored.size > 0 || this.work > 0) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const { visible, inFlight, delayed } = this.stats();
        throw new Error(
          `queue ${this.name} not drained after ${timeoutMs} ms: ${visible} visible, ${inFlight} in flight, ${delayed} delayed, ${this.work} batch(es) being processed`,
        );
      }
      await Signal.any([this.changed, this.workDone], left);
    }
  }

  /** Every attribute GetQueueAttributes `All` returns for this queue, as strings. */
  attributes(): Record<string, string> {
    const stats = this.stats();
    return {
      ApproximateNumberOfMessages: String(stats.visible),
      ApproximateNumberOfMessagesNotVisible: String(stats.inFlight),
      ApproximateNumberOfMessagesDelayed: String(stats.delayed),
      CreatedTimestamp: String(Math.floor(this.createdTimestamp / 1000)),
      LastModifiedTimestamp: String(Math.floor(this.createdTimestamp / 1000)),
      DelaySeconds: '0',
      MaximumMessageSize: String(MAX_MESSAGE_BYTES),
      MessageRetentionPeriod: '345600',
      QueueArn: this.arn,
      ReceiveMessageWaitTimeSeconds: '0',
      // Whole seconds, rounded up: a sandbox timeout of 200 ms reads "1".
      VisibilityTimeout: String(Math.ceil(this.visibilityTimeoutMs / 1000)),
      SqsManagedSseEnabled: 'false',
      ...(this.deadLetter && {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetter.arn, maxReceiveCount: this.maxReceiveCount }),
      }),
      ...(this.fifo && {
        FifoQueue: 'true',
        ContentBasedDeduplication: String(this.contentBasedDeduplication),
        DeduplicationScope: 'queue',
        FifoThroughputLimit: 'perQueue',
      }),
    };
  }

  /** Everything still in the queue, in queue order, visible or not (copies). */
  messages(): QueuedMessage[] {
    const now = Date.now();
    return [...this.stored.values()].map((message) => ({
      messageId: message.messageId,
      body: message.body,
      messageAttributes: { ...message.messageAttributes },
      ...(message.groupId !== undefined && { groupId: message.groupId }),
      ...(message.deduplicationId !== undefined && { deduplicationId: message.deduplicationId }),
      ...(message.sequenceNumber !== undefined && { sequenceNumber: message.sequenceNumber }),
      receiveCount: message.receiveCount,
      sentTimestamp: message.sentTimestamp,
      state: stateOf(message, now),
    }));
  }

  /** Stops timers and wakes every waiter; the queue receives nothing afterwards. */
  close(): void {
    this.closed = true;
    clearTimeout(this.wakeTimer);
    this.changed.notify();
  }

  /** Takes a message another queue's redrive policy moved here, keeping its id, body and receive count. */
  private acceptMovedMessage(message: StoredMessage, sourceArn: string): void {
    message.deadLetterSourceArn = sourceArn;
    message.receiptHandle = undefined;
    message.visibleAt = Date.now();
    this.stored.set(message.messageId, message);
    this.messageAdded(message);
  }

  /** Checks the FIFO-only parameters and returns the deduplication id (undefined on standard queues). */
  private validateFifoParameters(input: SendInput): string | undefined {
    if (!this.fifo) {
      if (input.deduplicationId !== undefined) {
        throw invalidValue('MessageDeduplicationId', input.deduplicationId, 'The request includes a parameter that is not valid for this queue type.');
      }
      if (input.delaySeconds !== undefined && !(Number.isInteger(input.delaySeconds) && input.delaySeconds >= 0 && input.delaySeconds <= 900)) {
        throw invalidValue('DelaySeconds', input.delaySeconds, 'Must be >= 0 and <= 900, if provided.');
      }
      return undefined;
    }
    if (input.delaySeconds !== undefined) {
      throw invalidValue('DelaySeconds', input.delaySeconds, 'The request include parameter that is not valid for this queue type.');
    }
    if (input.groupId === undefined || input.groupId === '') throw missingParameter('MessageGroupId');
    if (input.deduplicationId === undefined) {
      if (!this.contentBasedDeduplication) {
        throw new SqsError('InvalidParameterValue', 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      }
      return createHash('sha256').update(input.body).digest('hex');
    }
    if (!FIFO_ID.test(input.deduplicationId)) {
      throw invalidValue('MessageDeduplicationId', input.deduplicationId, 'MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
    }
    return input.deduplicationId;
  }

  /** The message first sent with deduplication id `id` within the window (expired ids are dropped). */
  private recentDeduplication(id: string, now: number): { messageId: string; sequenceNumber?: string } | undefined {
    for (const [key, entry] of this.deduplication) {
      if (entry.expiresAt > now) break;
      this.deduplication.delete(key);
    }
    return this.deduplication.get(id);
  }

  /** FIFO: groups in the order of their oldest message; each group's messages in order, none of a group with messages in flight. */
  private pickFifo(now: number, max: number): StoredMessage[] {
    const groups = new Map<string, StoredMessage[]>();
    for (const message of this.stored.values()) {
      const group = groups.get(message.groupId!);
      if (group) group.push(message);
      else groups.set(message.groupId!, [message]);
    }
    const picked: StoredMessage[] = [];
    for (const group of groups.values()) {
      if (group.some((message) => message.visibleAt > now)) continue;
      for (const message of group) {
        if (picked.length >= max) return picked;
        if (!this.redriveIfExhausted(message)) picked.push(message);
      }
    }
    return picked;
  }

  /** Standard: visible messages in a random order drawn from the seeded PRNG. */
  private pickStandard(now: number, max: number): StoredMessage[] {
    const candidates = [...this.stored.values()].filter((message) => message.visibleAt <= now);
    const picked: StoredMessage[] = [];
    for (let i = 0; i < candidates.length && picked.length < max; i += 1) {
      const j = i + Math.floor(this.random() * (candidates.length - i));
      [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
      if (!this.redriveIfExhausted(candidates[i]!)) picked.push(candidates[i]!);
    }
    return picked;
  }

  /** The redrive policy, applied when a receive would deliver a message more than `maxReceiveCount` times. */
  private redriveIfExhausted(message: StoredMessage): boolean {
    if (!this.deadLetter || message.receiveCount < this.maxReceiveCount!) return false;
    this.stored.delete(message.messageId);
    this.counters.movedToDeadLetter += 1;
    this.deadLetter.acceptMovedMessage(message, this.arn);
    this.changed.notify();
    return true;
  }

  private deliver(message: StoredMessage, now: number, visibilityTimeoutMs: number): ReceivedMessage {
    message.receiveCount += 1;
    message.firstReceiveTimestamp ??= now;
    if (message.duplicated && message.receiveCount === 1) this.counters.duplicatesDelivered += 1;
    message.visibleAt = now + visibilityTimeoutMs;
    message.receiptHandle = this.newReceiptHandle(message.messageId);
    this.counters.received += 1;
    this.wakeNoLaterThan(message.visibleAt);
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle,
      body: message.body,
      md5OfBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes && { md5OfMessageAttributes: message.md5OfMessageAttributes }),
      messageAttributes: { ...message.messageAttributes },
      attributes: this.systemAttributes(message),
    };
  }

  private systemAttributes(message: StoredMessage): Record<string, string> {
    return {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentTimestamp),
      ...(message.sequenceNumber !== undefined && { SequenceNumber: message.sequenceNumber }),
      ...(message.groupId !== undefined && { MessageGroupId: message.groupId }),
      SenderId: SENDER_ID,
      ...(message.deduplicationId !== undefined && { MessageDeduplicationId: message.deduplicationId }),
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
      ...(message.traceHeader !== undefined && { AWSTraceHeader: message.traceHeader }),
      ...(message.deadLetterSourceArn !== undefined && { DeadLetterQueueSourceArn: message.deadLetterSourceArn }),
    };
  }

  /**
   * The second delivery of `duplicateDelivery`: the message stays where it is (a FIFO group's head),
   * visible at once, as a fresh copy (receive count 0, no receipt handle).
   */
  private scheduleDuplicate(message: StoredMessage): void {
    message.duplicated = true;
    message.receiveCount = 0;
    message.firstReceiveTimestamp = undefined;
    message.receiptHandle = undefined;
    message.visibleAt = Date.now();
  }

  private newReceiptHandle(messageId: string): string {
    return Buffer.from(`${this.name}\n${messageId}\n${randomBytes(24).toString('base64')}`).toString('base64');
  }

  private parseReceiptHandle(receiptHandle: string): string {
    const [queue, messageId, nonce, ...rest] = Buffer.from(receiptHandle, 'base64').toString('utf8').split('\n');
    if (queue !== this.name || !messageId || !nonce || rest.length > 0) {
      throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`);
    }
    return messageId;
  }

  private messageAdded(message: StoredMessage): void {
    if (message.visibleAt <= Date.now()) this.changed.notify();
    else this.wakeNoLaterThan(message.visibleAt);
  }

  /** Makes sure waiters are woken when a message becomes visible at `at`. */
  private wakeNoLaterThan(at: number): void {
    if (this.closed || at >= this.wakeAt) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => this.wake(), Math.max(0, at - Date.now()));
    this.wakeTimer.unref();
  }

  private wake(): void {
    this.wakeAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const message of this.stored.values()) if (message.visibleAt > now && message.visibleAt < next) next = message.visibleAt;
    if (next < Infinity) this.wakeNoLaterThan(next);
    this.changed.notify();
  }
}

function stateOf(message: StoredMessage, now: number): MessageState {
  if (message.visibleAt <= now) return 'visible';
  return message.receiveCount > 0 ? 'inFlight' : 'delayed';
}
