import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageBatchCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  RequestThrottled,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startDynamoFaultProxy, type DynamoCall, type DynamoFaultKind, type DynamoFaultProxy } from '../../sandbox/dynamo-faults';
import { startSqs, type LocalSqs, type SqsCall, type SqsFaultKind } from '../../sandbox/sqs';
import { connect } from '../helpers/clients';
import { createTestTable, dynamoEndpoint } from '../helpers/dynamo';
import { startTestProject } from '../helpers/project-sandbox';

const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };

describe('sandbox SQS faults', () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  /** The test's plan: body or operation (and `#entryId` for a batch entry) → the faults its attempts meet, in order. */
  const plan = new Map<string, SqsFaultKind[]>();
  const calls: SqsCall[] = [];

  beforeAll(async () => {
    sqs = await startSqs({
      queues: [{ name: 'faults' }],
      injectFault: (call) => {
        calls.push(call);
        // A send by its body; a call without one (ReceiveMessage, DeleteMessageBatch) by its operation.
        const subject = call.body ?? call.operation;
        return plan.get(call.entryId === undefined ? subject : `${subject}#${call.entryId}`)?.shift();
      },
    });
    client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials });
  });
  afterAll(async () => {
    client.destroy();
    await sqs.stop();
  });
  const url = () => sqs.queue('faults').url;
  const bodies = () => sqs.queue('faults').messages().map((m) => m.body);

  it.each(['RequestThrottled', 'ThrottlingException', 'InternalFailure', 'ServiceUnavailable'] as const)(
    'the SDK retries a SendMessage answered %s, and the retry is sent once',
    async (kind) => {
      const body = `retry-${kind}-${randomUUID()}`;
      plan.set(body, [kind]);
      await client.send(new SendMessageCommand({ QueueUrl: url(), MessageBody: body }));
      expect(calls.filter((c) => c.body === body).map((c) => c.operation)).toEqual(['SendMessage', 'SendMessage']);
      expect(bodies().filter((b) => b === body)).toHaveLength(1);
    },
  );

  it.each([
    ['RequestThrottled', 403, 'client'],
    ['ThrottlingException', 400, 'client'],
    ['InternalFailure', 500, 'server'],
    ['ServiceUnavailable', 503, 'server'],
  ] as const)('a SendMessage failed with %s reaches the SDK as that error (%i, %s fault), and nothing is sent', async (kind, status, fault) => {
    const body = `fail-${kind}-${randomUUID()}`;
    plan.set(body, [kind]);
    const error = await new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 })
      .send(new SendMessageCommand({ QueueUrl: url(), MessageBody: body }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: kind, $fault: fault, $metadata: { httpStatusCode: status } });
    if (kind === 'RequestThrottled') expect(error).toBeInstanceOf(RequestThrottled);
    expect(bodies()).not.toContain(body);
  });

  it('SendMessageBatch reports an entry failed on its side in Failed (SenderFault false) and sends the others', async () => {
    const prefix = randomUUID();
    plan.set(`${prefix}-1#b`, ['InternalFailure']);
    plan.set(`${prefix}-2#c`, ['RequestThrottled']);
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url(),
        Entries: ['a', 'b', 'c'].map((Id, n) => ({ Id, MessageBody: `${prefix}-${n}` })),
      }),
    );
    expect(result.Successful?.map((s) => s.Id)).toEqual(['a']);
    expect(result.Failed).toEqual([
      { Id: 'b', SenderFault: false, Code: 'InternalError', Message: 'An internal error occurred.' },
      { Id: 'c', SenderFault: false, Code: 'RequestThrottled', Message: 'Request is throttled.' },
    ]);
    expect(bodies().filter((b) => b.startsWith(prefix))).toEqual([`${prefix}-0`]);
  });

  it('on the consumer side, a throttled ReceiveMessage is retried by the SDK, and a DeleteMessageBatch entry failed on its side stays in flight', async () => {
    await client.send(new PurgeQueueCommand({ QueueUrl: url() }));
    const body = `consume-${randomUUID()}`;
    await client.send(new SendMessageCommand({ QueueUrl: url(), MessageBody: body }));
    plan.set('ReceiveMessage', ['RequestThrottled']);
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl: url(), MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
    expect(plan.get('ReceiveMessage')).toEqual([]);
    const message = received.Messages!.find((m) => m.Body === body)!;
    plan.set('DeleteMessageBatch#d', ['InternalFailure']);
    const result = await client.send(new DeleteMessageBatchCommand({ QueueUrl: url(), Entries: [{ Id: 'd', ReceiptHandle: message.ReceiptHandle! }] }));
    expect(result.Failed).toEqual([{ Id: 'd', SenderFault: false, Code: 'InternalError', Message: 'An internal error occurred.' }]);
    expect(sqs.queue('faults').messages().find((m) => m.body === body)).toMatchObject({ state: 'inFlight' });
  });
});

describe('sandbox DynamoDB fault proxy', () => {
  let proxy: DynamoFaultProxy;
  let tableName: string;
  /** The test's plan: partition key → the faults its attempts meet, in order. */
  const plan = new Map<string, DynamoFaultKind[]>();
  const calls: DynamoCall[] = [];
  const pkOf = (input: Record<string, unknown>): string | undefined => {
    const item = (input.Item ?? input.Key ?? (input.TransactItems as Array<{ Put?: { Item: unknown } }> | undefined)?.[0]?.Put?.Item) as
      | { PK?: { S?: string } }
      | undefined;
    return item?.PK?.S;
  };
  const client = (config: DynamoDBClientConfig = {}) => new DynamoDBClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials, ...config });
  const direct = () => new DynamoDBClient({ endpoint: dynamoEndpoint(), region: 'us-east-1', credentials });
  const stored = async (pk: string) => (await direct().send(new GetItemCommand({ TableName: tableName, Key: { PK: { S: pk }, SK: { S: 'X' } }, ConsistentRead: true }))).Item;
  const put = (pk: string, extra: Record<string, unknown> = {}) => new PutItemCommand({ TableName: tableName, Item: { PK: { S: pk }, SK: { S: 'X' } }, ...extra });

  beforeAll(async () => {
    tableName = await createTestTable('faults');
    proxy = await startDynamoFaultProxy({
      target: dynamoEndpoint(),
      // Well beyond the clients' request timeout (1 s, generous for DynamoDB Local on a busy machine).
      holdMs: 4000,
      injectFault: (call) => {
        calls.push(call);
        const pk = pkOf(call.input);
        return pk === undefined ? undefined : plan.get(pk)?.shift();
      },
    });
  });
  afterAll(() => proxy.stop());

  it.each(['ThrottlingException', 'ProvisionedThroughputExceededException', 'InternalServerError', 'reset'] as const)(
    'the SDK retries a PutItem answered %s, and the retry writes the item',
    async (kind) => {
      const pk = `retry-${kind}-${randomUUID()}`;
      plan.set(pk, [kind]);
      await client().send(put(pk));
      expect(calls.filter((c) => pkOf(c.input) === pk).map((c) => [c.operation, c.attempt])).toEqual([
        ['PutItem', 1],
        ['PutItem', 2],
      ]);
      expect(await stored(pk)).toBeDefined();
    },
  );

  it.each([
    ['ThrottlingException', 400, 'client'],
    ['ProvisionedThroughputExceededException', 400, 'client'],
    ['InternalServerError', 500, 'server'],
  ] as const)('a PutItem failed with %s reaches the SDK as that error (%i, %s fault), and nothing is written', async (kind, status, fault) => {
    const pk = `fail-${kind}-${randomUUID()}`;
    plan.set(pk, [kind]);
    const error = await client({ maxAttempts: 1 })
      .send(put(pk))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: kind, $fault: fault, $metadata: { httpStatusCode: status } });
    if (kind === 'ProvisionedThroughputExceededException') expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
    if (kind === 'InternalServerError') expect(error).toBeInstanceOf(InternalServerError);
    expect(await stored(pk)).toBeUndefined();
  });

  it('a cancelled TransactWriteItems reaches the SDK as TransactionCanceledException with one reason per item, and writes nothing', async () => {
    const pk = `tx-${randomUUID()}`;
    plan.set(pk, ['TransactionCanceledException']);
    const error = await client()
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: tableName, Item: { PK: { S: pk }, SK: { S: 'X' } } } },
            { Put: { TableName: tableName, Item: { PK: { S: `${pk}-2` }, SK: { S: 'X' } } } },
          ],
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
      { Code: 'None' },
    ]);
    expect((error as Error).message).toBe('Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None]');
    // Not retried: a cancelled transaction is the caller's to handle.
    expect(calls.filter((c) => pkOf(c.input) === pk)).toHaveLength(1);
    expect(await stored(pk)).toBeUndefined();
  });

  it('a request left unanswered times out in the SDK (requestTimeout with throwOnRequestTimeout) and the retry writes the item', async () => {
    const pk = `timeout-${randomUUID()}`;
    plan.set(pk, ['timeout']);
    const timed = client({ requestHandler: { requestTimeout: 1000, throwOnRequestTimeout: true } });
    await timed.send(put(pk));
    expect(calls.filter((c) => pkOf(c.input) === pk).map((c) => c.attempt)).toEqual([1, 2]);
    expect(await stored(pk)).toBeDefined();

    const once = `timeout-once-${randomUUID()}`;
    plan.set(once, ['timeout']);
    const error = await client({ maxAttempts: 1, requestHandler: { requestTimeout: 1000, throwOnRequestTimeout: true } })
      .send(put(once))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
    expect(await stored(once)).toBeUndefined();
  });

  it('a socket dropped after DynamoDB applied the write leaves the caller unable to tell: its retry meets its own write', async () => {
    const pk = `applied-${randomUUID()}`;
    plan.set(pk, ['reset-after-apply']);
    const error = await client()
      .send(put(pk, { ConditionExpression: 'attribute_not_exists(PK)' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(await stored(pk)).toBeDefined();
    expect(proxy.counters.injected['reset-after-apply']).toBe(1);
  });

  it('an answer held past the request timeout after DynamoDB applied the write (lost-response) times out in the SDK, and its retry meets its own write', async () => {
    const pk = `lost-${randomUUID()}`;
    plan.set(pk, ['lost-response']);
    const error = await client({ requestHandler: { requestTimeout: 1000, throwOnRequestTimeout: true } })
      .send(put(pk, { ConditionExpression: 'attribute_not_exists(PK)' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(calls.filter((c) => pkOf(c.input) === pk).map((c) => c.attempt)).toEqual([1, 2]);
    expect(await stored(pk)).toBeDefined();
    expect(proxy.counters.injected['lost-response']).toBe(1);
  });

  it('a TransactWriteItems whose answer was lost is retried with the same ClientRequestToken (the SDK fills it once per call), and DynamoDB answers the retry as the first without applying it again', async () => {
    const pk = `lost-tx-${randomUUID()}`;
    plan.set(pk, ['lost-response']);
    await client({ requestHandler: { requestTimeout: 1000, throwOnRequestTimeout: true } }).send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: { PK: { S: pk }, SK: { S: 'X' } }, ConditionExpression: 'attribute_not_exists(PK)' } },
          { Update: { TableName: tableName, Key: { PK: { S: `${pk}-count` }, SK: { S: 'X' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
        ],
      }),
    );
    const attempts = calls.filter((c) => pkOf(c.input) === pk);
    expect(attempts.map((c) => c.attempt)).toEqual([1, 2]);
    expect(attempts[0]!.input.ClientRequestToken).toEqual(expect.any(String));
    expect(await stored(`${pk}-count`)).toMatchObject({ n: { N: '1' } });
  });
});

describe('the project sandbox and the DynamoDB fault proxy', () => {
  it('puts the proxy between the functions and DynamoDB Local only when a test injects DynamoDB faults', async () => {
    const plain = await startTestProject();
    try {
      expect(plain.sandbox.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(dynamoEndpoint());
      expect(plain.sandbox.dynamoFaultProxy).toBeUndefined();
    } finally {
      await plain.sandbox.stop();
    }
    const seen: string[] = [];
    const faulty = await startTestProject({ injectDynamoFault: ({ operation }) => void seen.push(operation) });
    try {
      expect(faulty.sandbox.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(faulty.sandbox.dynamoFaultProxy!.endpoint);
      const ws = await connect(faulty.sandbox.url, { protocols: randomUUID() });
      ws.send({ action: 'ping', id: 1 });
      expect(await ws.next()).toMatchObject({ type: 'pong', id: 1 });
      ws.ws.close();
      // $connect's TransactWriteItems (the connection counted in) and the message budget's UpdateItem went through the proxy.
      expect(seen).toEqual(expect.arrayContaining(['TransactWriteItems', 'UpdateItem']));
    } finally {
      await faulty.sandbox.stop();
    }
  });
});
