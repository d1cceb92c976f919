import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import WebSocket from 'ws';
import { connect, type TestClient } from '../helpers/clients';
import { attackField, baseFrame, documentedFields, hostileFrame, objectText, type FuzzContext } from '../helpers/hostile';
import { signingKey, signToken, startJwksServer } from '../helpers/jwks';
import { startTestProject } from '../helpers/project-sandbox';

const APP = 'ws-sessions.v1';
const key = signingKey('ES256', 'fuzz-1');
const claims = { sub: 'fuzz-user', iss: 'https://issuer.example.com', roles: ['admin'] };
/** Hostile values per documented field, and random frames besides: seconds, not minutes. FUZZ_SEED replays a run; FUZZ_SCALE widens it. */
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const PER_FIELD = 5 * SCALE;
const RANDOM_FRAMES = 40 * SCALE;
const CONNECTIONS = 3;
/** API Gateway's frame limit: longer messages go out in fragments, as a browser sends them. */
const FRAGMENT_BYTES = 32 * 1024;

interface Frame {
  type?: string;
  code?: string;
  id?: unknown;
  message?: string;
  [field: string]: unknown;
}

/** The inputs reported to reach API Gateway's `Internal server error`, always in the run. */
function reportedCases(context: FuzzContext): string[] {
  const resume = baseFrame(context, 'resume', 'reported');
  const publish = baseFrame(context, 'publish', 'reported');
  const state = baseFrame(context, 'state.set', 'reported');
  return [
    objectText({ ...resume, resumeToken: JSON.stringify('ü'.repeat(43)) }),
    objectText({ ...publish, data: JSON.stringify({ text: 'a\ufffe b\uffff' }) }),
    objectText({ ...publish, data: '['.repeat(4_100) + ']'.repeat(4_100) }),
    objectText({ ...state, state: '{"a":'.repeat(4_100) + '1' + '}'.repeat(4_100) }),
  ];
}

/** Sends a text message in fragments of at most 32 KB (split on bytes: the gateway checks UTF-8 over the whole message). */
function sendFragmented(ws: WebSocket, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= FRAGMENT_BYTES) return ws.send(bytes, { binary: false });
  for (let offset = 0; offset < bytes.length; offset += FRAGMENT_BYTES) {
    ws.send(bytes.subarray(offset, offset + FRAGMENT_BYTES), { binary: false, fin: offset + FRAGMENT_BYTES >= bytes.length });
  }
}

describe('message router under fuzzing, through the sandbox', () => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let project: Awaited<ReturnType<typeof startTestProject>>;
  /** MESSAGE invocations the gateway finished, in order, with their status. */
  const finished: Array<Record<string, unknown>> = [];
  let onFinished: (() => void) | undefined;

  beforeAll(async () => {
    jwks = await startJwksServer([key]);
    project = await startTestProject({
      authMode: 'two-phase',
      jwt: { JWT_ALGORITHMS: 'ES256', JWT_ISSUER: claims.iss, JWT_JWKS_URL: jwks.url },
      functionEnv: { message: { MESSAGE_RATE_LIMIT: '0' } },
      onAccessLog: (entry) => {
        if (entry.eventType !== 'MESSAGE') return;
        finished.push(entry);
        onFinished?.();
      },
    });
  });
  afterAll(async () => {
    await project.sandbox.stop();
    await jwks.stop();
  });

  /** Resolves once the gateway has finished `count` MESSAGE invocations. */
  const finishedCount = (count: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${finished.length} of ${count} messages finished`)), 20_000);
      onFinished = () => {
        if (finished.length < count) return;
        clearTimeout(timer);
        onFinished = undefined;
        resolve();
      };
      onFinished();
    });

  it('answers every hostile frame with a frame of the protocol, never `Internal server error`, and every connection still answers ping', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const token = signToken(key, { ...claims, exp: Math.floor(Date.now() / 1000) + 3_600 });
    const clients: TestClient[] = [];
    const received: Frame[][] = [];
    for (let index = 0; index < CONNECTIONS; index += 1) {
      const client = await connect(project.sandbox.url, { protocols: APP });
      client.send({ action: 'auth', token, id: 'auth' });
      expect(await client.next()).toMatchObject({ type: 'ack', action: 'auth' });
      clients.push(client);
    }
    clients[0]!.send({ action: 'hello', id: 'hello' });
    const welcome = (await clients[0]!.next()) as Frame;
    expect(welcome).toMatchObject({ type: 'welcome' });
    const context = { channel: `fuzz-${randomUUID()}`, sessionId: welcome.sessionId as string, resumeToken: welcome.resumeToken as string, token };
    for (const client of clients) {
      const frames: Frame[] = [];
      received.push(frames);
      client.ws.on('message', (data) => {
        const text = data.toString();
        try {
          frames.push(JSON.parse(text) as Frame);
        } catch {
          frames.push({ message: text });
        }
      });
    }

    const bodies = [
      ...reportedCases(context),
      ...documentedFields(context).flatMap(({ action, field }, index) => fc.sample(attackField(context, action, field, 'fuzz'), { seed: seed + index, numRuns: PER_FIELD })),
      ...fc.sample(hostileFrame(context, 'fuzz'), { seed, numRuns: RANDOM_FRAMES }),
    ];
    // The setup's messages (one auth per connection, one hello) have finished: what follows is the fuzz's.
    const before = CONNECTIONS + 1;
    await finishedCount(before);
    const failures: string[] = [];
    for (const [index, body] of bodies.entries()) {
      const connection = index % CONNECTIONS;
      const seen = received[connection]!.length;
      sendFragmented(clients[connection]!.ws, body);
      // One at a time: each answer (and any failure) belongs to the frame just sent.
      await finishedCount(before + index + 1);
      const invocation = finished[before + index]!;
      const answers = received[connection]!.slice(seen);
      const internal = invocation.status === 500 || invocation.integrationError !== undefined || answers.some((frame) => frame.message === 'Internal server error' || frame.code === 'INTERNAL');
      if (internal) failures.push(`frame ${index} (${body.length} characters): ${body.slice(0, 200)} → ${JSON.stringify(invocation)}`);
    }

    for (const [index, client] of clients.entries()) {
      expect(client.ws.readyState).toBe(WebSocket.OPEN);
      const id = `alive-${index}`;
      client.send({ action: 'ping', id });
      // Frames still in flight (fan-out of a publish) may come first.
      for (let frame = (await client.next()) as Frame; frame.type !== 'pong' || frame.id !== id; frame = (await client.next()) as Frame);
    }
    const all = received.flat();
    const report = `seed ${seed} (replay with FUZZ_SEED=${seed}): ${failures.join('\n')}`;
    expect({ report, failures: failures.length }).toEqual({ report, failures: 0 });
    expect(all.filter((frame) => frame.message === 'Internal server error')).toEqual([]);
    expect(all.filter((frame) => frame.code === 'INTERNAL')).toEqual([]);
    expect(project.logs.records('message').filter((record) => record.event === 'internal_error')).toEqual([]);
    // Most hostile frames are refused as such (the rest are served, or refused for another reason).
    expect(all.filter((frame) => frame.type === 'error' && frame.code === 'BAD_MESSAGE').length).toBeGreaterThan(bodies.length / 3);
    for (const client of clients) client.ws.close();
  }, 60_000);

  it('carries __proto__ and constructor keys in data to subscribers as plain data', async () => {
    const token = signToken(key, { ...claims, exp: Math.floor(Date.now() / 1000) + 3_600 });
    const [reader, writer] = await Promise.all([connect(project.sandbox.url, { protocols: APP }), connect(project.sandbox.url, { protocols: APP })]);
    for (const client of [reader, writer]) {
      client.send({ action: 'auth', token, id: 'auth' });
      expect(await client.next()).toMatchObject({ type: 'ack', action: 'auth' });
    }
    const channel = `proto-${randomUUID()}`;
    reader.send({ action: 'subscribe', channel, id: 's' });
    expect(await reader.next()).toMatchObject({ type: 'ack', action: 'subscribe' });
    const data = '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"list":[{"__proto__":[]}]}';
    sendFragmented(writer.ws, `{"action":"publish","channel":${JSON.stringify(channel)},"data":${data},"id":"p"}`);
    expect(await writer.next()).toMatchObject({ type: 'ack', action: 'publish', id: 'p' });
    const message = (await reader.next(10_000)) as Frame;
    expect(message).toMatchObject({ type: 'message', channel, seq: 1 });
    expect(JSON.stringify(message.data)).toBe(data);
    for (const client of [reader, writer]) client.ws.close();
  });
});
