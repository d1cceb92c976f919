import { randomUUID } from 'node:crypto';
import { connect, eventually, handshakeStatus } from '../helpers/clients';
import { allItems } from '../helpers/dynamo';
import { startTestProject } from '../helpers/project-sandbox';

describe('anonymous connections through the real handlers', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;

  beforeAll(async () => {
    project = await startTestProject();
  });
  afterAll(() => project.sandbox.stop());
  beforeEach(() => project.logs.clear());

  it('accepts an anonymous id offered as the subprotocol, echoes it and stores the connection', async () => {
    const userId = randomUUID();
    const before = Math.floor(Date.now() / 1000);
    const client = await connect(project.sandbox.url, { protocols: userId, origin: 'https://app.example.com' });
    expect(client.ws.protocol).toBe(userId);

    const items = await allItems(project.tableName);
    const item = items.find((i) => i.userId === userId)!;
    const connectionId = item.connectionId as string;
    expect(item).toMatchObject({
      PK: `CONNECTION#${connectionId}`,
      SK: 'METADATA',
      GSI1PK: `USER#${userId}`,
      GSI1SK: `CONNECTION#${connectionId}`,
      authMode: 'anonymous',
    });
    // TTL is a Number of epoch seconds: connectedAt + 2 h + the 10 min grace.
    const ttl = Number(item.ttl);
    expect(ttl).toBeGreaterThanOrEqual(before + 7800);
    expect(ttl).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 7800);
    expect(project.sandbox.gateway.connections.has(connectionId)).toBe(true);

    client.ws.close();
    await eventually(async () => ((await allItems(project.tableName)).some((i) => i.userId === userId) ? undefined : true), 5_000, 'the item to be deleted');
  });

  it('answers ping with pong carrying the request id', async () => {
    const client = await connect(project.sandbox.url, { protocols: randomUUID() });
    client.send({ action: 'ping', id: 'req-1' });
    expect(await client.next()).toEqual({ type: 'pong', id: 'req-1', ts: expect.any(Number) });
    client.ws.close();
  });

  it.each([
    ['non-JSON', 'hello', 'message is not JSON', undefined],
    ['an array', '[1]', 'message must be a JSON object', undefined],
    ['no action', '{"id":"a1"}', '"action" must be a string', 'a1'],
    ['an unknown action', '{"action":"fly","id":7}', 'unknown action "fly"', 7],
    ['a malformed action', '{"action":"../../x","id":"a2"}', '"action" is malformed', 'a2'],
    ['a malformed id', '{"action":"ping","id":{"x":1}}', '"id" must be a string of 1–128 characters or an integer', undefined],
  ])('answers %s with BAD_MESSAGE and keeps the connection open', async (_what, body, message, id) => {
    const client = await connect(project.sandbox.url, { protocols: randomUUID() });
    client.send(body);
    const expected: Record<string, unknown> = { type: 'error', code: 'BAD_MESSAGE', message, retryable: false };
    if (id !== undefined) expected.id = id;
    expect(await client.next()).toEqual(expected);
    client.send({ action: 'ping' });
    expect(await client.next()).toMatchObject({ type: 'pong' });
    expect(project.logs.records('message').some((r) => r.event === 'rejected_message' && r.reason === 'bad_message')).toBe(true);
    client.ws.close();
  });

  it('never logs a full anonymous id', async () => {
    const userId = randomUUID();
    const client = await connect(project.sandbox.url, { protocols: userId });
    client.send({ action: 'ping' });
    await client.next();
    client.ws.close();
    await eventually(() => project.logs.records('disconnect').find((r) => r.event === 'disconnect'));
    const text = project.logs.text();
    expect(text).toContain('"event":"connect"');
    expect(text).not.toContain(userId);
    expect(text).not.toContain(userId.slice(0, 12));
  });
});

describe('rejected anonymous handshakes', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;

  beforeAll(async () => {
    project = await startTestProject();
  });
  afterAll(() => project.sandbox.stop());
  beforeEach(() => {
    project.logs.clear();
    for (const fn of project.sandbox.functions.values()) fn.invocations = 0;
  });

  it.each([
    ['no subprotocol', {}, 401, undefined],
    ['two subprotocols', { protocols: [randomUUID(), randomUUID()] }, 401, 'multiple_subprotocols'],
    ['an id that is too short', { protocols: 'short-id' }, 401, 'malformed_anonymous_id'],
    ['an id that is too long', { protocols: 'a'.repeat(129) }, 401, 'malformed_anonymous_id'],
    ['an id with a dot', { protocols: 'abcdefgh.ijklmnopq' }, 401, 'malformed_anonymous_id'],
    ['an origin not on the allowlist', { protocols: randomUUID(), origin: 'https://evil.example.com' }, 403, 'origin_not_allowed'],
    ['a look-alike origin', { protocols: randomUUID(), origin: 'https://app.example.com.evil.com' }, 403, 'origin_not_allowed'],
    ['the allowed host on another scheme', { protocols: randomUUID(), origin: 'http://app.example.com' }, 403, 'origin_not_allowed'],
    ['the allowed host on another port', { protocols: randomUUID(), origin: 'https://app.example.com:8443' }, 403, 'origin_not_allowed'],
    ['the null origin', { protocols: randomUUID(), origin: 'null' }, 403, 'origin_not_allowed'],
  ])('rejects %s, writes nothing and logs the reason', async (_what, options, status, reason) => {
    expect(await handshakeStatus(project.sandbox.url, options)).toBe(status);
    expect(await allItems(project.tableName)).toEqual([]);
    if (reason) {
      const rejection = await eventually(() => project.logs.records('authorizer').find((r) => r.event === 'reject'));
      expect(rejection).toMatchObject({ reason, status, Rejects: 1 });
    } else {
      // A missing identity source is refused by API Gateway before the authorizer runs.
      expect(project.sandbox.functions.get('authorizer')!.invocations).toBe(0);
    }
    expect(project.sandbox.functions.get('connect')!.invocations).toBe(0);
  });
});
