import { createServer } from 'node:http';
import { heldListener } from '../latency';
import type { AddressInfo } from 'node:net';
import type { LocalFunction } from '../lambda';
import type { SqsFault } from './faults';
import { sqsRequestListener } from './http';
import { SqsEventSourceMapping, type EventSourceMappingOptions } from './mapping';
import { LocalQueue, type QueueDefinition } from './queue';

export { SqsError, type SqsErrorCode } from './errors';
export { SQS_FAULT_KINDS, type SqsCall, type SqsFault, type SqsFaultKind } from './faults';
export { md5Hex, md5OfMessageAttributes, type MessageAttribute } from './md5';
export {
  readBatchResponse,
  SqsEventSourceMapping,
  toSqsRecord,
  type BatchFailure,
  type EventSourceMappingOptions,
  type MappingCounters,
} from './mapping';
export {
  ACCOUNT_ID,
  LocalQueue,
  MAX_MESSAGE_BYTES,
  REGION,
  SENDER_ID,
  seededRandom,
  type MessageState,
  type QueueCounters,
  type QueueStats,
  type QueueDefinition,
  type QueuedMessage,
  type ReceivedMessage,
  type SendInput,
  type SendResult,
} from './queue';

export interface SqsOptions {
  queues: QueueDefinition[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Fails calls (or batch entries) on SQS's side, as a test decides (see `SqsFault`). Default: none. */
  injectFault?: SqsFault;
  /** SQS's modelled round trip, waited before each HTTP call is served (sandbox/latency.ts). Default: none. */
  hold?: () => Promise<void>;
}

/** A running SQS emulator: its queues, their event source mappings and the HTTP endpoint serving them. */
export interface LocalSqs {
  /** `http://host:port`, for `new SQSClient({ endpoint })` and `AWS_ENDPOINT_URL_SQS`. */
  endpoint: string;
  queues: ReadonlyMap<string, LocalQueue>;
  mappings: readonly SqsEventSourceMapping[];
  /** The queue named `name`; throws naming the declared queues when there is none. */
  queue(name: string): LocalQueue;
  /** Starts polling `queue` for `fn`, like `aws_lambda_event_source_mapping`. */
  addEventSourceMapping(queue: string, fn: LocalFunction, options?: EventSourceMappingOptions): SqsEventSourceMapping;
  /**
   * Stops the mappings (no function is invoked from now on) while the API keeps answering, so
   * functions still running (a `$disconnect`) can still send.
   */
  quiesce(): Promise<void>;
  /** Stops the mappings, ends long polls and closes the server. */
  stop(): Promise<void>;
}

/** Queues keyed by name, each with its dead-letter queue attached; throws on an invalid declaration. */
function createQueues(definitions: QueueDefinition[], endpoint: string): Map<string, LocalQueue> {
  const queues = new Map<string, LocalQueue>();
  for (const definition of definitions) {
    if (queues.has(definition.name)) throw new Error(`queue ${definition.name} is declared twice`);
    queues.set(definition.name, new LocalQueue(definition, endpoint));
  }
  for (const queue of queues.values()) queue.attachDeadLetterQueue((name) => queues.get(name));
  return queues;
}

/**
 * Starts an in-process SQS speaking the JSON protocol of `@aws-sdk/client-sqs` v3 on its own HTTP
 * server. Queue URLs are `http://host:port/000000000000/{name}`, so a client with only a region and
 * credentials reaches the emulator through the QueueUrl (the SDK's `useQueueUrlAsEndpoint`).
 *
 * @example
 * const sqs = await startSqs({ queues: [{ name: 'jobs.fifo', visibilityTimeoutMs: 500 }] });
 * const client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials });
 * await client.send(new SendMessageCommand({ QueueUrl: sqs.queue('jobs.fifo').url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: '1' }));
 */
export async function startSqs(options: SqsOptions): Promise<LocalSqs> {
  const host = options.host ?? '127.0.0.1';
  // The listener serves this map; it is filled once the port, and so the queue URLs, are known.
  const queues = new Map<string, LocalQueue>();
  let closed = false;
  const listener = sqsRequestListener({ queues, isClosed: () => closed, injectFault: options.injectFault });
  const server = createServer(options.hold ? heldListener(listener, options.hold) : listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const endpoint = `http://${host}:${(server.address() as AddressInfo).port}`;
  try {
    for (const [name, queue] of createQueues(options.queues, endpoint)) queues.set(name, queue);
  } catch (error) {
    server.close();
    throw error;
  }

  const mappings: SqsEventSourceMapping[] = [];
  const queue = (name: string): LocalQueue => {
    const found = queues.get(name);
    if (!found) throw new Error(`no queue named ${JSON.stringify(name)} in the sandbox (declared: ${[...queues.keys()].join(', ') || 'none'})`);
    return found;
  };
  return {
    endpoint,
    queues,
    mappings,
    queue,
    addEventSourceMapping(queueName, fn, mappingOptions) {
      const mapping = new SqsEventSourceMapping(queue(queueName), fn, mappingOptions);
      mappings.push(mapping);
      mapping.start();
      return mapping;
    },
    async quiesce() {
      await Promise.all(mappings.map((mapping) => mapping.stop()));
    },
    async stop() {
      closed = true;
      await Promise.all(mappings.map((mapping) => mapping.stop()));
      for (const q of queues.values()) q.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
