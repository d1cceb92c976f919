import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import WebSocket from 'ws';
import { SessionClient, type MessageFrame, type SessionError } from '../../packages/client/src';
import { createPublisher, type Publisher } from '../../packages/publisher/src/index';
import { FANOUT_QUEUE } from '../../sandbox/project';
import { connect, eventually, framesSent, type TestClient } from '../helpers/clients';
import { allItems, documentClient } from '../helpers/dynamo';
import { signingKey, signToken, startJwksServer } from '../helpers/jwks';
import { startTestProject } from '../helpers/project-sandbox';

type Frame = Record<string, unknown>;
const APP = 'ws-sessions.v1';
const ISSUER = 'https://issuer.example.com';
const key = signingKey('ES256', 'guest-1');

describe('guest → signed-in: adopt carries the guest session into the signed-in one', () => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let sqs: SQSClient;
  let publisher: Publisher;
  const drained = () => project.sandbox.queues.get(FANOUT_QUEUE)!.drained();
  const sessionItem = async (sessionId: string) => (await allItems(project.tableName)).find((i) => i.type === 'session' && i.sessionId === sessionId);

  const request = async (client: TestClient, frame: Frame): Promise<Frame> => {
    client.send(frame);
    return (await client.next(10_000)) as Frame;
  };
  /** A guest: its anonymous id as the only subprotocol, a session, a channel and some state. */
  const guest = async ({ state, channel }: { state?: unknown; channel?: string } = {}) => {
    const userId = randomUUID();
    const client = await connect(project.sandbox.url, { protocols: userId });
    const welcome = await request(client, { action: 'hello' });
    if (state !== undefined) expect(await request(client, { action: 'state.set', version: 0, state })).toMatchObject({ type: 'state', version: 1 });
    if (channel) expect(await request(client, { action: 'subscribe', channel })).toMatchObject({ type: 'ack', action: 'subscribe' });
    return { client, userId, sessionId: welcome.sessionId as string, resumeToken: welcome.resumeToken as string };
  };
  /** A signed-in connection: the app protocol, then `auth` with a token for `sub`. */
  const signedIn = async (sub = `user-${randomUUID()}`) => {
    const client = await connect(project.sandbox.url, { protocols: APP });
    expect(await request(client, { action: 'auth', token: signToken(key, { sub, iss: ISSUER }) })).toMatchObject({ type: 'ack', userId: sub });
    return { client, sub };
  };

  beforeAll(async () => {
    jwks = await startJwksServer([key]);
    project = await startTestProject({
      authMode: 'two-phase',
      jwt: { JWT_ALGORITHMS: 'ES256', JWT_ISSUER: ISSUER, JWT_JWKS_URL: jwks.url },
      settings: { ALLOW_GUESTS: 'true' },
    });
    sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
    publisher = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs });
  });
  afterAll(async () => {
    sqs.destroy();
    await project.sandbox.stop();
    await jwks.stop();
  });

  it('keeps a guest whose anonymous id is a signed-in user’s id apart from that user: not on its channel, not among its connections, not under its cap', async () => {
    const sub = randomUUID();
    const member = await signedIn(sub);
    const impostor = await connect(project.sandbox.url, { protocols: sub });
    expect(impostor.ws.protocol).toBe(sub);
    expect(await request(impostor, { action: 'subscribe', channel: `user:${sub}`, id: 'u' })).toMatchObject({ type: 'error', code: 'FORBIDDEN', id: 'u' });
    await publisher.sendToUser(sub, { to: 'member' });
    await drained();
    expect(await framesSent<Frame>(member.client, 1_000)).toEqual([expect.objectContaining({ channel: `user:${sub}`, data: { to: 'member' } })]);
    expect(await framesSent(impostor, 500)).toEqual([]);

    const reader = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs, tableName: project.tableName, documents: documentClient() });
    expect((await reader.getByUser(sub)).map((c) => c.userId)).toEqual([sub]);
    expect((await reader.getByUser(`guest:${sub}`)).map((c) => [c.userId, c.authMode])).toEqual([[`guest:${sub}`, 'anonymous']]);
    const counter = (await allItems(project.tableName)).find((item) => item.PK === `USER#${sub}` && item.SK === 'CONNECTIONS');
    expect(Number(counter?.count)).toBe(1);
    for (const socket of [member.client, impostor]) socket.ws.close();
  });

  it('carries state and channels: every message after the guest’s cursor reaches the signed-in connection once, in order', async () => {
    const channel = `adopt-${randomUUID()}`;
    const visitor = await guest({ state: { cart: ['tea'] }, channel });
    expect(visitor.client.ws.protocol).toBe(visitor.userId);
    for (let n = 1; n <= 3; n++) await publisher.publish(channel, { n });
    expect((await framesSent<Frame>(visitor.client, 1_000)).map((f) => f.seq)).toEqual([1, 2, 3]);
    // The page signs in: the guest's socket goes first (its cursor is 3), then what it missed is replayed.
    visitor.client.ws.close();
    await eventually(async () => ((await sessionItem(visitor.sessionId))?.status === 'inactive' ? true : undefined));
    for (let n = 4; n <= 5; n++) await publisher.publish(channel, { n });
    await drained();

    const { client, sub } = await signedIn();
    const adopted = await request(client, { action: 'adopt', sessionId: visitor.sessionId, resumeToken: visitor.resumeToken, channels: { [channel]: 3 }, id: 'a' });
    expect(adopted).toEqual({
      type: 'adopted',
      id: 'a',
      sessionId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      resumeToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      resumeWindowSeconds: 120,
      heartbeatSeconds: 60,
      state: { cart: ['tea'] },
      version: 1,
      adoptedFrom: visitor.sessionId,
    });
    await publisher.publish(channel, { n: 6 });
    await drained();
    const delivered = await framesSent<Frame>(client, 1_500);
    expect(delivered.map((f) => [f.channel, f.seq, (f.data as { n: number }).n])).toEqual([4, 5, 6].map((n) => [channel, n, n]));
    expect(await request(client, { action: 'state.get' })).toEqual({ type: 'state', state: { cart: ['tea'] }, version: 1 });
    expect(await sessionItem(adopted.sessionId as string)).toMatchObject({ userId: sub, status: 'active' });
    expect(await sessionItem(visitor.sessionId)).toMatchObject({ status: 'adopted', adoptedBy: adopted.sessionId });
    expect((await sessionItem(visitor.sessionId))?.GSI3PK).toBeUndefined();

    // Exactly once: the same token again is refused and changes nothing.
    expect(await request(client, { action: 'adopt', sessionId: visitor.sessionId, resumeToken: visitor.resumeToken, id: 'again' })).toMatchObject({
      type: 'error',
      code: 'AUTH_INVALID',
      message: 'the session was adopted already',
      id: 'again',
    });
    expect(await request(client, { action: 'state.get' })).toEqual({ type: 'state', state: { cart: ['tea'] }, version: 1 });
    // The guest's token resumes nothing any more, on a new guest connection of the same id.
    const back = await connect(project.sandbox.url, { protocols: visitor.userId });
    expect(await request(back, { action: 'resume', sessionId: visitor.sessionId, resumeToken: visitor.resumeToken })).toMatchObject({
      type: 'error',
      code: 'AUTH_INVALID',
      message: 'the session was adopted by a signed-in session',
    });
    expect(await sessionItem(visitor.sessionId)).toMatchObject({ status: 'adopted' });
    for (const socket of [client, back]) socket.ws.close();
  });

  it('takes a live guest session over: the guest connection keeps no session and no channel; two adopters race, one wins', async () => {
    const channel = `live-${randomUUID()}`;
    const visitor = await guest({ state: { step: 2 }, channel });
    const [one, two] = await Promise.all([signedIn(), signedIn()]);
    const answers = await Promise.all(
      [one, two].map(({ client }) => request(client, { action: 'adopt', sessionId: visitor.sessionId, resumeToken: visitor.resumeToken, channels: { [channel]: 0 } })),
    );
    expect(answers.filter((a) => a.type === 'adopted')).toHaveLength(1);
    expect(answers.filter((a) => a.type === 'error')).toEqual([expect.objectContaining({ code: 'AUTH_INVALID', message: 'the session was adopted already' })]);
    const winner = answers[0]!.type === 'adopted' ? one : two;

    expect(await request(visitor.client, { action: 'state.get', id: 'g' })).toMatchObject({ type: 'error', code: 'BAD_MESSAGE', id: 'g' });
    expect(await request(visitor.client, { action: 'state.set', version: 1, state: { step: 3 }, id: 's' })).toMatchObject({ type: 'error', code: 'BAD_MESSAGE', id: 's' });
    expect(await request(visitor.client, { action: 'resume', sessionId: visitor.sessionId, resumeToken: visitor.resumeToken })).toMatchObject({ type: 'error', code: 'AUTH_INVALID' });
    await publisher.publish(channel, { n: 1 });
    await drained();
    expect(await framesSent<Frame>(winner.client, 1_000)).toEqual([expect.objectContaining({ channel, seq: 1 })]);
    expect(await framesSent(visitor.client, 500)).toEqual([]);
    for (const socket of [one, two, visitor]) socket.client.ws.close();
  });

  it('refuses without the guest’s own token, from a guest, and for a signed-in session, changing nothing', async () => {
    const visitor = await guest({ state: { page: 1 } });
    const other = await guest();
    const { client } = await signedIn();
    const member = await signedIn();
    const memberWelcome = await request(member.client, { action: 'hello' });
    const flipped = visitor.resumeToken.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    const cases: Array<[Frame, Frame]> = [
      [{ sessionId: visitor.sessionId }, { code: 'BAD_MESSAGE' }],
      [{ sessionId: visitor.sessionId, resumeToken: flipped }, { code: 'AUTH_INVALID' }],
      [{ sessionId: visitor.sessionId, resumeToken: other.resumeToken }, { code: 'AUTH_INVALID' }],
      [{ sessionId: 'x'.repeat(22), resumeToken: visitor.resumeToken }, { code: 'AUTH_INVALID' }],
      [{ sessionId: memberWelcome.sessionId, resumeToken: memberWelcome.resumeToken }, { code: 'AUTH_INVALID' }],
      [{ sessionId: visitor.sessionId, resumeToken: visitor.resumeToken, keep: 'both' }, { code: 'BAD_MESSAGE' }],
      [{ sessionId: visitor.sessionId, resumeToken: visitor.resumeToken, channels: { [`user:${visitor.userId}`]: 0 } }, { code: 'FORBIDDEN' }],
    ];
    for (const [fields, expected] of cases) {
      expect(await request(client, { action: 'adopt', ...fields, id: 'x' })).toMatchObject({ type: 'error', id: 'x', ...expected });
    }
    // A guest holding the right token still cannot adopt: only a signed-in connection may.
    expect(await request(other.client, { action: 'adopt', sessionId: visitor.sessionId, resumeToken: visitor.resumeToken, id: 'g' })).toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
      id: 'g',
    });
    expect(await sessionItem(visitor.sessionId)).toMatchObject({ status: 'active', state: JSON.stringify({ page: 1 }) });
    expect(await request(visitor.client, { action: 'state.get' })).toEqual({ type: 'state', state: { page: 1 }, version: 1 });
    for (const socket of [visitor, other, member]) socket.client.ws.close();
    client.ws.close();
  });

  it('leaves a state conflict to the caller: refused with both versions, then settled by a merged state on those versions', async () => {
    const visitor = await guest({ state: { cart: ['tea'] } });
    const { client } = await signedIn();
    await request(client, { action: 'hello' });
    expect(await request(client, { action: 'state.set', version: 0, state: { cart: ['cake'] } })).toMatchObject({ version: 1 });
    const adopt = { action: 'adopt', sessionId: visitor.sessionId, resumeToken: visitor.resumeToken };

    const conflict = await request(client, adopt);
    expect(conflict).toMatchObject({ type: 'error', code: 'STATE_CONFLICT', retryable: false, guest: { state: { cart: ['tea'] }, version: 1 }, mine: { state: { cart: ['cake'] }, version: 1 } });
    expect(await request(client, { ...adopt, state: { cart: ['cake', 'tea'] }, versions: { guest: 1, mine: 0 } })).toMatchObject({ code: 'STATE_CONFLICT', mine: { version: 1 } });
    expect(await request(client, { ...adopt, state: { cart: ['cake', 'tea'] } })).toMatchObject({ code: 'BAD_MESSAGE' });
    expect(await request(client, { action: 'state.get' })).toEqual({ type: 'state', state: { cart: ['cake'] }, version: 1 });
    expect(await sessionItem(visitor.sessionId)).toMatchObject({ status: 'active' });

    expect(await request(client, { ...adopt, state: { cart: ['cake', 'tea'] }, versions: { guest: 1, mine: 1 } })).toMatchObject({
      type: 'adopted',
      state: { cart: ['cake', 'tea'] },
      version: 2,
      adoptedFrom: visitor.sessionId,
    });
    expect(await request(client, { action: 'state.get' })).toEqual({ type: 'state', state: { cart: ['cake', 'tea'] }, version: 2 });
    for (const socket of [visitor.client, client]) socket.ws.close();
  });

  it('through the client library: handOff closes the guest client, adopt carries its state and channels, a conflict is settled by keep', async () => {
    const channel = `lib-${randomUUID()}`;
    const open = async (client: SessionClient) => {
      await new Promise((resolve) => client.on('open', resolve));
      return client;
    };
    const visitor = await open(new SessionClient({ url: project.sandbox.url, WebSocket, auth: { mode: 'anonymous' } }));
    const seen: number[] = [];
    await visitor.subscribe(channel, (message) => seen.push(message.seq));
    await visitor.setState({ theme: 'dark' }, 0);
    await publisher.publish(channel, 1);
    await eventually(() => (seen.length === 1 ? true : undefined), 10_000, 'the guest’s message');

    const sub = `user-${randomUUID()}`;
    const member = await open(new SessionClient({ url: project.sandbox.url, WebSocket, auth: { mode: 'two-phase', token: () => signToken(key, { sub, iss: ISSUER }) } }));
    await member.setState({ theme: 'light' }, 0);
    const handoff = visitor.handOff();
    expect(visitor.connectionState).toBe('closed');
    expect(handoff).toEqual({ sessionId: visitor.sessionId, resumeToken: expect.any(String), channels: { [channel]: 1 } });
    await publisher.publish(channel, 2);
    await drained();
    const received: MessageFrame[] = [];
    member.on('message', (message) => received.push(message));
    const conflict = await member.adopt(handoff).catch((error: SessionError) => error);
    expect(conflict).toMatchObject({ code: 'STATE_CONFLICT', frame: { guest: { state: { theme: 'dark' }, version: 1 }, mine: { state: { theme: 'light' }, version: 1 } } });
    expect(await member.adopt(handoff, { keep: 'guest' })).toEqual({ state: { theme: 'dark' }, version: 2 });
    await publisher.publish(channel, 3);
    await eventually(() => (received.length >= 2 ? true : undefined), 10_000, 'the replay and the live message');
    await drained();
    expect(received.map((message) => [message.channel, message.seq])).toEqual([
      [channel, 2],
      [channel, 3],
    ]);
    expect(member.lastSeq(channel)).toBe(3);
    member.close();
  });
});
