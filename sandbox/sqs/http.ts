import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { fieldReaders, isSigned, readJsonObject, replyJson, type Json } from '../aws-json';
import { invalidValue, missingParameter, SqsError } from './errors';
import { failedEntry, faultError, type SqsFault } from './faults';
import type { MessageAttribute } from './md5';
import { ACCOUNT_ID, MAX_MESSAGE_BYTES, messageSize, type LocalQueue, type ReceivedMessage, type SendInput, type SendResult } from './queue';

type Operation = (input: Json, ctx: SqsApiContext) => Json | Promise<Json>;

export interface SqsApiContext {
  queues: ReadonlyMap<string, LocalQueue>;
  /** True once the emulator stops: long polls return at once. */
  isClosed: () => boolean;
  /** Fails calls (or batch entries) on SQS's side; tests only. */
  injectFault?: SqsFault;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const SYSTEM_ATTRIBUTE_NAMES = new Set([
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
]);

/** Queue attributes SQS knows but the sandbox's queues never set: asked for, they are simply absent. */
const UNSET_QUEUE_ATTRIBUTES = new Set(['Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds']);

const { optionalString, requiredString, optionalInteger, stringList, objectList } = fieldReaders({
  wrongType: (member, value, expected) => invalidValue(member, JSON.stringify(value), `It must be ${expected}.`),
  missing: missingParameter,
  outOfRange: (member, value, _bound, min, max) => invalidValue(member, value, `Must be >= ${min} and <= ${max}, if provided.`),
});

/** `{name: {DataType, StringValue | BinaryValue (base64)}}` → attributes with decoded binary values. */
function parseAttributes(value: unknown, parameter: string): Record<string, MessageAttribute> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidValue(parameter, JSON.stringify(value), 'It must be a map.');
  const attributes: Record<string, MessageAttribute> = {};
  for (const [name, raw] of Object.entries(value as Record<string, Json>)) {
    if (raw.StringListValues !== undefined || raw.BinaryListValues !== undefined) {
      throw invalidValue(`${parameter}.${name}`, 'StringListValues/BinaryListValues', 'List values are reserved for future use.');
    }
    attributes[name] = {
      DataType: typeof raw.DataType === 'string' ? raw.DataType : '',
      ...(typeof raw.StringValue === 'string' && { StringValue: raw.StringValue }),
      ...(typeof raw.BinaryValue === 'string' && { BinaryValue: Buffer.from(raw.BinaryValue, 'base64') }),
    };
  }
  return attributes;
}

const attributesToJson = (attributes: Record<string, MessageAttribute>): Json =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, a]) => [
      name,
      { DataType: a.DataType, ...(a.StringValue !== undefined && { StringValue: a.StringValue }), ...(a.BinaryValue && { BinaryValue: a.BinaryValue.toString('base64') }) },
    ]),
  );

// ---- queues ----

/** The queue a QueueUrl names: any host, path `/000000000000/{name}`. */
function queueByUrl(ctx: SqsApiContext, queueUrl: string): LocalQueue {
  let path: string;
  try {
    path = new URL(queueUrl).pathname;
  } catch {
    throw new SqsError('InvalidAddress', `The address ${queueUrl} is not valid for this endpoint.`);
  }
  const [, account, name, ...rest] = path.split('/');
  const queue = account === ACCOUNT_ID && rest.length === 0 ? ctx.queues.get(name ?? '') : undefined;
  if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
  return queue;
}

const queueOf = (input: Json, ctx: SqsApiContext): LocalQueue => queueByUrl(ctx, requiredString(input, 'QueueUrl'));

// ---- batches ----

/** The checks every batch request gets before its entries: 1–10 entries, valid and distinct ids. */
function checkBatch(entries: Json[], entryName: string): void {
  if (entries.length === 0) throw new SqsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id;
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) {
      throw new SqsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    }
    if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
}

/** What the fault hook needs to judge a batch's entries. */
interface BatchFaults {
  ctx: SqsApiContext;
  operation: string;
  queue: LocalQueue;
}

/**
 * Runs each entry; an SqsError becomes the entry's `Failed` item, as SQS reports per-entry failures,
 * and so does an entry the fault hook fails.
 */
function runBatch(entries: Json[], run: (entry: Json) => Json, faults: BatchFaults): Json {
  const Successful: Json[] = [];
  const Failed: Json[] = [];
  for (const entry of entries) {
    const body = typeof entry.MessageBody === 'string' ? entry.MessageBody : undefined;
    const fault = faults.ctx.injectFault?.({ operation: faults.operation, queue: faults.queue.name, entryId: String(entry.Id), body, input: entry });
    if (fault) {
      Failed.push(failedEntry(entry.Id, fault));
      continue;
    }
    try {
      Successful.push({ Id: entry.Id, ...run(entry) });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: true, Code: error.queryCode, Message: error.message });
    }
  }
  return { Successful, Failed };
}

// ---- operations ----

function sendInput(input: Json): SendInput {
  return {
    // Missing or empty: the queue answers MissingParameter.
    body: optionalString(input, 'MessageBody') ?? '',
    // The queue checks the range: it depends on the queue type.
    delaySeconds: optionalInteger(input, 'DelaySeconds'),
    messageAttributes: parseAttributes(input.MessageAttributes, 'MessageAttributes'),
    messageSystemAttributes: parseAttributes(input.MessageSystemAttributes, 'MessageSystemAttributes'),
    groupId: optionalString(input, 'MessageGroupId'),
    deduplicationId: optionalString(input, 'MessageDeduplicationId'),
  };
}

const sendOutput = (result: SendResult): Json => ({
  MessageId: result.messageId,
  MD5OfMessageBody: result.md5OfMessageBody,
  ...(result.md5OfMessageAttributes && { MD5OfMessageAttributes: result.md5OfMessageAttributes }),
  ...(result.md5OfMessageSystemAttributes && { MD5OfMessageSystemAttributes: result.md5OfMessageSystemAttributes }),
  ...(result.sequenceNumber && { SequenceNumber: result.sequenceNumber }),
});

function sendMessageBatch(input: Json, ctx: SqsApiContext): Json {
  const queue = queueOf(input, ctx);
  const entries = objectList(input, 'Entries');
  checkBatch(entries, 'SendMessageBatchRequestEntry');
  // An entry that does not even parse fails alone, like one the queue refuses.
  const parsed = new Map(entries.map((entry) => [entry, attempt(() => sendInput(entry))]));
  const total = [...parsed.values()].reduce((sum, e) => sum + (e instanceof SqsError ? 0 : messageSize(e.body, e.messageAttributes)), 0);
  if (total > MAX_MESSAGE_BYTES) {
    throw new SqsError('BatchRequestTooLong', `Batch requested message too long. Total size: ${total} bytes, maximum: ${MAX_MESSAGE_BYTES} bytes.`);
  }
  return runBatch(
    entries,
    (entry) => {
      const input = parsed.get(entry)!;
      if (input instanceof SqsError) throw input;
      return sendOutput(queue.send(input));
    },
    { ctx, operation: 'SendMessageBatch', queue },
  );
}

function attempt<T>(run: () => T): T | SqsError {
  try {
    return run();
  } catch (error) {
    if (error instanceof SqsError) return error;
    throw error;
  }
}

/** The system attributes asked for with `AttributeNames` / `MessageSystemAttributeNames` (`All` or names). */
function selectSystemAttributes(message: ReceivedMessage, names: Set<string>): Record<string, string> | undefined {
  if (names.size === 0) return undefined;
  const selected = Object.entries(message.attributes).filter(([name]) => names.has('All') || names.has(name));
  return selected.length > 0 ? Object.fromEntries(selected) : undefined;
}

/** The message attributes asked for with `MessageAttributeNames`: `All`, `.*`, `prefix.*` or names. */
function selectMessageAttributes(message: ReceivedMessage, patterns: string[]): Json | undefined {
  const wanted = (name: string): boolean =>
    patterns.some((p) => p === 'All' || p === '.*' || p === name || (p.endsWith('.*') && name.startsWith(p.slice(0, -1))));
  const selected = Object.fromEntries(Object.entries(message.messageAttributes).filter(([name]) => wanted(name)));
  return Object.keys(selected).length > 0 ? attributesToJson(selected) : undefined;
}

async function receiveMessage(input: Json, ctx: SqsApiContext): Promise<Json> {
  const queue = queueOf(input, ctx);
  const max = optionalInteger(input, 'MaxNumberOfMessages', { min: 1, max: 10 }) ?? 1;
  const visibilitySeconds = optionalInteger(input, 'VisibilityTimeout', { min: 0, max: 43_200 });
  const waitSeconds = optionalInteger(input, 'WaitTimeSeconds', { min: 0, max: 20 }) ?? 0;
  const systemNames = new Set([...stringList(input, 'AttributeNames'), ...stringList(input, 'MessageSystemAttributeNames')]);
  for (const name of systemNames) {
    if (name !== 'All' && !SYSTEM_ATTRIBUTE_NAMES.has(name)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  }
  const attributePatterns = stringList(input, 'MessageAttributeNames');

  const deadline = Date.now() + waitSeconds * 1000;
  let messages = queue.receive({ max, visibilityTimeoutMs: visibilitySeconds === undefined ? undefined : visibilitySeconds * 1000 });
  while (messages.length === 0 && Date.now() < deadline && !ctx.isClosed()) {
    await queue.changed.wait(deadline - Date.now());
    messages = queue.receive({ max, visibilityTimeoutMs: visibilitySeconds === undefined ? undefined : visibilitySeconds * 1000 });
  }
  if (messages.length === 0) return {};
  return {
    Messages: messages.map((message) => {
      const attributes = selectSystemAttributes(message, systemNames);
      const messageAttributes = selectMessageAttributes(message, attributePatterns);
      return {
        MessageId: message.messageId,
        ReceiptHandle: message.receiptHandle,
        MD5OfBody: message.md5OfBody,
        Body: message.body,
        ...(attributes && { Attributes: attributes }),
        ...(message.md5OfMessageAttributes && { MD5OfMessageAttributes: message.md5OfMessageAttributes }),
        ...(messageAttributes && { MessageAttributes: messageAttributes }),
      };
    }),
  };
}

function deleteMessageBatch(input: Json, ctx: SqsApiContext): Json {
  const queue = queueOf(input, ctx);
  const entries = objectList(input, 'Entries');
  checkBatch(entries, 'DeleteMessageBatchRequestEntry');
  return runBatch(
    entries,
    (entry) => {
      queue.delete(requiredString(entry, 'ReceiptHandle'));
      return {};
    },
    { ctx, operation: 'DeleteMessageBatch', queue },
  );
}

function getQueueUrl(input: Json, ctx: SqsApiContext): Json {
  const name = requiredString(input, 'QueueName');
  const owner = optionalString(input, 'QueueOwnerAWSAccountId');
  const queue = owner === undefined || owner === ACCOUNT_ID ? ctx.queues.get(name) : undefined;
  if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
  return { QueueUrl: queue.url };
}

function getQueueAttributes(input: Json, ctx: SqsApiContext): Json {
  const queue = queueOf(input, ctx);
  const names = stringList(input, 'AttributeNames');
  const all = queue.attributes();
  for (const name of names) {
    if (name !== 'All' && !(name in all) && !UNSET_QUEUE_ATTRIBUTES.has(name)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  }
  const selected = Object.entries(all).filter(([name]) => names.includes('All') || names.includes(name));
  return selected.length > 0 ? { Attributes: Object.fromEntries(selected) } : {};
}

const OPERATIONS: Record<string, Operation> = {
  SendMessage: (input, ctx) => sendOutput(queueOf(input, ctx).send(sendInput(input))),
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: (input, ctx) => {
    queueOf(input, ctx).delete(requiredString(input, 'ReceiptHandle'));
    return {};
  },
  DeleteMessageBatch: deleteMessageBatch,
  GetQueueUrl: getQueueUrl,
  GetQueueAttributes: getQueueAttributes,
  PurgeQueue: (input, ctx) => {
    queueOf(input, ctx).purge();
    return {};
  },
};

// ---- HTTP ----


/** The operation an `X-Amz-Target: AmazonSQS.<Operation>` POST names, after the protocol checks. */
function operationOf(req: IncomingMessage): { name: string; run: Operation } {
  const target = req.headers['x-amz-target'];
  const contentType = req.headers['content-type'] ?? '';
  if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith('AmazonSQS.') || !contentType.startsWith(JSON_CONTENT_TYPE)) {
    throw new SqsError(
      'UnsupportedOperation',
      `The sandbox's SQS speaks the JSON protocol only: POST with X-Amz-Target: AmazonSQS.<Operation> and Content-Type: ${JSON_CONTENT_TYPE}.`,
    );
  }
  if (!isSigned(req)) throw new SqsError('MissingAuthenticationToken', 'Missing Authentication Token');
  const name = target.slice('AmazonSQS.'.length);
  const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
  if (!operation) {
    throw new SqsError(
      'UnsupportedOperation',
      `${name} is not supported by the sandbox's SQS (queues are declared in SandboxOptions.queues). Supported: ${Object.keys(OPERATIONS).join(', ')}.`,
    );
  }
  return { name, run: operation };
}

/** The name of the queue a request's QueueUrl names, for the fault hook ('' when it names none). */
function queueNameOf(input: Json, ctx: SqsApiContext): string {
  try {
    return queueOf(input, ctx).name;
  } catch {
    return '';
  }
}

async function serve(req: IncomingMessage, res: ServerResponse, ctx: SqsApiContext): Promise<void> {
  const requestId = randomUUID();
  try {
    const operation = operationOf(req);
    const input = await readJsonObject(req, MAX_REQUEST_BYTES, (problem) =>
      problem === 'too_large'
        ? new SqsError('InvalidParameterValue', `The request is larger than ${MAX_REQUEST_BYTES} bytes.`)
        : new SqsError('SerializationException', problem === 'not_json' ? 'The request body is not valid JSON.' : 'The request body must be a JSON object.'),
    );
    const body = typeof input.MessageBody === 'string' ? input.MessageBody : undefined;
    const fault = ctx.injectFault?.({ operation: operation.name, queue: queueNameOf(input, ctx), body, input });
    if (fault) throw faultError(fault);
    const output = await operation.run(input, ctx);
    replyJson(res, { status: 200, contentType: JSON_CONTENT_TYPE, requestId, body: output });
  } catch (error) {
    if (error instanceof SqsError) return replyJson(res, { ...error.toReply(), contentType: JSON_CONTENT_TYPE, requestId });
    const message = error instanceof Error ? error.message : String(error);
    replyJson(res, { status: 500, contentType: JSON_CONTENT_TYPE, requestId, body: { __type: 'InternalFailure', message } });
  }
}

/** The request listener of the emulator's HTTP server: the SQS JSON protocol (awsJson1_0, query-compatible errors). */
export function sqsRequestListener(ctx: SqsApiContext): RequestListener {
  return (req, res) => void serve(req, res, ctx);
}
