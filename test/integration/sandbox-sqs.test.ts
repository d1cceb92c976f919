import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  DeleteMessageCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidBatchEntryId,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  TooManyEntriesInBatchRequest,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { startSandbox, type Sandbox } from '../../sandbox';
import { md5OfMessageAttributes } from '../../sandbox/sqs';
import { eventually, rawRequest, SIGNED, sleep } from '../helpers/clients';
import { LogCapture } from '../helpers/logs';

const handlers = path.join(__dirname, '..', 'fixtures', 'handlers');
const file = (name: string) => ({ file: path.join(handlers, `${name}.js`) });
const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
/** How long an ESM test's records stay hidden after a failed invocation (also their invocation timeout:
 * long enough that a loaded machine does not time out an invocation the test expects to succeed). */
const VISIBILITY_MS = 400;
/** Queues the SDK tests use directly (no event source mapping); emptied after each test. */
const API_QUEUES = ['plain', 'visibility', 'orders.fifo', 'dedup.fifo', 'redrive', 'redrive-dlq', 'outbox'];
const ESM = { function: 'consumer', maximumBatchingWindowMs: 100, maximumConcurrency: 1 };

describe('sandbox SQS emulator', () => {
  let sandbox: Sandbox;
  let logs: LogCapture;
  let sqs: SQSClient;
  const queue = (name: string) => sandbox.queues.get(name)!;
  const url = (name: string) => queue(name).url;
  const mapping = (name: string) => sandbox.eventSourceMappings.find((m) => m.queue.name === name)!;

  beforeAll(async () => {
    logs = new LogCapture();
    sandbox = await startSandbox({
      port: 0,
      functions: { consumer: { source: file('sqs-consumer') }, producer: { source: file('sqs-producer') } },
      routes: {},
      queues: [
        { name: 'plain' },
        { name: 'visibility', visibilityTimeoutMs: 300 },
        { name: 'orders.fifo', visibilityTimeoutMs: 300 },
        { name: 'dedup.fifo', contentBasedDeduplication: true, deduplicationWindowMs: 500 },
        { name: 'redrive', visibilityTimeoutMs: 100, maxReceiveCount: 2, deadLetterQueue: 'redrive-dlq' },
        { name: 'redrive-dlq' },
        { name: 'outbox' },
        { name: 'esm-shape.fifo' },
        { name: 'esm-prompt' },
        { name: 'esm-partial', visibilityTimeoutMs: VISIBILITY_MS },
        { name: 'esm-throw', visibilityTimeoutMs: VISIBILITY_MS },
        { name: 'esm-timeout', visibilityTimeoutMs: 300 }, // Lambda: at least the function timeout
        { name: 'esm-malformed', visibilityTimeoutMs: VISIBILITY_MS },
        { name: 'esm-ignored', visibilityTimeoutMs: VISIBILITY_MS },
        { name: 'esm-dup', visibilityTimeoutMs: VISIBILITY_MS, duplicateDelivery: true },
        { name: 'esm-groups.fifo', visibilityTimeoutMs: 5_000 },
        // Longer than the batching window plus a slow invocation on a loaded machine: a record comes
        // back only because its invocation failed, never because the window outlasted its visibility.
        { name: 'esm-poison', visibilityTimeoutMs: 400, maxReceiveCount: 2, deadLetterQueue: 'esm-poison-dlq' },
        { name: 'esm-poison-dlq' },
        // Shorter than the batching window on purpose: the record expires while its batch is assembled.
        { name: 'esm-window', visibilityTimeoutMs: 50, maxReceiveCount: 1, deadLetterQueue: 'esm-window-dlq' },
        { name: 'esm-window-dlq' },
      ],
      eventSourceMappings: [
        { queue: 'esm-shape.fifo', function: 'consumer' },
        { queue: 'esm-prompt', function: 'consumer' },
        { ...ESM, queue: 'esm-partial', batchSize: 3 },
        { ...ESM, queue: 'esm-throw', batchSize: 2 },
        { ...ESM, queue: 'esm-timeout', batchSize: 2, timeoutMs: 300 },
        { ...ESM, queue: 'esm-malformed', batchSize: 2 },
        { ...ESM, queue: 'esm-ignored', batchSize: 2, reportBatchItemFailures: false },
        { ...ESM, queue: 'esm-dup', batchSize: 3, maximumConcurrency: 5 },
        { queue: 'esm-groups.fifo', function: 'consumer', batchSize: 1, maximumConcurrency: 4 },
        { ...ESM, queue: 'esm-poison', batchSize: 2 },
        { ...ESM, queue: 'esm-window', batchSize: 2, maximumBatchingWindowMs: 300, timeoutMs: 50 },
      ],
      queueUrlEnv: { OUTBOX_URL: 'outbox' },
      onLog: logs.sink,
    });
    sqs = new SQSClient({ endpoint: sandbox.sqsEndpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    sqs.destroy();
    await sandbox.stop();
  });
  afterEach(() => {
    for (const name of API_QUEUES) queue(name).purge();
  });

  const receive = (name: string, extra: { MaxNumberOfMessages?: number; WaitTimeSeconds?: number; VisibilityTimeout?: number } = {}) =>
    sqs
      .send(new ReceiveMessageCommand({ QueueUrl: url(name), MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'], ...extra }))
      .then((out) => out.Messages ?? []);

  describe('the JSON protocol, through the real SDK client', () => {
    it('sends, receives and deletes a message; the SDK checks MD5OfMessageBody against the UTF-8 body', async () => {
      const body = 'héllo wörld ✓ 𝄞 {"json": true}';
      const sent = await sqs.send(
        new SendMessageCommand({ QueueUrl: url('plain'), MessageBody: body, MessageAttributes: { SellerName: { DataType: 'String', StringValue: 'Example Store' } } }),
      );
      expect(sent.MD5OfMessageBody).toBe(md5(body));
      // The SQS developer guide's example attribute.
      expect(sent.MD5OfMessageAttributes).toBe('cd28f3b68aeee4b2eac9c66f2f694b58');

      const [message, ...more] = await receive('plain', { MaxNumberOfMessages: 10 });
      expect(more).toEqual([]);
      expect(message).toEqual({
        MessageId: sent.MessageId,
        ReceiptHandle: expect.any(String),
        MD5OfBody: md5(body),
        Body: body,
        Attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: expect.stringMatching(/^\d{13}$/),
          SenderId: expect.any(String),
          ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
        },
        MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
        MessageAttributes: { SellerName: { DataType: 'String', StringValue: 'Example Store' } },
      });
      expect(queue('plain').stats()).toMatchObject({ visible: 0, inFlight: 1 });

      await sqs.send(new DeleteMessageCommand({ QueueUrl: url('plain'), ReceiptHandle: message!.ReceiptHandle }));
      expect(queue('plain').messages()).toEqual([]);
      expect(queue('plain').stats()).toMatchObject({ sent: 1, received: 1, deleted: 1 });
    });

    it.each([
      ['one String', { SellerName: { DataType: 'String', StringValue: 'Example Store' } }, 'cd28f3b68aeee4b2eac9c66f2f694b58'],
      ['one Number', { timestamp: { DataType: 'Number', StringValue: '1493147359900' } }, '235c5c510d26fb653d073faed50ae77c'],
      [
        'a Number and a String (sorted by name)',
        { ordinal: { DataType: 'Number', StringValue: '1' }, category: { DataType: 'String', StringValue: 'test' } },
        'd21ae90c49061e927f57df5f5d72be1f',
      ],
    ])('computes MD5OfMessageAttributes as SQS does: %s', (_what, attributes, expected) => {
      expect(md5OfMessageAttributes(attributes)).toBe(expected);
    });

    it('answers a client with only a region and credentials, which sends to the QueueUrl host', async () => {
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      const bare = new SQSClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
      try {
        const sent = await bare.send(new SendMessageCommand({ QueueUrl: url('plain'), MessageBody: 'via the queue URL' }));
        expect(queue('plain').messages().map((m) => [m.messageId, m.body])).toEqual([[sent.MessageId, 'via the queue URL']]);
        expect(String(warn.mock.calls[0]?.[0])).toContain('using QueueUrl host as endpoint');
      } finally {
        bare.destroy();
        warn.mockRestore();
      }
    });

    it('reports a failed batch entry next to the successful ones', async () => {
      const out = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url('orders.fifo'),
          Entries: [
            { Id: 'first', MessageBody: 'one', MessageGroupId: 'g', MessageDeduplicationId: 'd1' },
            { Id: 'no-group', MessageBody: 'two', MessageDeduplicationId: 'd2' },
            { Id: 'bad-body', MessageBody: 'nul \u0000 inside', MessageGroupId: 'g', MessageDeduplicationId: 'd3' },
            { Id: 'last', MessageBody: 'four', MessageGroupId: 'g', MessageDeduplicationId: 'd4' },
          ],
        }),
      );
      expect(out.Successful?.map((s) => [s.Id, s.MD5OfMessageBody])).toEqual([
        ['first', md5('one')],
        ['last', md5('four')],
      ]);
      expect(out.Successful?.every((s) => /^\d{20}$/.test(s.SequenceNumber ?? ''))).toBe(true);
      expect(out.Failed).toEqual([
        { Id: 'no-group', SenderFault: true, Code: 'MissingParameter', Message: 'The request must contain the parameter MessageGroupId.' },
        { Id: 'bad-body', SenderFault: true, Code: 'InvalidMessageContents', Message: expect.stringContaining("Invalid binary character '#x0'") },
      ]);
      expect(queue('orders.fifo').messages().map((m) => m.body)).toEqual(['one', 'four']);
    });

    it.each([
      ['no entries', [], EmptyBatchRequest],
      ['11 entries', Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })), TooManyEntriesInBatchRequest],
      ['two entries with one id', [{ Id: 'same', MessageBody: 'a' }, { Id: 'same', MessageBody: 'b' }], BatchEntryIdsNotDistinct],
      ['an id with a space', [{ Id: 'not ok', MessageBody: 'a' }], InvalidBatchEntryId],
      ['262 145 bytes in all', [{ Id: 'a', MessageBody: 'x'.repeat(131_072) }, { Id: 'b', MessageBody: 'y'.repeat(131_073) }], BatchRequestTooLong],
      ['262 146 UTF-8 bytes in 131 073 characters', [{ Id: 'a', MessageBody: 'é'.repeat(131_073) }], BatchRequestTooLong],
    ])('refuses a whole batch with %s', async (_what, entries: SendMessageBatchRequestEntry[], exception) => {
      const error = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url('plain'), Entries: entries })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(exception);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 400 } });
      expect(queue('plain').size).toBe(0);
    });

    it('surfaces QueueDoesNotExist, MissingParameter and InvalidParameterValue as the SDK names them', async () => {
      await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
      await expect(sqs.send(new SendMessageCommand({ QueueUrl: `${sandbox.sqsEndpoint}/000000000000/nope`, MessageBody: 'x' }))).rejects.toBeInstanceOf(
        QueueDoesNotExist,
      );
      await expect(sqs.send(new SendMessageCommand({ QueueUrl: url('orders.fifo'), MessageBody: 'x', MessageDeduplicationId: 'd' }))).rejects.toMatchObject({
        name: 'MissingParameter',
        message: 'The request must contain the parameter MessageGroupId.',
        $metadata: { httpStatusCode: 400 },
      });
      const invalid = [
        { QueueUrl: url('orders.fifo'), MessageBody: 'x', MessageGroupId: 'g' },
        { QueueUrl: url('orders.fifo'), MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 },
        { QueueUrl: url('plain'), MessageBody: 'x', MessageDeduplicationId: 'd' },
        { QueueUrl: url('plain'), MessageBody: 'x'.repeat(262_145) },
        // The limit counts UTF-8 bytes, not characters: 65 537 emoji are 262 148 bytes.
        { QueueUrl: url('plain'), MessageBody: '😀'.repeat(65_537) },
      ];
      for (const input of invalid) {
        await expect(sqs.send(new SendMessageCommand(input))).rejects.toMatchObject({ name: 'InvalidParameterValue', $metadata: { httpStatusCode: 400 } });
      }
      expect(queue('plain').size + queue('orders.fifo').size).toBe(0);
    });

    it('accepts exactly 262 144 bytes, counting message attributes toward the limit', async () => {
      const attribute = { k: { DataType: 'String', StringValue: 'v' } }; // 1 + 6 + 1 bytes
      await sqs.send(new SendMessageCommand({ QueueUrl: url('plain'), MessageBody: 'x'.repeat(262_144) }));
      await sqs.send(new SendMessageCommand({ QueueUrl: url('plain'), MessageBody: 'x'.repeat(262_136), MessageAttributes: attribute }));
      await expect(sqs.send(new SendMessageCommand({ QueueUrl: url('plain'), MessageBody: 'x'.repeat(262_137), MessageAttributes: attribute }))).rejects.toMatchObject({
        name: 'InvalidParameterValue',
        message: 'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.',
      });
      expect(queue('plain').size).toBe(2);
    });

    it('answers errors in the JSON protocol shape: __type, message and the x-amzn-query-error header', async () => {
      const post = (headers: Record<string, string>) =>
        rawRequest(`${sandbox.sqsEndpoint}/`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.GetQueueUrl', ...headers },
          body: JSON.stringify({ QueueName: 'nope' }),
        });
      const missing = await post(SIGNED);
      expect(missing.status).toBe(400);
      expect(missing.headers['x-amzn-query-error']).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
      expect(JSON.parse(missing.body)).toEqual({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
      expect((await post({})).status).toBe(403);
      const unknown = await post({ ...SIGNED, 'X-Amz-Target': 'AmazonSQS.CreateQueue' });
      expect(JSON.parse(unknown.body)).toMatchObject({ __type: 'com.amazonaws.sqs#UnsupportedOperation' });
    });

    it('reports queue attributes, and purges', async () => {
      await sqs.send(new SendMessageCommand({ QueueUrl: url('orders.fifo'), MessageBody: 'a', MessageGroupId: 'g1', MessageDeduplicationId: 'a' }));
      await sqs.send(new SendMessageCommand({ QueueUrl: url('orders.fifo'), MessageBody: 'b', MessageGroupId: 'g2', MessageDeduplicationId: 'b' }));
      await receive('orders.fifo');
      const fifo = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url('orders.fifo'), AttributeNames: ['All'] }));
      expect(fifo.Attributes).toMatchObject({
        ApproximateNumberOfMessages: '1',
        ApproximateNumberOfMessagesNotVisible: '1',
        QueueArn: 'arn:aws:sqs:us-east-1:000000000000:orders.fifo',
        FifoQueue: 'true',
        ContentBasedDeduplication: 'false',
        VisibilityTimeout: '1',
      });
      expect(fifo.Attributes?.RedrivePolicy).toBeUndefined();
      const redrive = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url('redrive'), AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'] }));
      expect(redrive.Attributes).toEqual({ RedrivePolicy: expect.any(String), VisibilityTimeout: '1' });
      expect(JSON.parse(redrive.Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: queue('redrive-dlq').arn, maxReceiveCount: 2 });
      await expect(sqs.send(new GetQueueAttributesCommand({ QueueUrl: url('plain'), AttributeNames: ['FifoQueue'] }))).rejects.toMatchObject({
        name: 'InvalidAttributeName',
      });

      await sqs.send(new PurgeQueueCommand({ QueueUrl: url('orders.fifo') }));
      expect(queue('orders.fifo').size).toBe(0);
    });
  });

  describe('queue semantics', () => {
    it('serves a FIFO group in order and never while it has a message in flight; other groups meanwhile', async () => {
      const order = ['a1', 'b1', 'a2', 'b2', 'a3'];
      for (const body of order) {
        await sqs.send(new SendMessageCommand({ QueueUrl: url('orders.fifo'), MessageBody: body, MessageGroupId: body[0], MessageDeduplicationId: body }));
      }
      const bodies = async (max: number) => (await receive('orders.fifo', { MaxNumberOfMessages: max })).map((m) => m.Body!);

      const [a1] = await receive('orders.fifo');
      expect(a1?.Body).toBe('a1');
      expect(await bodies(10)).toEqual(['b1', 'b2']); // group a is blocked by a1
      expect(await bodies(10)).toEqual([]); // both groups in flight
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url('orders.fifo'), ReceiptHandle: a1!.ReceiptHandle }));
      const rest = await receive('orders.fifo', { MaxNumberOfMessages: 10 });
      expect(rest.map((m) => m.Body)).toEqual(['a2', 'a3']);
      // Sequence numbers grow in send order.
      const sequence = (m: { Attributes?: Record<string, string> }) => BigInt(m.Attributes!.SequenceNumber!);
      expect(sequence(rest[0]!) < sequence(rest[1]!)).toBe(true);
      expect(rest[0]!.Attributes).toMatchObject({ MessageGroupId: 'a', MessageDeduplicationId: 'a2' });
    });

    it('a FIFO message not deleted comes back first in its group once visible again', async () => {
      for (const body of ['x1', 'x2']) {
        await sqs.send(new SendMessageCommand({ QueueUrl: url('orders.fifo'), MessageBody: body, MessageGroupId: 'x', MessageDeduplicationId: body }));
      }
      expect((await receive('orders.fifo')).map((m) => m.Body)).toEqual(['x1']);
      const again = await receive('orders.fifo', { WaitTimeSeconds: 2, MaxNumberOfMessages: 10 });
      expect(again.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([
        ['x1', '2'],
        ['x2', '1'],
      ]);
    });

    it('deduplicates within the window: accepted, same MessageId, not enqueued again (even after deletion)', async () => {
      const send = (body: string, dedup?: string) =>
        sqs.send(new SendMessageCommand({ QueueUrl: url('dedup.fifo'), MessageBody: body, MessageGroupId: 'g', MessageDeduplicationId: dedup }));
      const tag = randomUUID();
      const first = await send(`content ${tag}`);
      const again = await send(`content ${tag}`);
      expect(again.MessageId).toBe(first.MessageId);
      expect(again.SequenceNumber).toBe(first.SequenceNumber);
      const explicit = await send(`other ${tag}`, `id-${tag}`);
      const third = await send(`third ${tag}`, `id-${tag}`);
      expect(third.MessageId).toBe(explicit.MessageId);
      expect(third.MD5OfMessageBody).toBe(md5(`third ${tag}`)); // of this request's body: the SDK checks it
      expect(queue('dedup.fifo').messages().map((m) => m.body)).toEqual([`content ${tag}`, `other ${tag}`]);
      // Content-based: the deduplication id is the body's SHA-256.
      expect(queue('dedup.fifo').messages()[0]!.deduplicationId).toBe(createHash('sha256').update(`content ${tag}`).digest('hex'));

      const [received] = await receive('dedup.fifo');
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url('dedup.fifo'), ReceiptHandle: received!.ReceiptHandle }));
      expect((await send(`content ${tag}`)).MessageId).toBe(first.MessageId);
      expect(queue('dedup.fifo').size).toBe(1);
      expect(queue('dedup.fifo').stats()).toMatchObject({ sent: 2, deduplicated: 3 });

      await sleep(600); // the queue's deduplication window is 500 ms
      const later = await send(`content ${tag}`);
      expect(later.MessageId).not.toBe(first.MessageId);
      expect(queue('dedup.fifo').size).toBe(2);
    });

    it('hides a received message for the visibility timeout, then redelivers it with a higher receive count', async () => {
      const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url('visibility'), MessageBody: 'again' }));
      const [first] = await receive('visibility');
      const receivedAt = Date.now();
      expect(first!.Attributes!.ApproximateReceiveCount).toBe('1');
      expect(await receive('visibility')).toEqual([]);

      const [second] = await receive('visibility', { WaitTimeSeconds: 5 });
      expect(Date.now() - receivedAt).toBeGreaterThanOrEqual(250); // it was hidden, not lost
      expect(second).toMatchObject({ MessageId: sent.MessageId, Body: 'again' });
      expect(second!.Attributes).toMatchObject({ ApproximateReceiveCount: '2', ApproximateFirstReceiveTimestamp: first!.Attributes!.ApproximateFirstReceiveTimestamp });
      expect(second!.ReceiptHandle).not.toBe(first!.ReceiptHandle);

      // The old handle is accepted but deletes nothing, as SQS does; the current one deletes.
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url('visibility'), ReceiptHandle: first!.ReceiptHandle }));
      expect(queue('visibility').size).toBe(1);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url('visibility'), ReceiptHandle: second!.ReceiptHandle }));
      expect(queue('visibility').size).toBe(0);
      await expect(sqs.send(new DeleteMessageCommand({ QueueUrl: url('visibility'), ReceiptHandle: 'not-a-handle' }))).rejects.toMatchObject({
        name: 'ReceiptHandleIsInvalid',
      });
    });

    it('honours a VisibilityTimeout given to ReceiveMessage', async () => {
      await sqs.send(new SendMessageCommand({ QueueUrl: url('visibility'), MessageBody: 'zero' }));
      expect(await receive('visibility', { VisibilityTimeout: 0 })).toHaveLength(1);
      const [again] = await receive('visibility');
      expect(again?.Attributes?.ApproximateReceiveCount).toBe('2');
    });

    it('moves a message to the dead-letter queue at the receive after maxReceiveCount receives', async () => {
      const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url('redrive'), MessageBody: 'poison' }));
      const visibleAgain = () => eventually(() => (queue('redrive').stats().visible === 1 ? true : undefined), 5_000, 'the message visible again');
      expect((await receive('redrive'))[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
      await visibleAgain();
      expect((await receive('redrive'))[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
      await visibleAgain();
      expect(queue('redrive').stats().movedToDeadLetter).toBe(0); // moved by a receive, not by a timer

      expect(await receive('redrive')).toEqual([]);
      expect(queue('redrive').size).toBe(0);
      expect(queue('redrive').stats().movedToDeadLetter).toBe(1);
      const [dead] = await receive('redrive-dlq');
      expect(dead).toMatchObject({ MessageId: sent.MessageId, Body: 'poison' });
      expect(dead!.Attributes).toMatchObject({ DeadLetterQueueSourceArn: queue('redrive').arn, ApproximateReceiveCount: '3' });
    });

    it('serves SendMessage from a function through AWS_ENDPOINT_URL_SQS and a queueUrlEnv variable', async () => {
      const outcome = await sandbox.functions.get('producer')!.invoke({ hello: 'from a function' }, 10_000);
      expect(outcome).toEqual({ status: 'ok', result: { endpoint: sandbox.sqsEndpoint, outbox: url('outbox'), messageId: expect.any(String) } });
      const result = (outcome as { result: { messageId: string } }).result;
      expect(queue('outbox').messages()).toEqual([expect.objectContaining({ messageId: result.messageId, body: '{"hello":"from a function"}' })]);
    });
  });

  describe('event source mapping', () => {
    /** The record batches the consumer got from `name` (optionally only records matching `keep`), once the queue is drained. */
    async function batchesOf(name: string, keep: (record: SQSRecord) => boolean = () => true): Promise<SQSRecord[][]> {
      await queue(name).drained();
      const all = () =>
        logs
          .fixtureEvents('sqs')
          .map((event) => (event as unknown as SQSEvent).Records)
          .filter((records) => records[0]?.eventSourceARN === queue(name).arn);
      await eventually(() => (all().length === mapping(name).counters.invocations ? true : undefined), 5_000, `the invocations of ${name} logged`);
      return all()
        .map((records) => records.filter(keep))
        .filter((records) => records.length > 0);
    }
    const bodyOf = (record: SQSRecord) => JSON.parse(record.body) as { id: string };
    /** [id, receive count] per record; a standard queue has no order, so each batch is sorted by id. */
    const summary = (batches: SQSRecord[][]) =>
      batches.map((records) => records.map((r) => [bodyOf(r).id, r.attributes.ApproximateReceiveCount]).sort(([a], [b]) => a!.localeCompare(b!)));
    const sendBatch = (name: string, bodies: object[]) =>
      sqs.send(new SendMessageBatchCommand({ QueueUrl: url(name), Entries: bodies.map((body, i) => ({ Id: `m${i}`, MessageBody: JSON.stringify(body) })) }));

    it('invokes the function with the SQS event shape (FIFO record)', async () => {
      const body = JSON.stringify({ id: 'shape' });
      const before = Date.now();
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: url('esm-shape.fifo'),
          MessageBody: body,
          MessageGroupId: 'shape-group',
          MessageDeduplicationId: 'shape-1',
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
        }),
      );
      const [batch, ...more] = await batchesOf('esm-shape.fifo');
      expect(more).toEqual([]);
      const record = batch?.[0];
      const after = Date.now();
      expect(record).toEqual({
        messageId: sent.MessageId,
        receiptHandle: expect.any(String),
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: expect.stringMatching(/^\d{13}$/),
          SequenceNumber: sent.SequenceNumber,
          MessageGroupId: 'shape-group',
          SenderId: expect.any(String),
          MessageDeduplicationId: 'shape-1',
          ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
        },
        messageAttributes: { kind: { stringValue: 'test', stringListValues: [], binaryListValues: [], dataType: 'String' } },
        md5OfBody: md5(body),
        md5OfMessageAttributes: sent.MD5OfMessageAttributes,
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:esm-shape.fifo',
        awsRegion: 'us-east-1',
      });
      const sentAt = Number(record!.attributes.SentTimestamp);
      const firstReceivedAt = Number(record!.attributes.ApproximateFirstReceiveTimestamp);
      expect(sentAt).toBeGreaterThanOrEqual(before);
      expect(firstReceivedAt).toBeGreaterThanOrEqual(sentAt);
      expect(firstReceivedAt).toBeLessThanOrEqual(after);
      expect(queue('esm-shape.fifo').stats()).toMatchObject({ sent: 1, received: 1, deleted: 1 });
    });

    it('picks each new message up as it is sent (woken by the send, not by a polling interval)', async () => {
      const latencies: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        await sqs.send(new SendMessageCommand({ QueueUrl: url('esm-prompt'), MessageBody: JSON.stringify({ id: `prompt-${i}` }) }));
        await queue('esm-prompt').drained();
      }
      for (const [record] of await batchesOf('esm-prompt')) {
        latencies.push(Number(record!.attributes.ApproximateFirstReceiveTimestamp) - Number(record!.attributes.SentTimestamp));
      }
      latencies.sort((a, b) => a - b);
      expect(latencies).toHaveLength(5);
      // Both timestamps are the queue's: this is the mapping's pickup delay alone.
      expect(latencies[2]).toBeLessThan(30);
      expect(latencies[4]).toBeLessThan(150);
    });

    it('with a partial batch response, deletes the rest and redelivers only the failed record', async () => {
      await sendBatch('esm-partial', [{ id: 'ok-1' }, { id: 'failing', do: 'fail', times: 1 }, { id: 'ok-2' }]);
      const batches = await batchesOf('esm-partial');
      expect(summary(batches)).toEqual([
        [
          ['failing', '1'],
          ['ok-1', '1'],
          ['ok-2', '1'],
        ],
        [['failing', '2']],
      ]);
      // A standard queue's record carries no FIFO attributes.
      expect(Object.keys(batches[0]![0]!.attributes).sort()).toEqual(['ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'SenderId', 'SentTimestamp']);
      expect(queue('esm-partial').stats()).toMatchObject({ deleted: 3, received: 4 });
      expect(mapping('esm-partial').counters).toMatchObject({ invocations: 2, failedRecords: 1, failedBatches: 0 });
    });

    it('when the function throws, leaves the whole batch to come back after the visibility timeout', async () => {
      await sendBatch('esm-throw', [{ id: 'thrower', do: 'throw', times: 1 }, { id: 'innocent' }]);
      expect(summary(await batchesOf('esm-throw'))).toEqual([
        [
          ['innocent', '1'],
          ['thrower', '1'],
        ],
        [
          ['innocent', '2'],
          ['thrower', '2'],
        ],
      ]);
      expect(mapping('esm-throw').failures).toEqual([{ reason: 'error', detail: 'Error: fixture told to throw', messageIds: expect.any(Array) }]);
    });

    it('when the function times out, leaves the whole batch too', async () => {
      await sendBatch('esm-timeout', [{ id: 'slow', do: 'slow', ms: 1_000, times: 1 }, { id: 'quick' }]);
      expect(summary(await batchesOf('esm-timeout'))).toEqual([
        [
          ['quick', '1'],
          ['slow', '1'],
        ],
        [
          ['quick', '2'],
          ['slow', '2'],
        ],
      ]);
      expect(mapping('esm-timeout').failures.map((f) => f.reason)).toEqual(['timeout']);
    });

    it.each(['unknown-id', 'empty-id', 'wrong-key', 'not-a-list', 'not-an-object'])(
      'treats a malformed partial batch response (%s) as a failure of the whole batch',
      async (variant) => {
        const run = randomUUID();
        const failuresBefore = mapping('esm-malformed').failures.length;
        await sendBatch('esm-malformed', [
          { id: 'malformed', do: 'malformed', variant, times: 1, run },
          { id: 'bystander', run },
        ]);
        const mine = await batchesOf('esm-malformed', (record) => (JSON.parse(record.body) as { run?: string }).run === run);
        expect(summary(mine)).toEqual([
          [
            ['bystander', '1'],
            ['malformed', '1'],
          ],
          [
            ['bystander', '2'],
            ['malformed', '2'],
          ],
        ]);
        expect(mapping('esm-malformed').failures.slice(failuresBefore).map((f) => f.reason)).toEqual(['malformed-response']);
      },
    );

    it('without reportBatchItemFailures, ignores the response and deletes the whole batch', async () => {
      await sendBatch('esm-ignored', [{ id: 'reported', do: 'fail', times: 1 }, { id: 'fine' }]);
      expect(summary(await batchesOf('esm-ignored'))).toEqual([
        [
          ['fine', '1'],
          ['reported', '1'],
        ],
      ]);
      expect(queue('esm-ignored').stats().deleted).toBe(2);
    });

    it('with duplicateDelivery, delivers every message a second time after its deletion', async () => {
      const sent = await sendBatch('esm-dup', [{ id: 'd1' }, { id: 'd2' }, { id: 'd3' }]);
      const records = (await batchesOf('esm-dup')).flat();
      const ids = sent.Successful!.map((s) => s.MessageId!);
      expect(records.map((r) => r.messageId).sort()).toEqual([...ids, ...ids].sort());
      for (const id of ids) {
        const [first, second] = records.filter((r) => r.messageId === id);
        expect(second!.body).toBe(first!.body);
        expect(second!.receiptHandle).not.toBe(first!.receiptHandle);
        expect(second!.attributes.ApproximateReceiveCount).toBe('1'); // a fresh copy, as an SQS duplicate is
      }
      expect(queue('esm-dup').stats()).toMatchObject({ sent: 3, duplicatesDelivered: 3, deleted: 6 });
    });

    it('runs FIFO groups in parallel, each group one message at a time and in order', async () => {
      const order = ['a1', 'b1', 'a2', 'b2', 'a3', 'b3'];
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url('esm-groups.fifo'),
          Entries: order.map((id) => ({ Id: id, MessageBody: JSON.stringify({ id: `groups-${id}`, ms: 80 }), MessageGroupId: id[0], MessageDeduplicationId: id })),
        }),
      );
      await queue('esm-groups.fifo').drained();
      const runs = await eventually(() => {
        const done = logs
          .records()
          .filter((r) => r.fixture === 'sqs-done' && String((r.ids as string[])[0]).startsWith('groups-'))
          .map((r) => ({ id: (r.ids as string[])[0]!.slice('groups-'.length), startedAt: r.startedAt as number, endedAt: r.endedAt as number }));
        return done.length === order.length ? done : undefined;
      });
      for (const group of ['a', 'b']) {
        const mine = runs.filter((r) => r.id.startsWith(group)).sort((x, y) => x.startedAt - y.startedAt);
        expect(mine.map((r) => r.id)).toEqual([`${group}1`, `${group}2`, `${group}3`]);
        for (let i = 1; i < mine.length; i += 1) expect(mine[i]!.startedAt).toBeGreaterThanOrEqual(mine[i - 1]!.endedAt);
      }
      const overlapping = runs.some((x) => runs.some((y) => x.id[0] !== y.id[0] && x.startedAt < y.endedAt && y.startedAt < x.endedAt));
      expect(overlapping).toBe(true);
    });

    it('a record that keeps failing reaches the dead-letter queue; the rest of its batch is delivered once', async () => {
      await sendBatch('esm-poison', [{ id: 'poison', do: 'fail' }, { id: 'healthy' }]);
      expect(summary(await batchesOf('esm-poison'))).toEqual([
        [
          ['healthy', '1'],
          ['poison', '1'],
        ],
        [['poison', '2']],
      ]);
      expect(queue('esm-poison').stats().movedToDeadLetter).toBe(1);
      expect(queue('esm-poison-dlq').messages().map((m) => JSON.parse(m.body) as object)).toEqual([{ id: 'poison', do: 'fail' }]);
    });

    it('drained() waits for a batch still in its batching window, even when its record left the queue meanwhile', async () => {
      // The record's 50 ms visibility expires inside the 300 ms window; the window's next receive moves
      // it to the dead-letter queue (maxReceiveCount 1), so the queue is empty while the batch holding
      // it has not been invoked yet.
      await sendBatch('esm-window', [{ id: 'late' }]);
      await queue('esm-window').drained();
      expect(mapping('esm-window').counters.invocations).toBe(1);
      expect(queue('esm-window').stats().movedToDeadLetter).toBe(1);
    });
  });
});

describe('sandbox SQS lifecycle and configuration', () => {
  it('without queues: no SQS endpoint, and functions get no AWS_ENDPOINT_URL_SQS', async () => {
    const sandbox = await startSandbox({ port: 0, functions: { producer: { source: file('sqs-producer') } }, routes: {} });
    try {
      expect(sandbox.sqsEndpoint).toBe('');
      expect(sandbox.queues.size).toBe(0);
      expect(await sandbox.functions.get('producer')!.invoke({ dryRun: true }, 10_000)).toEqual({ status: 'ok', result: { endpoint: null, outbox: null } });
    } finally {
      await sandbox.stop();
    }
  });

  it('stop() ends long polls and closes the endpoint', async () => {
    const sandbox = await startSandbox({ port: 0, functions: {}, routes: {}, queues: [{ name: 'q' }] });
    const client = new SQSClient({ endpoint: sandbox.sqsEndpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const poll = client.send(new ReceiveMessageCommand({ QueueUrl: sandbox.queues.get('q')!.url, WaitTimeSeconds: 20 })).then(
        (out) => out.Messages ?? [],
        (error: Error) => error.name,
      );
      await sleep(100); // let the long poll reach the server
      await sandbox.stop(); // would outlast the test's timeout if it waited for the 20 s poll
      await expect(poll).resolves.toBeDefined();
      await expect(client.send(new GetQueueUrlCommand({ QueueName: 'q' }))).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      client.destroy();
    }
  });

  it.each([
    ['an undeclared dead-letter queue', { queues: [{ name: 'a', maxReceiveCount: 2, deadLetterQueue: 'b' }] }, /dead-letter queue b is not declared/],
    ['a standard dead-letter queue for a FIFO queue', { queues: [{ name: 'a.fifo', maxReceiveCount: 2, deadLetterQueue: 'b' }, { name: 'b' }] }, /must be FIFO/],
    ['fifo: true without the .fifo suffix', { queues: [{ name: 'a', fifo: true }] }, /ends in \.fifo/],
    ['a queueUrlEnv naming no queue', { queues: [{ name: 'a' }], queueUrlEnv: { X_URL: 'b' } }, /no queue named "b"/],
    [
      'a FIFO batch size over 10',
      { queues: [{ name: 'a.fifo' }], eventSourceMappings: [{ queue: 'a.fifo', function: 'producer', batchSize: 11 }] },
      /batchSize must be 1 to 10 on a FIFO queue/,
    ],
    [
      'a function timeout longer than the visibility timeout',
      { queues: [{ name: 'a', visibilityTimeoutMs: 500 }], eventSourceMappings: [{ queue: 'a', function: 'producer', timeoutMs: 501 }] },
      /visibility timeout \(500 ms\) is less than the function timeout \(501 ms\)/,
    ],
    ['a mapping of an undeclared queue', { queues: [{ name: 'a' }], eventSourceMappings: [{ queue: 'b', function: 'producer' }] }, /no queue named "b"/],
  ])('refuses %s with a clear error', async (_what, sqsOptions, message) => {
    await expect(startSandbox({ port: 0, functions: { producer: { source: file('sqs-producer') } }, routes: {}, ...sqsOptions })).rejects.toThrow(message);
  });
});
