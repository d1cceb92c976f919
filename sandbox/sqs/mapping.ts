import type { SQSRecord } from 'aws-lambda';
import type { InvokeOutcome, LocalFunction } from '../lambda';
import { Signal } from '../signal';
import { REGION, type LocalQueue, type ReceivedMessage } from './queue';

export interface EventSourceMappingOptions {
  /** Records per invocation. Default 10; FIFO 1–10; standard 1–10, up to 10 000 with a batching window of at least 1 s. */
  batchSize?: number;
  /** How long to gather records toward a full batch. Default 0: invoke with what is there. */
  maximumBatchingWindowMs?: number;
  /** Invocations at once. Default 5 (Lambda's own minimum is 2; 1 is allowed here for tests). */
  maximumConcurrency?: number;
  /**
   * The function's timeout: at most the queue's visibility timeout (Lambda refuses a mapping otherwise,
   * as records would reappear while still being processed). Default: 30 000, or the visibility timeout
   * when that is shorter.
   */
  timeoutMs?: number;
  /**
   * `FunctionResponseTypes: ["ReportBatchItemFailures"]`: the function's `{batchItemFailures}` decides
   * which records stay in the queue. Default true, as the project's Terraform configures its mapping;
   * false is Lambda's own default (the response is ignored, every record of a successful batch deleted).
   */
  reportBatchItemFailures?: boolean;
}

/** Why a whole batch was left in the queue. */
export interface BatchFailure {
  reason: 'error' | 'timeout' | 'malformed-response';
  detail: string;
  messageIds: string[];
}

export interface MappingCounters {
  invocations: number;
  /** Batches left entirely in the queue (error, timeout, malformed partial response). */
  failedBatches: number;
  /** Records a valid partial batch response reported as failed. */
  failedRecords: number;
  /** Records deleted after their invocation. */
  deletedRecords: number;
}

type Verdict = { kind: 'all-failed'; failure: Omit<BatchFailure, 'messageIds'> } | { kind: 'some-failed'; ids: Set<string> };

const KEEP_FAILURES = 50;

/** The SQS record Lambda builds from a received message. */
export function toSqsRecord(message: ReceivedMessage, queue: LocalQueue): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: message.attributes as unknown as SQSRecord['attributes'],
    messageAttributes: Object.fromEntries(
      Object.entries(message.messageAttributes).map(([name, a]) => [
        name,
        {
          ...(a.StringValue !== undefined && { stringValue: a.StringValue }),
          ...(a.BinaryValue && { binaryValue: a.BinaryValue.toString('base64') }),
          stringListValues: [],
          binaryListValues: [],
          dataType: a.DataType,
        },
      ]),
    ),
    md5OfBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes && { md5OfMessageAttributes: message.md5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: REGION,
  };
}

/**
 * Lambda's reading of a partial batch response: null, no `batchItemFailures` or an empty list is
 * complete success; anything it cannot read (not an object, not a list, an entry without a non-empty
 * string `itemIdentifier`, an id not in the batch) fails the whole batch.
 */
export function readBatchResponse(result: unknown, batchIds: ReadonlySet<string>): Verdict {
  const malformed = (detail: string): Verdict => ({ kind: 'all-failed', failure: { reason: 'malformed-response', detail } });
  if (result === null || result === undefined) return { kind: 'some-failed', ids: new Set() };
  if (typeof result !== 'object' || Array.isArray(result)) return malformed(`the response is not an object: ${JSON.stringify(result)}`);
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { kind: 'some-failed', ids: new Set() };
  if (!Array.isArray(failures)) return malformed('batchItemFailures is not a list');
  const ids = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = typeof failure === 'object' && failure !== null ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') return malformed(`an entry has no itemIdentifier: ${JSON.stringify(failure)}`);
    if (!batchIds.has(id)) return malformed(`itemIdentifier ${id} is not a message of the batch`);
    ids.add(id);
  }
  return { kind: 'some-failed', ids };
}

function judge(outcome: InvokeOutcome, batchIds: ReadonlySet<string>, reportBatchItemFailures: boolean): Verdict {
  switch (outcome.status) {
    case 'error':
      return { kind: 'all-failed', failure: { reason: 'error', detail: `${outcome.errorType}: ${outcome.errorMessage}` } };
    case 'timeout':
      return { kind: 'all-failed', failure: { reason: 'timeout', detail: 'the function timed out' } };
    case 'ok':
      return reportBatchItemFailures ? readBatchResponse(outcome.result, batchIds) : { kind: 'some-failed', ids: new Set() };
  }
}

function validate(queue: LocalQueue, options: Required<EventSourceMappingOptions>): void {
  const { batchSize, maximumBatchingWindowMs, maximumConcurrency, timeoutMs } = options;
  const where = `event source mapping of ${queue.name}`;
  const maxBatch = queue.fifo ? 10 : maximumBatchingWindowMs >= 1000 ? 10_000 : 10;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatch) {
    throw new Error(
      `${where}: batchSize must be 1 to ${maxBatch}${queue.fifo ? ' on a FIFO queue' : maxBatch === 10 ? ' (more needs maximumBatchingWindowMs >= 1000)' : ''}`,
    );
  }
  if (!(maximumBatchingWindowMs >= 0 && maximumBatchingWindowMs <= 300_000)) throw new Error(`${where}: maximumBatchingWindowMs must be 0 to 300 000`);
  if (!Number.isInteger(maximumConcurrency) || maximumConcurrency < 1) throw new Error(`${where}: maximumConcurrency must be a positive integer`);
  if (!(timeoutMs > 0)) throw new Error(`${where}: timeoutMs must be positive`);
  if (timeoutMs > queue.visibilityTimeoutMs) {
    throw new Error(`${where}: the queue's visibility timeout (${queue.visibilityTimeoutMs} ms) is less than the function timeout (${timeoutMs} ms)`);
  }
}

/**
 * Lambda's event source mapping for SQS: pollers receive batches (with the queue's visibility
 * timeout) and invoke the function with `{Records}`; records of a successful invocation are deleted,
 * those of a failed one (error, timeout, malformed partial response) stay and come back after the
 * visibility timeout, until the queue's redrive policy moves them to its dead-letter queue.
 * Messages are picked up as soon as they are sent (the poller waits on the queue, it does not poll).
 */
export class SqsEventSourceMapping {
  readonly counters: MappingCounters = { invocations: 0, failedBatches: 0, failedRecords: 0, deletedRecords: 0 };
  /** The latest batch failures (at most 50), oldest first. */
  readonly failures: BatchFailure[] = [];
  private readonly options: Required<EventSourceMappingOptions>;
  private readonly slotFreed = new Signal();
  private readonly stopping = new Signal();
  private running = 0;
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    readonly queue: LocalQueue,
    readonly fn: LocalFunction,
    options: EventSourceMappingOptions = {},
  ) {
    this.options = {
      batchSize: options.batchSize ?? 10,
      maximumBatchingWindowMs: options.maximumBatchingWindowMs ?? 0,
      maximumConcurrency: options.maximumConcurrency ?? 5,
      timeoutMs: options.timeoutMs ?? Math.min(30_000, queue.visibilityTimeoutMs),
      reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    };
    validate(queue, this.options);
  }

  /** Invocations in progress. */
  get invocationsRunning(): number {
    return this.running;
  }

  start(): void {
    this.loop ??= this.poll().catch((error: unknown) => {
      this.remember({ reason: 'error', detail: `the poller stopped: ${String(error)}`, messageIds: [] });
    });
  }

  /** Stops polling. Invocations in progress finish on their own (their records are still deleted). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.notify();
    await this.loop;
  }

  /** The queue's {@link LocalQueue.drained}: empty, and no invocation (of any mapping of it) running. */
  drained(timeoutMs = 10_000): Promise<void> {
    return this.queue.drained(timeoutMs);
  }

  private async poll(): Promise<void> {
    const { batchSize, maximumBatchingWindowMs, maximumConcurrency } = this.options;
    while (!this.stopped) {
      if (this.running >= maximumConcurrency) {
        await Signal.any([this.slotFreed, this.stopping]);
        continue;
      }
      const batch = this.queue.receive({ max: batchSize });
      if (batch.length === 0) {
        await Signal.any([this.queue.changed, this.stopping]);
        continue;
      }
      // The batch is work from its first record on: a record can leave the queue while the batching
      // window is open (its visibility expires and the next receive moves it to the dead-letter queue),
      // and drained() must not resolve before the batch assembled so far is invoked.
      const done = this.queue.beginWork();
      if (batch.length < batchSize && maximumBatchingWindowMs > 0) await this.fill(batch, Date.now() + maximumBatchingWindowMs);
      this.running += 1;
      void this.invoke(batch)
        .catch((error: unknown) => this.remember({ reason: 'error', detail: `the mapping failed: ${String(error)}`, messageIds: batch.map((m) => m.messageId) }))
        .finally(() => {
          this.running -= 1;
          done();
          this.slotFreed.notify();
        });
    }
  }

  /** The batching window: adds records as they arrive until the batch is full or the window closes. */
  private async fill(batch: ReceivedMessage[], until: number): Promise<void> {
    while (batch.length < this.options.batchSize && Date.now() < until && !this.stopped) {
      await Signal.any([this.queue.changed, this.stopping], until - Date.now());
      batch.push(...this.queue.receive({ max: this.options.batchSize - batch.length }));
    }
  }

  private async invoke(batch: ReceivedMessage[]): Promise<void> {
    this.counters.invocations += 1;
    const outcome = await this.fn.invoke({ Records: batch.map((message) => toSqsRecord(message, this.queue)) }, this.options.timeoutMs);
    const verdict = judge(outcome, new Set(batch.map((m) => m.messageId)), this.options.reportBatchItemFailures);
    if (verdict.kind === 'all-failed') {
      this.counters.failedBatches += 1;
      this.remember({ ...verdict.failure, messageIds: batch.map((m) => m.messageId) });
      return;
    }
    this.counters.failedRecords += verdict.ids.size;
    for (const message of batch) {
      if (verdict.ids.has(message.messageId)) continue;
      // A stale handle (the record outlived its visibility timeout and was received again) deletes nothing.
      if (this.queue.delete(message.receiptHandle)) this.counters.deletedRecords += 1;
    }
  }

  private remember(failure: BatchFailure): void {
    this.failures.push(failure);
    if (this.failures.length > KEEP_FAILURES) this.failures.shift();
  }
}
