import { connect, handshakeStatus, rawRequest } from '../helpers/clients';
import { startFixtureSandbox } from '../helpers/fixture-sandbox';
import type { LogCapture } from '../helpers/logs';
import type { Sandbox } from '../../sandbox';

describe('sandbox handshake ($connect) fidelity', () => {
  let sandbox: Sandbox;
  let logs: LogCapture;

  beforeAll(async () => {
    ({ sandbox, logs } = await startFixtureSandbox({ limits: { integrationTimeoutMs: 500 } }));
  });
  afterAll(() => sandbox.stop());
  beforeEach(() => {
    logs.clear();
    for (const fn of sandbox.functions.values()) fn.invocations = 0;
  });

  it('answers 401 without invoking the authorizer when an identity source is missing', async () => {
    expect(await handshakeStatus(sandbox.url)).toBe(401);
    expect(sandbox.functions.get('authorizer')!.invocations).toBe(0);
  });

  it('answers 401 when the identity source is present but empty', async () => {
    expect(await handshakeStatus(sandbox.url, { headers: { 'Sec-WebSocket-Protocol': ' ' } })).toBe(401);
    expect(sandbox.functions.get('authorizer')!.invocations).toBe(0);
  });

  it.each([
    ['unauthorized', 401],
    ['deny', 403],
    ['crash', 500],
    ['malformed', 500],
    ['nested-context', 500],
  ])('answers an authorizer verdict of %s with %i', async (verdict, status) => {
    expect(await handshakeStatus(sandbox.url, { protocols: 'app', query: `verdict=${verdict}` })).toBe(status);
    expect(sandbox.functions.get('authorizer')!.invocations).toBe(1);
    expect(sandbox.functions.get('connect')!.invocations).toBe(0);
  });

  it('answers with the status $connect returned when it is not 2xx', async () => {
    expect(await handshakeStatus(sandbox.url, { protocols: 'app', query: 'connect=status:409' })).toBe(409);
  });

  it('answers 502 when $connect throws', async () => {
    expect(await handshakeStatus(sandbox.url, { protocols: 'app', query: 'connect=throw' })).toBe(502);
  });

  it('answers 502 when $connect outlives the integration timeout', async () => {
    expect(await handshakeStatus(sandbox.url, { protocols: 'app', query: 'connect=slow' })).toBe(502);
  });

  it('answers a plain GET without Upgrade with 426', async () => {
    const response = await rawRequest(sandbox.url.replace('ws://', 'http://'));
    expect(response.status).toBe(426);
  });

  it('echoes the subprotocol $connect returned', async () => {
    const client = await connect(sandbox.url, { protocols: ['app.v1', 'second'] });
    expect(client.ws.protocol).toBe('app.v1');
    client.ws.close();
  });

  it('sends no subprotocol when $connect returned none, which fails a client that offered one', async () => {
    await expect(connect(sandbox.url, { protocols: 'app', query: 'connect=none' })).rejects.toThrow(/no subprotocol/i);
  });

  it('sends the returned subprotocol even when it was not offered, which fails the client', async () => {
    await expect(connect(sandbox.url, { protocols: 'app', query: 'connect=protocol:other' })).rejects.toThrow(/invalid subprotocol/i);
  });

  it('passes headers to $connect in their original case, with multiValueHeaders', async () => {
    const client = await connect(sandbox.url, { protocols: 'app', headers: { 'X-Custom-Header': 'Value' }, origin: 'https://app.example.com' });
    client.ws.close();
    const [event] = (await logs.waitForFixture('connect')) as Array<{ headers: Record<string, string>; multiValueHeaders: Record<string, string[]> }>;
    expect(event!.headers['X-Custom-Header']).toBe('Value');
    expect(event!.headers['Sec-WebSocket-Protocol']).toBe('app');
    expect(event!.headers.Origin).toBe('https://app.example.com');
    expect(event!.headers['x-custom-header']).toBeUndefined();
    expect(event!.multiValueHeaders['X-Custom-Header']).toEqual(['Value']);
    expect(Object.keys(event!.headers)).toEqual(expect.arrayContaining(['Host', 'X-Forwarded-For', 'X-Forwarded-Proto', 'X-Amzn-Trace-Id']));
  });

  it('leaves queryStringParameters out of the event when there is no query string', async () => {
    const client = await connect(sandbox.url, { protocols: 'app' });
    client.ws.close();
    const [authorizerEvent] = await logs.waitForFixture('authorizer');
    const [connectEvent] = await logs.waitForFixture('connect');
    for (const event of [authorizerEvent!, connectEvent!]) {
      expect(event).not.toHaveProperty('queryStringParameters');
      expect(event).not.toHaveProperty('multiValueQueryStringParameters');
    }
  });

  it('passes the query string when there is one', async () => {
    const client = await connect(sandbox.url, { protocols: 'app', query: 'a=1&a=2&b=x' });
    client.ws.close();
    const [event] = await logs.waitForFixture('connect');
    expect(event!.queryStringParameters).toEqual({ a: '2', b: 'x' });
    expect(event!.multiValueQueryStringParameters).toEqual({ a: ['1', '2'], b: ['x'] });
  });

  it('builds the authorizer and $connect events as API Gateway does', async () => {
    const client = await connect(sandbox.url, { protocols: 'app' });
    client.ws.close();
    const [auth] = (await logs.waitForFixture('authorizer')) as Array<Record<string, any>>;
    const [event] = (await logs.waitForFixture('connect')) as Array<Record<string, any>>;
    expect(auth!.type).toBe('REQUEST');
    expect(auth!.methodArn).toMatch(/^arn:aws:execute-api:us-east-1:\d{12}:\w+\/dev\/\$connect$/);
    const context = event!.requestContext;
    expect(context).toMatchObject({ routeKey: '$connect', eventType: 'CONNECT', messageDirection: 'IN', stage: 'dev' });
    expect(context.connectionId).toMatch(/^[A-Za-z0-9]{15}=$/);
    expect(context.requestId).toBe(context.extendedRequestId);
    expect(context.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(context).not.toHaveProperty('messageId');
    expect(context.authorizer).toMatchObject({ principalId: 'fixture-user', userId: 'fixture-user', count: '3', admin: 'true' });
    expect(typeof context.authorizer.integrationLatency).toBe('number');
    expect(event!.isBase64Encoded).toBe(false);
  });

  it('answers 410 to a post made from inside $connect: the connection does not exist yet', async () => {
    const client = await connect(sandbox.url, { protocols: 'app', query: 'connect=post-self' });
    client.ws.close();
    const [outcome] = await logs.waitForFixture('post-self');
    expect(outcome).toEqual({ outcome: 'GoneException', status: 410 });
  });
});
