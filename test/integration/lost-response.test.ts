import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createSessionStore } from '../../functions/lib/sessions/session-store';
import { LoginEvent, createTotpFactor, totp } from '../../packages/sessions/src/login';
import { createConnectionStore } from '../../functions/lib/store/connection-store';
import { createDocumentClient } from '../../functions/lib/store/dynamo';
import { connectionCountKey } from '../../packages/contract/src/table-keys';
import { startDynamoFaultProxy, type DynamoCall, type DynamoFaultProxy } from '../../sandbox/dynamo-faults';
import { connect, eventually } from '../helpers/clients';
import { account, loginHarness, mfaStarted } from '../helpers/login';
import { allItems, createTestTable, documentClient, dynamoEndpoint } from '../helpers/dynamo';
import { startTestProject } from '../helpers/project-sandbox';

/** The connect function's request timeout here: the lost answer is held well past it. */
const REQUEST_TIMEOUT_MS = 1_000;
const HOLD_MS = 4_000;

/** The write that stores a connection item: a PutItem, or (with the cap on) the TransactWriteItems that also counts it. */
const connectionPut = (input: Record<string, unknown>): { Item?: { SK?: { S?: string }; type?: { S?: string } } } | undefined => {
  if (input.Item) return input as { Item?: { SK?: { S?: string }; type?: { S?: string } } };
  return (input.TransactItems as Array<{ Put?: { Item?: { SK?: { S?: string }; type?: { S?: string } } } }> | undefined)?.find((item) => item.Put)?.Put;
};
const storesConnection = ({ operation, input }: DynamoCall): boolean =>
  (operation === 'PutItem' || operation === 'TransactWriteItems') && connectionPut(input)?.Item?.type?.S === 'connection';

describe('lost-response on the connect write: DynamoDB applies it, its answer arrives after the request timeout, and the SDK retries it', () => {
  it.each([
    ['off (a conditional PutItem)', 0],
    ['on (a TransactWriteItems that also counts it)', 10],
  ])('with the per-user cap %s the handshake succeeds, the connection is counted once, and nothing is left after disconnect', async (_label, cap) => {
    const lost: DynamoCall[] = [];
    const project = await startTestProject({
      maxConnectionsPerUser: cap,
      functionEnv: { connect: { AWS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } },
      dynamoFaultHoldMs: HOLD_MS,
      injectDynamoFault: (call) => {
        if (!storesConnection(call) || call.attempt !== 1) return undefined;
        lost.push(call);
        return 'lost-response';
      },
    });
    try {
      const userId = randomUUID();
      const client = await connect(project.sandbox.url, { protocols: userId });
      // The write met the fault once, and the SDK sent the same request again.
      expect(lost.map((call) => call.operation)).toEqual([cap > 0 ? 'TransactWriteItems' : 'PutItem']);
      expect(project.logs.records('connect').filter((r) => r.event === 'internal_error')).toEqual([]);
      const mine = async () => (await allItems(project.tableName)).filter((item) => item.userId === userId || item.PK === connectionCountKey(userId).PK);
      expect((await mine()).filter((item) => item.type === 'connection')).toHaveLength(1);
      const counter = async () => (await documentClient().send(new GetCommand({ TableName: project.tableName, Key: connectionCountKey(userId), ConsistentRead: true }))).Item;
      if (cap > 0) expect(await counter()).toMatchObject({ count: 1 });
      else expect(await counter()).toBeUndefined();

      client.ws.close();
      await client.closed;
      // The $disconnect removes the item and counts it out: a counter at 0, or none, and no item.
      await eventually(async () => ((await mine()).some((item) => item.type === 'connection') ? undefined : true), 10_000, 'the connection item to go');
      expect((await mine()).filter((item) => !(item.SK === 'CONNECTIONS' && Number(item.count) === 0))).toEqual([]);
    } finally {
      await project.sandbox.stop();
    }
  }, 60_000);
});

describe('lost-response on the conditional writes that follow a connection: each retry meets its own write and reports it done, and a real conflict still fails', () => {
  let proxy: DynamoFaultProxy;
  let client: DynamoDBClient;
  let tableName: string;
  /** Which calls lose the answer to their first attempt; none by default. */
  let armed: ((call: DynamoCall) => boolean) | undefined;
  const updating = (text: string) => (call: DynamoCall) => call.operation === 'UpdateItem' && String(call.input.UpdateExpression).includes(text);
  const lost: DynamoCall[] = [];
  const connections = () => createConnectionStore({ client: createDocumentClient(client), tableName });
  const sessions = () => createSessionStore({ client: createDocumentClient(client), tableName });
  const connection = (userId = randomUUID()) => ({ connectionId: `${randomUUID()}=`, userId, authMode: 'anonymous' as const, connectedAt: Date.now(), expiresAt: Math.floor(Date.now() / 1000) + 7800 });

  beforeAll(async () => {
    tableName = await createTestTable('lost');
    proxy = await startDynamoFaultProxy({
      target: dynamoEndpoint(),
      holdMs: HOLD_MS,
      injectFault: (call) => {
        if (armed === undefined || call.attempt !== 1 || !armed(call)) return undefined;
        lost.push(call);
        return 'lost-response';
      },
    });
    client = new DynamoDBClient({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
      requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    });
  });
  afterAll(async () => {
    client.destroy();
    await proxy.stop();
  });
  afterEach(() => {
    armed = undefined;
    lost.length = 0;
  });

  it("the sweeper's goaway claim: claimed, so the goaway is posted; another sweep's claim then fails", async () => {
    const c = connection();
    await connections().putConnection(c);
    armed = updating('goawayAt');
    expect(await connections().claimGoaway(c.connectionId, c.connectedAt)).toBe(true);
    expect(lost).toHaveLength(1);
    expect(await connections().claimGoaway(c.connectionId, c.connectedAt)).toBe(false);
  });

  it('a session state write: the new version, not VERSION_CONFLICT; a writer with the old version then meets the conflict', async () => {
    const c = connection();
    await connections().putConnection(c);
    const session = await sessions().create({ userId: c.userId, connectionId: c.connectionId, expiresAt: c.expiresAt, now: Date.now() });
    armed = updating('#state');
    const nowSeconds = Math.floor(Date.now() / 1000);
    expect(await sessions().setState({ sessionId: session.sessionId, expectedVersion: 0, state: { n: 1 }, nowSeconds })).toEqual({ ok: true, version: 1 });
    expect(lost).toHaveLength(1);
    expect(await sessions().setState({ sessionId: session.sessionId, expectedVersion: 0, state: { n: 2 }, nowSeconds })).toMatchObject({ ok: false, reason: 'conflict', current: { version: 1, state: { n: 1 } } });
  });

  it("a session's detach by its connection's removal: detached (its purge is scheduled); a second removal's detach then fails", async () => {
    const c = connection();
    await connections().putConnection(c);
    const session = await sessions().create({ userId: c.userId, connectionId: c.connectionId, expiresAt: c.expiresAt, now: Date.now() });
    armed = updating(':inactive');
    const detach = { sessionId: session.sessionId, connectionId: c.connectionId, lastSeen: Date.now(), expiresAt: c.expiresAt };
    expect(await sessions().detach(detach)).toBe(true);
    expect(lost).toHaveLength(1);
    expect(await sessions().detach(detach)).toBe(false);
  });

  it('a TOTP code accepted once: accepted, not REPLAYED_CODE; the same code then is a replay', async () => {
    const secret = randomBytes(20);
    const factor = createTotpFactor({ client: createDocumentClient(client), tableName, secretFor: async () => secret });
    const nowMs = Date.now();
    const code = totp(secret, Math.floor(nowMs / 1000));
    const userId = randomUUID();
    armed = updating('lastStep');
    expect(await factor.verify({ userId, code, nowMs })).toEqual({ ok: true });
    expect(lost).toHaveLength(1);
    expect(await factor.verify({ userId, code, nowMs })).toEqual({ ok: false, reason: 'REPLAYED_CODE' });
  });

  it('a login without MFA: its flow put and its completion end in a session, not an error', async () => {
    const plain = account(false);
    const harness = loginHarness({ tableName, accounts: [plain], client: createDocumentClient(client) });
    armed = ({ operation, input }) => operation !== 'GetItem' && operation !== 'BatchGetItem' && JSON.stringify(input).includes('LOGINFLOW#');
    const result = await harness.coordinator.startLogin({ email: plain.email, password: plain.password, ip: '198.51.100.7' });
    expect(result.status).toBe('SESSION_CREATED');
    expect(lost.map((call) => call.operation)).toEqual(['PutItem', 'TransactWriteItems']);
  });

  it('an MFA login: its verified mark and its TOTP step, each answer lost, verify the code once (one MFA_VERIFIED event) and end in a session', async () => {
    const withMfa = account(true);
    const harness = loginHarness({ tableName, accounts: [withMfa], client: createDocumentClient(client) });
    const started = mfaStarted(await harness.coordinator.startLogin({ email: withMfa.email, password: withMfa.password, ip: '198.51.100.8' }));
    armed = (call) => updating('verified = :true')(call) || updating('lastStep')(call);
    await harness.coordinator.verifyMfa({ flowId: started.mfaFlowId, code: harness.codeFor(withMfa) });
    expect(lost).toHaveLength(2);
    expect(harness.events.filter(([name]) => name === LoginEvent.MFA_VERIFIED)).toHaveLength(1);
    await expect(harness.coordinator.completeMfa({ flowId: started.mfaFlowId })).resolves.toMatchObject({ status: 'SESSION_CREATED' });
  });

  it("a repair of a user's connection counter: repaired (the handshake at the cap goes on); the counter says what exists", async () => {
    const userId = randomUUID();
    await documentClient().send(
      new PutCommand({ TableName: tableName, Item: { ...connectionCountKey(userId), count: 3, generation: 'g1', ttl: Math.floor(Date.now() / 1000) + 3600, countedAt: Date.now() - 120_000 } }),
    );
    armed = updating(':found');
    expect(await connections().repairConnectionCount(userId)).toBe(0);
    expect(lost).toHaveLength(1);
    const { Item } = await documentClient().send(new GetCommand({ TableName: tableName, Key: connectionCountKey(userId), ConsistentRead: true }));
    expect(Item).toMatchObject({ count: 0, generation: 'g1' });
  });
});
