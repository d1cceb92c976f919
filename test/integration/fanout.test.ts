import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createPublisher, PublishError, type Publisher } from '../../packages/publisher/src/index';
import { FANOUT_DLQ, FANOUT_QUEUE, ROOT } from '../../sandbox/project';
import { connect, eventually, type TestClient } from '../helpers/clients';
import { allItems } from '../helpers/dynamo';
import { signingKey, signToken, startJwksServer } from '../helpers/jwks';
import { startTestProject } from '../helpers/project-sandbox';

const APP = 'ws-sessions.v1';
const ISSUER = 'https://issuer.example.com';
const AUDIENCE = 'websocket-sessions';
const key = signingKey('ES256', 'ec-1');

type Frame = Record<string, unknown>;

/** Frames until `count` of type `message` arrived (other frames are kept too), then nothing more for a moment. */
async function messages(client: TestClient, count: number): Promise<Frame[]> {
  const received: Frame[] = [];
  while (received.length < count) received.push((await client.next(10_000)) as Frame);
  return received;
}

/** Runs `npm run push` (scripts/push.ts) with `args` and extra environment. */
const pushScript = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/push.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });

/** Asserts that nothing more arrives within `ms`. */
async function quiet(client: TestClient, ms = 300): Promise<void> {
  await expect(client.next(ms)).rejects.toThrow(/no frame/);
}

describe('push through the fan-out queue (publisher → SQS → planner → deliver → clients)', () => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let sqs: SQSClient;
  let publisher: Publisher;

  const join = (sub: string, extra: Record<string, unknown> = {}) =>
    connect(project.sandbox.url, { protocols: [APP, `bearer.${signToken(key, { sub, iss: ISSUER, aud: AUDIENCE, ...extra })}`] });
  const drained = () => project.sandbox.queues.get(FANOUT_QUEUE)!.drained();

  beforeAll(async () => {
    jwks = await startJwksServer([key]);
    project = await startTestProject({
      authMode: 'jwt',
      jwt: { JWT_ALGORITHMS: 'ES256', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_URL: jwks.url },
      functionEnv: {
        message: { ACTION_PERMISSIONS: JSON.stringify({ broadcast: ['admin'], publish: ['writer'] }), MAX_SUBSCRIPTIONS_PER_CONNECTION: '3', MAX_PAYLOAD_BYTES: '1000' },
        fanout: { MAX_PAYLOAD_BYTES: '1000' },
      },
    });
    sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
    publisher = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs, maxPayloadBytes: 1000 });
  });
  afterAll(async () => {
    sqs.destroy();
    await project.sandbox.stop();
    await jwks.stop();
  });

  it('sendToUser reaches each connection of the user once, on the user channel, and nobody else', async () => {
    const user = `u-${randomUUID()}`;
    const [a, b, other] = await Promise.all([join(user), join(user), join(`u-${randomUUID()}`)]);
    const id = await publisher.sendToUser(user, { hello: 'world' });
    for (const client of [a, b]) {
      expect(await client.next(10_000)).toEqual({ type: 'message', channel: `user:${user}`, seq: 1, id, data: { hello: 'world' } });
    }
    await drained();
    await Promise.all([quiet(a), quiet(b), quiet(other)]);
    for (const client of [a, b, other]) client.ws.close();
  });

  it('sendToTenant reaches the tenant only; broadcast reaches everyone; sendToConnection one connection without a sequence', async () => {
    const tenant = `t-${randomUUID()}`;
    const [inTenant, alsoInTenant, outside] = await Promise.all([join('t-user-1', { tenant_id: tenant }), join('t-user-2', { tenant_id: tenant }), join('t-user-3', { tenant_id: 'elsewhere' })]);
    const toTenant = await publisher.sendToTenant(tenant, 1);
    for (const client of [inTenant, alsoInTenant]) expect(await client.next(10_000)).toMatchObject({ channel: `tenant:${tenant}`, seq: 1, id: toTenant, data: 1 });
    await drained();
    await quiet(outside);

    const everyone = await publisher.broadcast({ notice: 'all' });
    for (const client of [inTenant, alsoInTenant, outside]) expect(await client.next(10_000)).toMatchObject({ type: 'message', channel: 'broadcast:all', id: everyone });

    const item = (await allItems(project.tableName)).find((i) => i.type === 'connection' && i.userId === 't-user-3')!;
    const direct = await publisher.sendToConnection(item.connectionId as string, 'just you');
    expect(await outside.next(10_000)).toEqual({ type: 'message', id: direct, data: 'just you' });
    await drained();
    await Promise.all([quiet(inTenant), quiet(alsoInTenant)]);
    for (const client of [inTenant, alsoInTenant, outside]) client.ws.close();
  });

  it('a channel gets consecutive sequence numbers, in order, at every subscriber; unsubscribing stops them', async () => {
    const channel = `prices-${randomUUID()}`;
    const [first, second, bystander] = await Promise.all([join('sub-1'), join('sub-2'), join('sub-3')]);
    for (const client of [first, second]) {
      client.send({ action: 'subscribe', channel, id: 's' });
      expect(await client.next()).toEqual({ type: 'ack', action: 'subscribe', id: 's', channel, seq: 0 });
    }
    const ids: string[] = [];
    for (let n = 0; n < 30; n++) ids.push(await publisher.publish(channel, { n }));
    for (const client of [first, second]) {
      const frames = await messages(client, 30);
      expect(frames.map((f) => f.seq)).toEqual([...Array(30).keys()].map((n) => n + 1));
      expect(frames.map((f) => f.id)).toEqual(ids);
      expect(frames.map((f) => (f.data as { n: number }).n)).toEqual([...Array(30).keys()]);
    }
    await drained();
    await quiet(bystander);

    second.send({ action: 'unsubscribe', channel, id: 'u' });
    expect(await second.next()).toEqual({ type: 'ack', action: 'unsubscribe', id: 'u', channel, subscribed: true });
    await publisher.publish(channel, 'after');
    expect(await first.next(10_000)).toMatchObject({ seq: 31, data: 'after' });
    await drained();
    await quiet(second);
    for (const client of [first, second, bystander]) client.ws.close();
  });

  it('subscribing with since replays the log after that sequence number, then live messages follow', async () => {
    const channel = `log-${randomUUID()}`;
    for (let n = 1; n <= 5; n++) await publisher.publish(channel, { n });
    await drained();
    const client = await join('replayer');
    client.send({ action: 'subscribe', channel, since: 2 });
    const frames = await messages(client, 4);
    expect(frames[0]).toEqual({ type: 'ack', action: 'subscribe', channel, seq: 5 });
    expect(frames.slice(1).map((f) => [f.seq, (f.data as { n: number }).n])).toEqual([
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
    await publisher.publish(channel, { n: 6 });
    expect(await client.next(10_000)).toMatchObject({ seq: 6, data: { n: 6 } });
    client.ws.close();
  });

  it('a client with the permission publishes to a channel; the publisher connection gets an ack with the message id', async () => {
    const channel = `chat-${randomUUID()}`;
    const [writer, reader] = await Promise.all([join('writer', { roles: ['writer'] }), join('reader')]);
    reader.send({ action: 'subscribe', channel });
    expect(await reader.next()).toMatchObject({ type: 'ack', action: 'subscribe' });
    writer.send({ action: 'publish', channel, data: { text: 'hi' }, id: 9 });
    const ack = (await writer.next()) as Frame;
    expect(ack).toMatchObject({ type: 'ack', action: 'publish', id: 9 });
    expect(await reader.next(10_000)).toEqual({ type: 'message', channel, seq: 1, id: ack.messageId, data: { text: 'hi' } });
    for (const client of [writer, reader]) client.ws.close();
  });

  it('bad input from clients gets its error frame and enqueues or stores nothing', async () => {
    const queue = project.sandbox.queues.get(FANOUT_QUEUE)!;
    await drained();
    const sentBefore = queue.stats().sent;
    const [reader, writer] = await Promise.all([join('bad-reader'), join('bad-writer', { roles: ['writer'] })]);
    const cases: Array<[TestClient, Frame, Frame]> = [
      [reader, { action: 'publish', channel: 'news', data: 1, id: 1 }, { code: 'FORBIDDEN', message: 'action "publish" needs one of the roles: writer' }],
      [reader, { action: 'broadcast', data: 1, id: 2 }, { code: 'FORBIDDEN' }],
      [writer, { action: 'publish', channel: 'no spaces allowed', data: 1, id: 3 }, { code: 'BAD_MESSAGE' }],
      [writer, { action: 'publish', channel: 'user:bad-writer', data: 1, id: 4 }, { code: 'FORBIDDEN' }],
      [writer, { action: 'publish', channel: 'news', data: 'x'.repeat(1000), id: 5 }, { code: 'PAYLOAD_TOO_LARGE', message: '"data" is 1002 bytes; at most 1000' }],
      [writer, { action: 'publish', channel: 'news', id: 6 }, { code: 'BAD_MESSAGE', message: '"data" is required (any JSON value)' }],
      [reader, { action: 'subscribe', channel: 'user:someone-else', id: 7 }, { code: 'FORBIDDEN' }],
      [reader, { action: 'subscribe', channel: '', id: 8 }, { code: 'BAD_MESSAGE' }],
      [reader, { action: 'subscribe', channel: 'news', since: -1, id: 9 }, { code: 'BAD_MESSAGE' }],
      [reader, { action: 'subscribe', channel: 'news', since: 1.5, id: 10 }, { code: 'BAD_MESSAGE' }],
      [reader, { action: 'subscribe', channel: `empty-${randomUUID()}`, since: 4, id: 11 }, { code: 'BAD_MESSAGE', message: '"since" is beyond the channel\'s last sequence number (0)' }],
      [reader, { action: 'unsubscribe', channel: 'user:bad-reader', id: 12 }, { code: 'BAD_MESSAGE' }],
    ];
    for (const [client, frame, expected] of cases) {
      client.send(frame);
      expect(await client.next()).toMatchObject({ type: 'error', id: frame.id, retryable: false, ...expected });
    }
    await drained();
    expect(queue.stats().sent).toBe(sentBefore);
    const items = await allItems(project.tableName);
    const theirs = new Set(items.filter((i) => i.type === 'connection' && ['bad-reader', 'bad-writer'].includes(i.userId as string)).map((i) => i.connectionId));
    expect(theirs.size).toBe(2);
    expect(items.filter((i) => i.type === 'subscription' && theirs.has(i.connectionId))).toEqual([]);
    for (const client of [reader, writer]) client.ws.close();
  });

  it('caps subscriptions per connection, and $disconnect deletes the connection\'s subscriptions', async () => {
    const client = await join('collector');
    const channels = ['c1', 'c2', 'c3'].map((c) => `${c}-${randomUUID()}`);
    for (const channel of channels) {
      client.send({ action: 'subscribe', channel });
      expect(await client.next()).toMatchObject({ type: 'ack', channel });
    }
    client.send({ action: 'subscribe', channel: channels[0] });
    expect(await client.next()).toMatchObject({ type: 'ack', channel: channels[0] });
    client.send({ action: 'subscribe', channel: 'one-too-many', id: 'x' });
    expect(await client.next()).toEqual({ type: 'error', code: 'RATE_LIMITED', message: 'at most 3 subscriptions per connection', retryable: false, id: 'x' });
    const mine = async () => (await allItems(project.tableName)).filter((i) => i.type === 'subscription' && channels.includes(i.channel as string));
    expect(await mine()).toHaveLength(3);
    client.ws.close();
    await eventually(async () => ((await mine()).length === 0 ? true : undefined), 10_000, 'subscriptions deleted');
  });

  it('a backend script (npm run push) reaches clients through the queue with the publisher', async () => {
    const user = `script-${randomUUID()}`;
    const client = await join(user);
    const stateFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'push-')), 'state.json');
    writeFileSync(stateFile, JSON.stringify({ sqsEndpoint: project.sandbox.sqsEndpoint, fanoutQueueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url }));
    const { stdout } = await pushScript(['--user', user, '{"from":"script"}'], { PUSH_STATE_FILE: stateFile });
    const id = /queued message (\S+)/.exec(stdout)?.[1];
    expect(await client.next(10_000)).toEqual({ type: 'message', channel: `user:${user}`, seq: 1, id, data: { from: 'script' } });
    await expect(pushScript(['--planet', 'x', '1'], { PUSH_STATE_FILE: stateFile })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('usage: npm run push'),
    });
    client.ws.close();
  }, 30_000);

  it('npm run push reaches a deployed stack by its queue URL, region and the AWS credential chain (the sandbox\'s queue as if deployed)', async () => {
    const user = `deployed-${randomUUID()}`;
    const client = await join(user);
    const queueUrl = project.sandbox.queues.get(FANOUT_QUEUE)!.url;
    // No sandbox state to find: the queue URL alone names the stack; credentials come from the environment, as the SDK's chain reads them.
    const env = { PUSH_STATE_FILE: path.join(os.tmpdir(), `no-sandbox-${randomUUID()}.json`), AWS_ACCESS_KEY_ID: 'deployed', AWS_SECRET_ACCESS_KEY: 'deployed' };
    const refused = [
      [['--queue-url', queueUrl.replace(/\.fifo$/, ''), '--region', 'us-east-1'], 'is not FIFO'],
      [['--queue-url', 'fanout.fifo'], 'is not a URL'],
      [['--region', 'us-east-1'], '--region applies to a deployed stack'],
    ] as const;
    for (const [options, message] of refused) {
      await expect(pushScript([...options, '--user', user, '"refused"'], env)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining(message) });
    }
    const { stdout } = await pushScript(['--queue-url', queueUrl, '--user', user, '{"from":"deployed"}'], { ...env, AWS_REGION: 'us-east-1' });
    const id = /queued message (\S+)/.exec(stdout)?.[1];
    // The first frame is the accepted push (seq 1): the refused calls wrote nothing.
    expect(await client.next(10_000)).toEqual({ type: 'message', channel: `user:${user}`, seq: 1, id, data: { from: 'deployed' } });
    client.ws.close();
  }, 60_000);

  it('the publisher refuses bad calls before sending anything', async () => {
    await expect(publisher.publish('user:x', 1)).rejects.toMatchObject({ code: 'BAD_TARGET' });
    await expect(publisher.sendToUser('has\u0000nul', 1)).rejects.toBeInstanceOf(PublishError);
    await expect(publisher.broadcast('x'.repeat(1000))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(publisher.broadcast(undefined)).rejects.toMatchObject({ code: 'BAD_DATA' });
    await expect(publisher.broadcast(1, { id: 'not ok!' })).rejects.toMatchObject({ code: 'BAD_TARGET' });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(publisher.broadcast(circular)).rejects.toMatchObject({ code: 'BAD_DATA' });
  });

  it('a poison message goes to the dead-letter queue alone; the rest of its batch is delivered', async () => {
    const user = `poison-${randomUUID()}`;
    const client = await join(user);
    const dlq = project.sandbox.queues.get(FANOUT_DLQ)!;
    const before = dlq.messages().length;
    const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
    const good = (n: number) => JSON.stringify({ v: 1, kind: 'publish', id: `good-${n}-${randomUUID()}`, target: { type: 'user', userId: user }, data: n, publishedAt: Date.now() });
    const group = (await import('../../packages/contract/src/queue-message')).groupIdOf(`user:${user}`);
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url,
        // A lone surrogate written as a JSON escape (`\ud800`): SQS takes it, no client could have sent it.
        Entries: [good(1), '{"v":1,"kind":"publish"', good(3).replace('"data":3', '"data":"\\ud800"'), good(2)].map((body, n) => ({ Id: String(n), MessageBody: body, MessageGroupId: group, MessageDeduplicationId: randomUUID() })),
      }),
    );
    const frames = await messages(client, 2);
    expect(frames.map((f) => f.data)).toEqual([1, 2]);
    await drained();
    const dead = dlq.messages().slice(before).map((m) => JSON.parse(m.body) as Frame);
    expect(dead).toEqual([
      expect.objectContaining({ kind: 'dead_letter', reason: 'malformed', problem: 'body is not JSON' }),
      expect.objectContaining({ kind: 'dead_letter', reason: 'malformed', problem: expect.stringContaining('lone surrogates') }),
    ]);
    client.ws.close();
  });
});
