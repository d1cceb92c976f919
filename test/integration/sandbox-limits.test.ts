import { connect, eventually } from '../helpers/clients';
import { startFixtureSandbox } from '../helpers/fixture-sandbox';
import type { LogCapture } from '../helpers/logs';
import type { Sandbox } from '../../sandbox';

describe('sandbox limits', () => {
  let sandbox: Sandbox;
  let logs: LogCapture;

  beforeAll(async () => {
    ({ sandbox, logs } = await startFixtureSandbox({ limits: { idleTimeoutMs: 400, maxConnectionMs: 1_500 } }));
  });
  afterAll(() => sandbox.stop());
  beforeEach(() => logs.clear());

  it('closes with 1009 when a message exceeds 128 KB', async () => {
    const client = await connect(sandbox.url, { protocols: 'app' });
    client.send('x'.repeat(128 * 1024 + 1));
    expect((await client.closed).code).toBe(1009);
  });

  it('closes with 1009 when a single frame exceeds 32 KB', async () => {
    const client = await connect(sandbox.url, { protocols: 'app' });
    client.send(JSON.stringify({ action: 'echo', pad: 'x'.repeat(33 * 1024) }));
    expect((await client.closed).code).toBe(1009);
  });

  it('accepts a 60 KB message sent as frames of at most 32 KB', async () => {
    const client = await connect(sandbox.url, { protocols: 'app' });
    const message = JSON.stringify({ action: 'reply', pad: 'x'.repeat(60 * 1024) });
    const third = Math.ceil(message.length / 3);
    client.ws.send(message.slice(0, third), { fin: false });
    client.ws.send(message.slice(third, 2 * third), { fin: false });
    client.ws.send(message.slice(2 * third), { fin: true });
    const frame = (await client.next()) as { routeKey: string; echo: { pad: string } };
    expect(frame.routeKey).toBe('reply');
    expect(frame.echo.pad).toHaveLength(60 * 1024);
    client.ws.close();
  });

  it('closes an idle connection with 1001 and runs $disconnect with that code', async () => {
    const client = await connect(sandbox.url, { protocols: 'app' });
    const [connectEvent] = (await logs.waitForFixture('connect')) as Array<{ requestContext: { connectionId: string } }>;
    expect((await client.closed).code).toBe(1001);
    const event = await eventually(
      () =>
        (logs.fixtureEvents('disconnect') as Array<{ requestContext: { connectionId: string; disconnectStatusCode: number } }>).find(
          (e) => e.requestContext.connectionId === connectEvent!.requestContext.connectionId,
        ),
      5_000,
      'the $disconnect event',
    );
    expect(event.requestContext.disconnectStatusCode).toBe(1001);
  });

  it('keeps a busy connection open past the idle timeout, then closes it at the maximum duration', async () => {
    const client = await connect(sandbox.url, { protocols: 'app' });
    const opened = Date.now();
    const keepAlive = setInterval(() => client.send({ action: 'echo' }), 150);
    const { code } = await client.closed;
    clearInterval(keepAlive);
    expect(code).toBe(1001);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(1_400);
  });
});
