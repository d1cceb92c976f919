import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox';
import { startLoginExample, type LoginExample } from '../../examples/login-flow/sandbox';
import ROUTE_KEYS from '../../examples/login-flow/routes.json';
import recorded from '../fixtures/events/http-api-v2.json';
import { allItems, createTestTable, dynamoEndpoint } from '../helpers/dynamo';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json(): Record<string, unknown>;
}

/** One raw request (repeated headers kept as sent), the answer with its body. */
function send(base: string, method: string, pathAndQuery: string, { headers = [], body }: { headers?: Array<[string, string]>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // A name given twice is an array, which Node sends as two header lines.
    const grouped: Record<string, string[]> = {};
    for (const [name, value] of headers) (grouped[name] ??= []).push(value);
    const req = request(`${base}${pathAndQuery}`, { method, headers: grouped }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const buffer = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body: buffer, json: () => JSON.parse(buffer.toString('utf8')) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A page's server that hands the HTTP API's paths to it, as the demo server does. */
async function serve(sandbox: Sandbox): Promise<{ base: string; server: Server }> {
  const server = createServer((req, res) => {
    if (sandbox.httpApi!.handles(new URL(req.url!, 'http://page').pathname)) return void sandbox.httpApi!.serve(req, res);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('the page');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const keysOf = (value: object) => Object.keys(value).sort();

describe('sandbox HTTP API (payload format 2.0)', () => {
  let sandbox: Sandbox;
  let server: Server;
  let base: string;
  let tableName: string;
  let login: LoginExample;

  beforeAll(async () => {
    tableName = await createTestTable('http');
    login = await startLoginExample();
    const spec = login.options.httpFunctions!['login-api']!;
    sandbox = await startSandbox({
      port: 0,
      functions: {
        http: { source: { file: path.join(__dirname, '..', 'fixtures', 'handlers', 'http.js') } },
        // No session ends in these requests, so the fan-out queue is never sent to: a URL it needs at init.
        'login-api': { source: spec.source, env: { ...spec.env, TABLE_NAME: tableName, AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(), FANOUT_QUEUE_URL: 'http://127.0.0.1:9/000000000000/unused.fifo' } },
      },
      routes: {},
      httpRoutes: { 'POST /fixture/echo': 'http', 'GET /fixture/echo': 'http', ...Object.fromEntries(Object.values(ROUTE_KEYS).map((key) => [key, 'login-api'])) },
    });
    ({ server, base } = await serve(sandbox));
  }, 60_000);
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await sandbox?.stop();
    await login?.stop();
  });

  it('gives the function an event shaped like a recorded one: cookies split out, headers lower-cased and joined, the query joined', async () => {
    const answer = await send(base, 'POST', '/fixture/echo?tag=a&tag=b&x=1', {
      headers: [
        ['Cookie', 'theme=dark; __Host-session=abc'],
        ['X-Repeat', 'one'],
        ['X-Repeat', 'two'],
        ['Content-Type', 'application/json'],
        ['User-Agent', 'sandbox-test'],
      ],
      body: '{"hello":"world"}',
    });
    expect(answer.status).toBe(201);
    const event = answer.json().event as typeof recorded & { body: string; queryStringParameters: Record<string, string>; headers: Record<string, string> };
    expect(keysOf(event)).toEqual(keysOf({ ...recorded, body: '', queryStringParameters: {} }));
    expect(keysOf(event.requestContext)).toEqual(keysOf(recorded.requestContext));
    expect(keysOf(event.requestContext.http)).toEqual(keysOf(recorded.requestContext.http));
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /fixture/echo',
      rawPath: '/fixture/echo',
      rawQueryString: 'tag=a&tag=b&x=1',
      cookies: ['theme=dark', '__Host-session=abc'],
      queryStringParameters: { tag: 'a,b', x: '1' },
      body: '{"hello":"world"}',
      isBase64Encoded: false,
      requestContext: { routeKey: 'POST /fixture/echo', stage: '$default', http: { method: 'POST', path: '/fixture/echo', sourceIp: '127.0.0.1', userAgent: 'sandbox-test' } },
    });
    expect(event.headers['x-repeat']).toBe('one,two');
    expect(event.headers).not.toHaveProperty('cookie');
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('sends each of the answer’s cookies as a Set-Cookie header, with its status, headers and body', async () => {
    const answer = await send(base, 'GET', '/fixture/echo');
    expect(answer.status).toBe(201);
    expect(answer.headers['set-cookie']).toEqual(['a=1; Path=/; HttpOnly', 'b=2; Path=/; Secure; SameSite=Strict']);
    expect(answer.headers['x-fixture']).toBe('http');
    expect(answer.headers['apigw-requestid']).toMatch(/^[A-Za-z0-9]{15}=$/);
    expect((answer.json().event as { cookies?: unknown }).cookies).toBeUndefined();
  });

  it('passes a binary body base64-encoded and decodes a base64 answer', async () => {
    const echoed = await send(base, 'POST', '/fixture/echo', { headers: [['Content-Type', 'application/octet-stream']], body: Buffer.from([0xff, 0, 0xfe]) });
    expect(echoed.json().event).toMatchObject({ body: Buffer.from([0xff, 0, 0xfe]).toString('base64'), isBase64Encoded: true });
    const binary = await send(base, 'GET', '/fixture/echo?do=binary');
    expect([...binary.body]).toEqual([0, 1, 2, 255]);
  });

  it('answers a value without statusCode as a 200 with that value as JSON', async () => {
    const answer = await send(base, 'GET', '/fixture/echo?do=bare');
    expect([answer.status, answer.headers['content-type'], answer.json()]).toEqual([200, 'application/json', { hello: 'world' }]);
  });

  it.each([
    ['a function that throws', 'crash'],
    ['an answer with a statusCode that is not a number', 'unmappable'],
  ])('answers %s with a 500 and API Gateway’s JSON message', async (_what, behaviour) => {
    const answer = await send(base, 'GET', `/fixture/echo?do=${behaviour}`);
    expect([answer.status, answer.json()]).toEqual([500, { message: 'Internal Server Error' }]);
  });

  it.each([
    ['a method the path has no route for', 'DELETE', '/fixture/echo'],
    ['a path of the API with no route', 'POST', '/fixture/nope'],
    ['a login route with the wrong method', 'GET', ROUTE_KEYS.login.split(' ')[1]!],
  ])('answers %s with 404 {"message":"Not Found"}, as HTTP API does, without invoking a function', async (_what, method, pathname) => {
    const before = [...sandbox.functions.values()].map((fn) => fn.invocations);
    const answer = await send(base, method, pathname);
    expect([answer.status, answer.headers['content-type'], answer.json()]).toEqual([404, 'application/json', { message: 'Not Found' }]);
    expect([...sandbox.functions.values()].map((fn) => fn.invocations)).toEqual(before);
  });

  it('leaves the page’s own paths to the page', async () => {
    const answer = await send(base, 'GET', '/');
    expect(answer.body.toString()).toBe('the page');
  });

  it.each([
    ['no body', undefined, 'BAD_REQUEST', /JSON object/],
    ['a body that is not JSON', '{"email":', 'BAD_REQUEST', /not JSON/],
    ['a JSON array', '[1,2]', 'BAD_REQUEST', /JSON object/],
    ['a password that is not a string', '{"email":"ada@example.com","password":7}', 'INVALID_INPUT', /password/],
    ['an email that is not one', '{"email":"ada","password":"x"}', 'INVALID_INPUT', /email/],
  ])('the login route answers %s with a 400 from the function, not a crash, and writes nothing', async (_what, body, error, message) => {
    const answer = await send(base, 'POST', ROUTE_KEYS.login.split(' ')[1]!, { headers: [['Content-Type', 'application/json']], body });
    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({ error, message: expect.stringMatching(message) });
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(await allItems(tableName)).toEqual([]);
  }, 30_000);
});
