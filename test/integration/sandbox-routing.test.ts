import { connect, eventually, sleep, type TestClient } from '../helpers/clients';
import { startFixtureSandbox } from '../helpers/fixture-sandbox';
import type { LogCapture } from '../helpers/logs';
import type { Sandbox } from '../../sandbox';

describe('sandbox routing fidelity', () => {
  let sandbox: Sandbox;
  let logs: LogCapture;
  let client: TestClient;

  beforeAll(async () => {
    ({ sandbox, logs } = await startFixtureSandbox());
  });
  afterAll(() => sandbox.stop());
  beforeEach(async () => {
    logs.clear();
    client = await connect(sandbox.url, { protocols: 'app' });
  });
  afterEach(() => client.ws.close());

  const routedKeys = async (count: number) =>
    ((await logs.waitForFixture('message', count)) as Array<{ requestContext: { routeKey: string } }>).map((e) => e.requestContext.routeKey);

  it('routes a frame whose action names a custom route to that route', async () => {
    client.send({ action: 'echo' });
    expect(await routedKeys(1)).toEqual(['echo']);
  });

  it.each([
    ['non-JSON', 'hello'],
    ['a JSON array', '[1,2]'],
    ['no action key', '{"type":"x"}'],
    ['an unknown action', '{"action":"nope"}'],
    ['a non-string action', '{"action":7}'],
    ['an action naming a $ route', '{"action":"$connect"}'],
  ])('routes %s to $default', async (_what, body) => {
    client.send(body);
    expect(await routedKeys(1)).toEqual(['$default']);
  });

  it('builds MESSAGE events as API Gateway does', async () => {
    client.send({ action: 'echo', n: 1 });
    const [event] = (await logs.waitForFixture('message')) as Array<Record<string, any>>;
    expect(event!.body).toBe('{"action":"echo","n":1}');
    expect(event!.isBase64Encoded).toBe(false);
    expect(event).not.toHaveProperty('headers');
    expect(event!.requestContext).toMatchObject({ eventType: 'MESSAGE', messageDirection: 'IN', stage: 'dev' });
    expect(typeof event!.requestContext.messageId).toBe('string');
    expect(event!.requestContext.authorizer).toMatchObject({ principalId: 'fixture-user', userId: 'fixture-user' });
    expect(event!.requestContext).not.toHaveProperty('disconnectStatusCode');
  });

  it('sends the Internal server error frame when a MESSAGE integration fails', async () => {
    client.send({ action: 'echo', do: 'crash' });
    const frame = (await client.next()) as Record<string, string>;
    expect(frame).toEqual({ message: 'Internal server error', connectionId: expect.any(String), requestId: expect.any(String) });
  });

  it('sends nothing when a handler merely returns a 500 status', async () => {
    client.send({ action: 'echo', do: 'status500' });
    await logs.waitForFixture('message');
    await expect(client.next(300)).rejects.toThrow(/no frame/);
  });

  it('returns the integration body only on a route with a route response', async () => {
    client.send({ action: 'echo' });
    await logs.waitForFixture('message');
    await expect(client.next(300)).rejects.toThrow(/no frame/);

    client.send({ action: 'reply', x: 1 });
    expect(await client.next()).toEqual({ routeKey: 'reply', echo: { action: 'reply', x: 1 } });
  });

  it('runs $disconnect while another route of the same connection is still running', async () => {
    client.send({ action: 'echo', do: 'slow', ms: 1_000 });
    const [message] = (await logs.waitForFixture('message')) as Array<Record<string, any>>;
    const { connectionId } = message!.requestContext;
    client.ws.close(1000, 'bye');
    const disconnect = await eventually(
      () => (logs.fixtureEvents('disconnect') as Array<Record<string, any>>).find((e) => e.requestContext.connectionId === connectionId),
      5_000,
      'the $disconnect event',
    );
    expect(logs.fixtureEvents('slow-done')).toHaveLength(0);
    expect(disconnect.requestContext).toMatchObject({ eventType: 'DISCONNECT', disconnectStatusCode: 1000, disconnectReason: 'bye' });
    expect(Object.keys(disconnect.headers).sort()).toEqual(['Host', 'X-Forwarded-For', 'x-api-key', 'x-restapi']);
    await logs.waitForFixture('slow-done');
  });

  it('closes with 1003 on a binary frame', async () => {
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await client.closed).code).toBe(1003);
  });
});

describe('sandbox routing without a $default route', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    ({ sandbox } = await startFixtureSandbox({ withDefault: false }));
  });
  afterAll(() => sandbox.stop());

  it('answers an unroutable frame with the Forbidden frame', async () => {
    const client = await connect(sandbox.url, { protocols: 'app' });
    client.send({ action: 'unknown' });
    const frame = (await client.next()) as Record<string, string>;
    expect(frame).toEqual({ message: 'Forbidden', connectionId: expect.any(String), requestId: expect.any(String) });
    client.ws.close();
    await sleep(10);
  });
});
