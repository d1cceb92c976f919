import { randomUUID } from 'node:crypto';
import { connect, eventually, handshakeStatus } from '../helpers/clients';
import { startTestProject } from '../helpers/project-sandbox';

/** A queue URL nothing listens on: every send fails as an SQS outage would (the SDK uses the URL as its endpoint). */
const UNREACHABLE_QUEUE = 'http://127.0.0.1:9/000000000000/unreachable.fifo';

describe('failures inside the functions', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  /** Pongs with these request ids fail with a 500 from the Management API, every attempt. */
  const failing = new Set<string>();

  beforeAll(async () => {
    project = await startTestProject({
      functionEnv: { message: { FANOUT_QUEUE_URL: UNREACHABLE_QUEUE }, disconnect: { TABLE_NAME: 'no-such-table' } },
      injectFault: (operation, _connectionId, data) => {
        if (operation !== 'PostToConnection' || data === undefined) return undefined;
        const frame = JSON.parse(data) as { type?: string; id?: string };
        if (frame.type !== 'pong' || frame.id === undefined || !failing.has(frame.id)) return undefined;
        return 500;
      },
    });
  });
  afterAll(() => project.sandbox.stop());
  beforeEach(() => project.logs.clear());

  it('answers an action whose AWS call fails with a retryable INTERNAL carrying the request id its log line carries', async () => {
    const client = await connect(project.sandbox.url, { protocols: randomUUID() });
    client.send({ action: 'publish', channel: 'news', data: { text: 'hi' }, id: 'p1' });
    const answer = (await client.next(15_000)) as Record<string, unknown>;
    expect(answer).toEqual({
      type: 'error',
      code: 'INTERNAL',
      message: `the server failed to serve this request; retry it (request ${answer.requestId as string})`,
      retryable: true,
      id: 'p1',
      requestId: expect.any(String),
    });
    const line = await eventually(() => project.logs.records('message').find((r) => r.event === 'internal_error'));
    expect(line).toMatchObject({ level: 'error', reason: 'internal', action: 'publish', requestId: answer.requestId, awsRequestId: expect.any(String), Errors: 1 });
    expect(line.stack).toEqual(expect.stringContaining('\n    at '));
    client.send({ action: 'ping', id: 'after' });
    expect(await client.next()).toMatchObject({ type: 'pong', id: 'after' });
    client.ws.close();
  });

  it('answers a failure outside the action (injected Management API 500 on the answer) with INTERNAL, not Internal server error', async () => {
    const client = await connect(project.sandbox.url, { protocols: randomUUID() });
    failing.add('boom');
    client.send({ action: 'ping', id: 'boom' });
    const answer = (await client.next()) as Record<string, unknown>;
    expect(answer).toMatchObject({ type: 'error', code: 'INTERNAL', retryable: true, id: 'boom', requestId: expect.any(String) });
    const line = await eventually(() => project.logs.records('message').find((r) => r.event === 'internal_error'));
    expect(line).toMatchObject({ errorType: 'PushError', requestId: answer.requestId });
    client.send({ action: 'ping', id: 'after' });
    expect(await client.next()).toMatchObject({ type: 'pong', id: 'after' });
    client.ws.close();
  });

  it('logs a failed $disconnect with its stack instead of throwing', async () => {
    const client = await connect(project.sandbox.url, { protocols: randomUUID() });
    client.ws.close();
    const line = await eventually(() => project.logs.records('disconnect').find((r) => r.event === 'internal_error'));
    expect(line).toMatchObject({ level: 'error', stage: 'disconnect', reason: 'internal', errorType: 'ResourceNotFoundException', stack: expect.any(String) });
  });
});

describe('a failing $connect', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;

  beforeAll(async () => {
    project = await startTestProject({ functionEnv: { connect: { TABLE_NAME: 'no-such-table' } } });
  });
  afterAll(() => project.sandbox.stop());

  it('refuses the handshake with 500 and logs the error with its stack', async () => {
    expect(await handshakeStatus(project.sandbox.url, { protocols: randomUUID() })).toBe(500);
    const line = await eventually(() => project.logs.records('connect').find((r) => r.event === 'internal_error'));
    expect(line).toMatchObject({ level: 'error', stage: 'connect', reason: 'internal', status: 500, errorType: 'ResourceNotFoundException', stack: expect.any(String) });
    expect(project.logs.records('connect').filter((r) => r.event === 'connect')).toEqual([]);
  });
});
