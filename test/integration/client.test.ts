import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import WebSocket from 'ws';
import { SessionClient, type ClientOptions, type ConnectionState, type Gap, type WebSocketConstructor } from '../../packages/client/src';
import { createPublisher } from '../../packages/publisher/src/index';
import { FANOUT_QUEUE } from '../../sandbox/project';
import { documentClient } from '../helpers/dynamo';
import { eventually, sleep } from '../helpers/clients';
import { startOutageProxy } from '../helpers/outage-proxy';
import { startTestProject } from '../helpers/project-sandbox';

type Project = Awaited<ReturnType<typeof startTestProject>>;

/** `ws` with a User-Agent the test can find the connection by (how Node passes headers or a cookie). */
const tagged = (tag: string): WebSocketConstructor =>
  class extends WebSocket {
    constructor(url: string, protocols: string[]) {
      super(url, protocols, { headers: { 'user-agent': tag } });
    }
  };

/** A library client on the sandbox with what it reported: data per channel, gaps, states, resumes. */
async function openClient(url: string, options: Partial<ClientOptions> = {}) {
  const tag = `client-${randomUUID()}`;
  const client = new SessionClient({ url, WebSocket: tagged(tag), ...options });
  const gaps: Gap[] = [];
  const states: ConnectionState[] = [];
  let resumes = 0;
  client.on('gap', (gap) => gaps.push(gap));
  client.on('statechange', (state) => states.push(state));
  client.on('resumed', () => (resumes += 1));
  await new Promise((resolve) => client.on('open', resolve));
  const received: Record<string, unknown[]> = {};
  const follow = (channel: string) => client.subscribe(channel, (message) => (received[channel] ??= []).push(message.data));
  return { client, tag, gaps, states, received, follow, resumes: () => resumes };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('client library against the sandbox', () => {
  let project: Project;
  const clients: SessionClient[] = [];
  const open = async (url: string, options?: Partial<ClientOptions>) => {
    const opened = await openClient(url, options);
    clients.push(opened.client);
    return opened;
  };
  const liveConnections = (tag: string) => [...project.sandbox.gateway.connections.values()].filter((connection) => connection.facts.userAgent === tag);

  beforeAll(async () => {
    project = await startTestProject();
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await project?.sandbox.stop();
  });

  it('connects, subscribes and carries a publish from one client to another', async () => {
    const alice = await open(project.sandbox.url);
    const bob = await open(project.sandbox.url);
    const channel = `chat-${randomUUID()}`;
    await bob.follow(channel);
    await expect(alice.client.publish(channel, { text: 'hello' })).resolves.toEqual({ messageId: expect.any(String) });
    await eventually(() => bob.received[channel]?.length === 1 || undefined, 10_000, 'the message');
    expect(bob.received[channel]).toEqual([{ text: 'hello' }]);
    expect(alice.client.connectionState).toBe('open');
    expect(bob.client.sessionId).toEqual(expect.any(String));
  });

  it('resumes after the server drops its socket mid-stream, with no gap and no duplicate', async () => {
    const publisher = await open(project.sandbox.url);
    const reader = await open(project.sandbox.url);
    const channel = `stream-${randomUUID()}`;
    await reader.follow(channel);
    for (const n of range(1, 40)) {
      await publisher.client.publish(channel, n);
      if (n % 15 === 0) {
        await eventually(() => reader.resumes() === n / 15 - 1 || undefined, 10_000, 'the resume after the previous cut');
        // Cut by the server, as a lost network path would: no close frame reaches the client.
        const [live] = liveConnections(reader.tag);
        live!.socket.terminate();
        await sleep(30);
      }
    }
    await eventually(() => (reader.received[channel]?.length ?? 0) >= 40 || undefined, 15_000, 'the whole stream');
    await sleep(300);
    expect(reader.received[channel]).toEqual(range(1, 40));
    expect(reader.gaps).toEqual([]);
    expect(reader.resumes()).toBe(2);
    expect(reader.client.lastSeq(channel)).toBe(40);
  });

  it('stops for good when the server disconnects it on purpose: the DISCONNECTED error, closed, and no reconnect', async () => {
    // Retrying within 50 ms: without the stop it would be connected again long before the wait ends.
    const { client, tag, states } = await open(project.sandbox.url, { reconnect: { baseDelayMs: 10, maxDelayMs: 50 } });
    const errors: Array<{ code: string; message: string }> = [];
    client.on('error', (error) => errors.push({ code: error.code, message: error.message }));
    const [connectionId] = [...project.sandbox.gateway.connections].filter(([, connection]) => connection.facts.userAgent === tag).map(([id]) => id);
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
    try {
      const publisher = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs, tableName: project.tableName, documents: documentClient() });
      await publisher.disconnect({ connectionId: connectionId!, reason: 'ACCOUNT_LOCKED' });
      await eventually(() => client.connectionState === 'closed' || undefined, 30_000, 'the client closing');
      await eventually(() => liveConnections(tag).length === 0 || undefined, 30_000, 'the socket gone');
      await sleep(3_000);
      expect(liveConnections(tag)).toEqual([]);
      expect(client.connectionState).toBe('closed');
      expect(states).toEqual(['open', 'closed']);
      expect(errors).toEqual([{ code: 'DISCONNECTED', message: 'the connection is closed (ACCOUNT_LOCKED)' }]);
      await expect(client.getState()).rejects.toMatchObject({ code: 'CLOSED' });
    } finally {
      sqs.destroy();
    }
  }, 90_000);

  it('backs off while the API is unreachable (no reconnect storm) and resumes what was published meanwhile', async () => {
    const proxy = await startOutageProxy(project.sandbox.port);
    try {
      const url = `ws://127.0.0.1:${proxy.port}/dev`;
      const channel = `outage-${randomUUID()}`;
      const readers = await Promise.all(range(1, 5).map(() => open(url)));
      await Promise.all(readers.map((reader) => reader.follow(channel)));
      const publisher = await open(project.sandbox.url);
      await publisher.client.publish(channel, 1);
      await eventually(() => readers.every((reader) => reader.received[channel]?.length === 1) || undefined, 10_000, 'the first message');

      const before = proxy.attempts;
      proxy.down();
      const windowMs = 10_000;
      for (const n of range(2, 6)) await publisher.client.publish(channel, n);
      await sleep(windowMs);
      const handshakes = proxy.attempts - before;
      proxy.up();
      const perClientPerMinute = (handshakes / readers.length) * (60_000 / windowMs);
      console.log(`reconnect attempts while the API was down: ${handshakes} from ${readers.length} clients in ${windowMs / 1000} s (${perClientPerMinute.toFixed(1)} per client per minute)`);
      // A client retrying every 100 ms would make 100 per client in the window; the backoff makes about 5.
      expect(handshakes / readers.length).toBeLessThanOrEqual(15);
      expect(readers.every((reader) => reader.client.connectionState === 'reconnecting')).toBe(true);

      await eventually(() => readers.every((reader) => reader.received[channel]?.length === 6) || undefined, 40_000, 'the replay after the outage');
      for (const reader of readers) {
        expect(reader.received[channel]).toEqual(range(1, 6));
        expect(reader.gaps).toEqual([]);
        expect(reader.client.connectionState).toBe('open');
      }
    } finally {
      await proxy.stop();
    }
  }, 70_000);
});

describe('client library at the 2-hour cut (shortened to 10 s)', () => {
  let project: Project;
  const clients: SessionClient[] = [];

  beforeAll(async () => {
    project = await startTestProject({ maxConnectionSeconds: 10, session: { goawayBeforeSeconds: 5 }, sweepEveryMs: 200 });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await project?.sandbox.stop();
  });

  it('handles goaway on a second connection before the cut: nothing lost, never reconnecting, at most two sockets', async () => {
    const publisher = await openClient(project.sandbox.url);
    const reader = await openClient(project.sandbox.url);
    clients.push(publisher.client, reader.client);
    const channel = `cut-${randomUUID()}`;
    await reader.follow(channel);
    let mostSockets = 0;
    // A steady stream from before the reader's goaway (5 s into its connection) to after its resume.
    let sent = 0;
    for (let after = 0; after < 10 && sent < 150; sent += 1) {
      await publisher.client.publish(channel, sent + 1);
      mostSockets = Math.max(mostSockets, [...project.sandbox.gateway.connections.values()].filter((c) => c.facts.userAgent === reader.tag).length);
      if (reader.resumes() > 0) after += 1;
      await sleep(80);
    }
    await eventually(() => (reader.received[channel]?.length ?? 0) >= sent || undefined, 15_000, 'the whole stream');
    await sleep(300);
    expect(reader.received[channel]).toEqual(range(1, sent));
    expect(reader.gaps).toEqual([]);
    expect(reader.states).toEqual(['open']);
    expect(mostSockets).toBeLessThanOrEqual(2);
  }, 40_000);
});
