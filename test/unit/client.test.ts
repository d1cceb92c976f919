import { SessionClient, SessionError, type ClientOptions, type ConnectionState } from '../../packages/client/src';
import { FakeSocket } from '../helpers/fake-socket';

const URL = 'wss://example.test/dev';
const flush = () => jest.advanceTimersByTimeAsync(0);
const welcomeFrame = (type: 'welcome' | 'resumed', id: unknown, sessionId = 'session-1') => ({
  type,
  id,
  sessionId,
  resumeToken: `token-of-${sessionId}`,
  resumeWindowSeconds: 120,
  heartbeatSeconds: 60,
  state: null,
  version: 0,
});

/** A client on a fake socket; `ready()` opens the newest socket and answers its hello. */
function start(options: Partial<ClientOptions> = {}) {
  const client = new SessionClient({ url: URL, WebSocket: FakeSocket, random: () => 0.5, ...options });
  const states: ConnectionState[] = [];
  client.on('statechange', (state) => states.push(state));
  const ready = async () => {
    await flush();
    const socket = FakeSocket.last();
    socket.open();
    await flush();
    socket.receive(welcomeFrame('welcome', socket.lastFrame('hello').id));
    await flush();
    return socket;
  };
  return { client, states, ready };
}

/** Opens the newest socket and answers its resume. */
async function resumeOn(socket: FakeSocket, sessionId = 'session-1') {
  socket.open();
  await flush();
  socket.receive(welcomeFrame('resumed', socket.lastFrame('resume').id, sessionId));
  await flush();
}

/** The connection drops; the client's next socket (250 ms later with `random: () => 0.5`) opens and sends its resume. */
async function cutAndReopen(socket: FakeSocket): Promise<FakeSocket> {
  socket.end();
  await jest.advanceTimersByTimeAsync(250);
  const next = FakeSocket.last();
  next.open();
  await flush();
  return next;
}

beforeEach(() => {
  jest.useFakeTimers();
  FakeSocket.reset();
});
afterEach(() => jest.useRealTimers());

describe('client connection in each auth mode', () => {
  it('anonymous: offers the id kept in the store as its only subprotocol, the same one on every connection', async () => {
    const items = new Map<string, string>();
    const store = { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
    const { client, ready } = start({ auth: { mode: 'anonymous', store, key: 'my-app.id' } });
    const socket = await ready();
    expect(socket.protocols).toEqual([items.get('my-app.id')]);
    expect(items.get('my-app.id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(socket.sent[0]).toMatchObject({ action: 'hello' });
    socket.end();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.last().protocols).toEqual(socket.protocols);
    client.close();
  });

  it('anonymous without a store: keeps one id (in memory where there is no sessionStorage) for every connection', async () => {
    const { client, ready } = start();
    const socket = await ready();
    socket.end();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.made).toHaveLength(2);
    expect(FakeSocket.last().protocols).toEqual(socket.protocols);
    client.close();
  });

  it('bearer: offers the app protocol and the token, asking the provider again for each connection', async () => {
    let issued = 0;
    const { client, ready } = start({ auth: { mode: 'bearer', token: () => `jwt-${++issued}` } });
    const socket = await ready();
    expect(socket.protocols).toEqual(['ws-sessions.v1', 'bearer.jwt-1']);
    socket.end();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.last().protocols).toEqual(['ws-sessions.v1', 'bearer.jwt-2']);
    client.close();
  });

  it('cookie: offers the app protocol alone', async () => {
    const { client, ready } = start({ auth: { mode: 'cookie' } });
    expect((await ready()).protocols).toEqual(['ws-sessions.v1']);
    client.close();
  });

  it('two-phase: sends auth before hello, and a fresh token as auth before the first one expires', async () => {
    const tokens = ['first', 'second'];
    const { client } = start({ auth: { mode: 'two-phase', token: async () => tokens.shift()! }, refreshBeforeSeconds: 60 });
    await flush();
    const socket = FakeSocket.last();
    expect(socket.protocols).toEqual(['ws-sessions.v1']);
    socket.answerPings = true;
    socket.open();
    await flush();
    expect(socket.sent).toEqual([{ action: 'auth', token: 'first', id: expect.any(Number) }]);
    const expiresAt = Math.floor(Date.now() / 1000) + 600;
    socket.receive({ type: 'ack', action: 'auth', id: socket.sent[0]!.id, userId: 'u', expiresAt });
    await flush();
    socket.receive(welcomeFrame('welcome', socket.lastFrame('hello').id));
    await flush();
    await jest.advanceTimersByTimeAsync(539_000);
    expect(socket.frames('auth')).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(socket.lastFrame('auth')).toMatchObject({ token: 'second' });
    expect(FakeSocket.made).toHaveLength(1);
    client.close();
  });

  it('answers AUTH_EXPIRED with a fresh token sent as auth on the live connection', async () => {
    let issued = 0;
    const { client, ready } = start({ auth: { mode: 'bearer', token: () => `jwt-${++issued}` } });
    const socket = await ready();
    const errors: SessionError[] = [];
    client.on('error', (error) => errors.push(error));
    socket.receive({ type: 'error', code: 'AUTH_EXPIRED', message: 'the token expired', retryable: false });
    await flush();
    expect(socket.lastFrame('auth')).toMatchObject({ token: 'jwt-2' });
    expect(errors.map((error) => error.code)).toEqual(['AUTH_EXPIRED']);
    client.close();
  });
});

describe('client resume', () => {
  it('resumes with the last contiguous seq per channel and applies the replay once, in order', async () => {
    const { client, states, ready } = start();
    const first = await ready();
    const seen: number[] = [];
    const subscribed = client.subscribe('news', (message) => seen.push(message.seq));
    await flush();
    first.receive({ type: 'message', channel: 'news', seq: 3, id: 'm3', data: 3 });
    first.receive({ type: 'ack', action: 'subscribe', channel: 'news', seq: 3, id: first.lastFrame('subscribe').id });
    await expect(subscribed).resolves.toEqual({ seq: 3 });
    for (const seq of [4, 6]) first.receive({ type: 'message', channel: 'news', seq, id: `m${seq}`, data: seq });
    first.end(1001);
    await jest.advanceTimersByTimeAsync(250);
    const second = FakeSocket.last();
    expect(second).not.toBe(first);
    await resumeOn(second);
    expect(second.lastFrame('resume')).toEqual({ action: 'resume', sessionId: 'session-1', resumeToken: 'token-of-session-1', channels: { news: 4 }, id: expect.any(Number) });
    for (const seq of [4, 5, 6, 7, 6]) second.receive({ type: 'message', channel: 'news', seq, id: `m${seq}`, data: seq });
    expect(seen).toEqual([4, 5, 6, 7]);
    expect(states).toEqual(['open', 'reconnecting', 'open']);
    client.close();
  });

  it('surfaces a channel gap and carries on after it', async () => {
    const { client, ready } = start();
    const socket = await ready();
    const gaps: unknown[] = [];
    const seen: number[] = [];
    client.on('gap', (gap) => gaps.push(gap));
    const subscribed = client.subscribe('news', (message) => seen.push(message.seq), { since: 2 });
    await flush();
    socket.receive({ type: 'ack', action: 'subscribe', channel: 'news', seq: 9, id: socket.lastFrame('subscribe').id });
    await subscribed;
    socket.receive({ type: 'error', code: 'RESUME_GAP', channel: 'news', lost: { from: 3, to: 7 }, message: 'gone', retryable: false });
    for (const seq of [8, 9]) socket.receive({ type: 'message', channel: 'news', seq, id: `m${seq}`, data: seq });
    expect(socket.lastFrame('subscribe')).toMatchObject({ channel: 'news', since: 2 });
    expect(gaps).toEqual([{ kind: 'channel', channel: 'news', from: 3, to: 7 }]);
    expect(seen).toEqual([8, 9]);
    client.close();
  });

  it('starts a fresh session when the old one is gone and follows its channels again from where they stopped', async () => {
    const { client, ready } = start();
    const first = await ready();
    const gaps: unknown[] = [];
    client.on('gap', (gap) => gaps.push(gap));
    const subscribed = client.subscribe('news');
    await flush();
    first.receive({ type: 'ack', action: 'subscribe', channel: 'news', seq: 5, id: first.lastFrame('subscribe').id });
    await subscribed;
    const second = await cutAndReopen(first);
    const resumeId = second.lastFrame('resume').id;
    second.receive({ type: 'error', code: 'RESUME_GAP', message: 'the session expired', retryable: false, id: resumeId });
    second.receive(welcomeFrame('welcome', resumeId, 'session-2'));
    await flush();
    expect(gaps).toEqual([{ kind: 'session', sessionId: 'session-1' }]);
    second.receive(welcomeFrame('welcome', second.lastFrame('hello').id, 'session-2'));
    await flush();
    expect(client.sessionId).toBe('session-2');
    expect(second.lastFrame('subscribe')).toMatchObject({ channel: 'news', since: 5 });
    client.close();
  });
  it('starts a fresh session when a resume is refused for good, instead of sending it again', async () => {
    const { client, ready } = start();
    const first = await ready();
    const errors: SessionError[] = [];
    client.on('error', (error) => errors.push(error));
    const subscribed = client.subscribe('news', undefined, { since: 9 });
    await flush();
    first.receive({ type: 'ack', action: 'subscribe', channel: 'news', seq: 9, id: first.lastFrame('subscribe').id });
    await subscribed;
    const second = await cutAndReopen(first);
    second.receive({ type: 'error', code: 'BAD_MESSAGE', message: 'beyond the head', retryable: false, id: second.lastFrame('resume').id });
    await flush();
    expect(second.sent.map((frame) => frame.action)).toEqual(['resume', 'hello']);
    expect(errors.map((error) => error.code)).toEqual(['BAD_MESSAGE']);
    client.close();
  });

  it('sends a resume refused as retryable again on a new connection', async () => {
    const { client, ready } = start();
    const first = await ready();
    const second = await cutAndReopen(first);
    second.receive({ type: 'error', code: 'INTERNAL', message: 'queue unavailable', retryable: true, id: second.lastFrame('resume').id });
    await flush();
    expect(second.frames('hello')).toEqual([]);
    await jest.advanceTimersByTimeAsync(1_000);
    const third = FakeSocket.last();
    expect(third).not.toBe(second);
    await resumeOn(third);
    expect(client.connectionState).toBe('open');
    client.close();
  });

  it('stops following a channel whose subscribe is refused, so no resume names it', async () => {
    const { client, ready } = start();
    const first = await ready();
    const subscribed = client.subscribe('secret', () => undefined, { since: 3 });
    await flush();
    first.receive({ type: 'error', code: 'FORBIDDEN', message: 'no', retryable: false, id: first.lastFrame('subscribe').id });
    await expect(subscribed).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(client.lastSeq('secret')).toBeUndefined();
    expect((await cutAndReopen(first)).lastFrame('resume').channels).toEqual({});
    client.close();
  });
});

describe('client requests', () => {
  it('rejects a request with no answer in time, and ignores the late answer', async () => {
    const { client, ready } = start({ requestTimeoutMs: 5_000 });
    const socket = await ready();
    const published = client.publish('news', 1);
    const outcome = expect(published).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });
    await jest.advanceTimersByTimeAsync(5_000);
    await outcome;
    socket.receive({ type: 'ack', action: 'publish', messageId: 'x', id: socket.lastFrame('publish').id });
    client.close();
  });

  it('queues requests made while reconnecting, up to maxQueued, and sends them in order once resumed', async () => {
    const { client, ready } = start({ maxQueued: 2 });
    const first = await ready();
    first.end();
    const a = client.publish('news', 'a');
    const b = client.getState();
    await expect(client.publish('news', 'c')).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    await jest.advanceTimersByTimeAsync(250);
    const second = FakeSocket.last();
    await resumeOn(second);
    expect(second.sent.map((frame) => frame.action)).toEqual(['resume', 'publish', 'state.get']);
    second.receive({ type: 'ack', action: 'publish', messageId: 'ma', id: second.lastFrame('publish').id });
    second.receive({ type: 'state', state: { n: 1 }, version: 4, id: second.lastFrame('state.get').id });
    await expect(a).resolves.toEqual({ messageId: 'ma' });
    await expect(b).resolves.toEqual({ state: { n: 1 }, version: 4 });
    client.close();
  });

  it('refuses at once while not connected with maxQueued: 0', async () => {
    const { client } = start({ maxQueued: 0 });
    await expect(client.publish('news', 1)).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    client.close();
  });

  it('fails a publish in flight when the connection drops, and sends a subscribe in flight again', async () => {
    const { client, ready } = start();
    const first = await ready();
    const published = client.publish('news', 1);
    const subscribed = client.subscribe('news');
    await flush();
    first.end();
    await expect(published).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    await jest.advanceTimersByTimeAsync(250);
    const second = FakeSocket.last();
    await resumeOn(second);
    expect(second.lastFrame('resume').channels).toEqual({});
    second.receive({ type: 'ack', action: 'subscribe', channel: 'news', seq: 0, id: second.lastFrame('subscribe').id });
    await expect(subscribed).resolves.toEqual({ seq: 0 });
    client.close();
  });

  it('refuses a frame over the 32 KiB frame limit before sending it', async () => {
    const { client, ready } = start();
    const socket = await ready();
    const sent = socket.sent.length;
    await expect(client.publish('news', 'é'.repeat(16_384))).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE', retryable: false });
    expect(socket.sent).toHaveLength(sent);
    client.close();
  });

  it('rejects a VERSION_CONFLICT with the current state on the error', async () => {
    const { client, ready } = start();
    const socket = await ready();
    const set = client.setState({ a: 1 }, 0);
    await flush();
    socket.receive({ type: 'error', code: 'VERSION_CONFLICT', message: 'stale', retryable: false, state: { a: 2 }, version: 3, id: socket.lastFrame('state.set').id });
    await expect(set).rejects.toMatchObject({ code: 'VERSION_CONFLICT', frame: { state: { a: 2 }, version: 3 } });
    client.close();
  });

  it('close() fails what waits with CLOSED and stops reconnecting', async () => {
    const { client, states, ready } = start();
    const socket = await ready();
    const published = client.publish('news', 1);
    client.close();
    await expect(published).rejects.toMatchObject({ code: 'CLOSED' });
    expect(socket.closedByClient).toBe(true);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.made).toHaveLength(1);
    expect(states).toEqual(['open', 'closed']);
  });
});

describe('client custom actions and frames', () => {
  it('sends a custom action as { action, ...fields } with no id, and resolves once it is on the socket', async () => {
    const { client, ready } = start();
    const socket = await ready();
    await expect(client.send('teleprinter')).resolves.toBeUndefined();
    await expect(client.send('game.move', { to: 'e4', action: 'publish' })).resolves.toBeUndefined();
    expect(socket.sent.slice(-2)).toEqual([{ action: 'teleprinter' }, { to: 'e4', action: 'game.move' }]);
    client.close();
  });

  it('refuses a built-in action, a malformed route key and an oversized frame before sending anything', async () => {
    const { client, ready } = start();
    const socket = await ready();
    const sent = socket.sent.length;
    for (const action of ['publish', 'state.set', 'resume', 'ping', '$default', '9lives', '', 'a'.repeat(65), 'with space']) {
      await expect(client.send(action)).rejects.toMatchObject({ code: 'BAD_ACTION', retryable: false });
    }
    await expect(client.send('teleprinter', { text: 'é'.repeat(16_384) })).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE', retryable: false });
    expect(socket.sent).toHaveLength(sent);
    client.close();
  });

  it('queues custom actions while reconnecting, up to maxQueued, sends them once resumed and never twice', async () => {
    const { client, ready } = start({ maxQueued: 2 });
    const first = await ready();
    first.end();
    const a = client.send('teleprinter');
    const b = client.publish('news', 'b');
    await expect(client.send('teleprinter')).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    await jest.advanceTimersByTimeAsync(250);
    const second = FakeSocket.last();
    await resumeOn(second);
    await expect(a).resolves.toBeUndefined();
    expect(second.sent.map((frame) => frame.action)).toEqual(['resume', 'teleprinter', 'publish']);
    second.receive({ type: 'ack', action: 'publish', messageId: 'mb', id: second.lastFrame('publish').id });
    await b;
    second.end();
    await jest.advanceTimersByTimeAsync(1_000);
    const third = FakeSocket.last();
    expect(third).not.toBe(second);
    await resumeOn(third);
    expect(third.sent.map((frame) => frame.action)).toEqual(['resume']);
    client.close();
  });

  it('fails a queued custom action with TIMEOUT when no session comes in time, and with CLOSED on close()', async () => {
    const { client } = start({ requestTimeoutMs: 5_000 });
    const late = client.send('teleprinter');
    const outcome = expect(late).rejects.toMatchObject({ code: 'TIMEOUT', message: 'teleprinter was not sent within 5000 ms' });
    await jest.advanceTimersByTimeAsync(5_000);
    await outcome;
    const closed = client.send('teleprinter');
    client.close();
    await expect(closed).rejects.toMatchObject({ code: 'CLOSED' });
    expect(FakeSocket.last().frames('teleprinter')).toEqual([]);
  });

  it('hands every frame it does not consume to frame listeners, and none of the protocol frames', async () => {
    const { client, ready } = start();
    const socket = await ready();
    const frames: unknown[] = [];
    const messages: unknown[] = [];
    client.on('frame', (frame) => frames.push(frame));
    client.on('message', (message) => messages.push(message));
    for (const text of ['F', '7', ' ', '{', 'null', '"x"', '[1]', '{"type":"teleprinter","at":3}', '{"no":"type"}']) socket.receiveText(text);
    socket.receive({ type: 'message', id: 'm1', data: 'direct' });
    socket.receive({ type: 'pong', ts: 1 });
    socket.receive({ type: 'state', state: { cursor: 4 }, version: 2 });
    socket.receive({ type: 'error', code: 'RATE_LIMITED', message: 'slow down', retryable: true });
    expect(frames).toEqual([
      { data: 'F', json: undefined },
      { data: '7', json: 7 },
      { data: ' ', json: undefined },
      { data: '{', json: undefined },
      { data: 'null', json: null },
      { data: '"x"', json: 'x' },
      { data: '[1]', json: [1] },
      { data: '{"type":"teleprinter","at":3}', json: { type: 'teleprinter', at: 3 } },
      { data: '{"no":"type"}', json: { no: 'type' } },
    ]);
    expect(messages).toEqual([{ type: 'message', id: 'm1', data: 'direct' }]);
    client.close();
  });
});

describe('client heartbeat and goaway', () => {
  it('pings at the welcome interval and replaces a connection that stops answering', async () => {
    const { client, ready } = start({ pongTimeoutMs: 10_000 });
    const socket = await ready();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(socket.frames('ping')).toHaveLength(1);
    socket.receive({ type: 'pong', ts: Date.now() });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(socket.frames('ping')).toHaveLength(2);
    expect(FakeSocket.made).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(socket.closedByClient).toBe(true);
    expect(client.connectionState).toBe('reconnecting');
    await jest.advanceTimersByTimeAsync(250);
    expect(FakeSocket.made).toHaveLength(2);
    client.close();
  });

  it('on goaway, resumes on a second connection while the first stays open, then closes the first', async () => {
    const { client, states, ready } = start();
    const first = await ready();
    const seen: number[] = [];
    const subscribed = client.subscribe('news', (message) => seen.push(message.seq));
    await flush();
    first.receive({ type: 'ack', action: 'subscribe', channel: 'news', seq: 0, id: first.lastFrame('subscribe').id });
    await subscribed;
    first.receive({ type: 'goaway', reason: 'max_duration', closeAt: Date.now() + 300_000 });
    await flush();
    expect(FakeSocket.made).toHaveLength(2);
    const second = FakeSocket.last();
    first.receive({ type: 'message', channel: 'news', seq: 1, id: 'm1', data: 1 });
    second.open();
    await flush();
    expect(second.lastFrame('resume').channels).toEqual({ news: 1 });
    first.receive({ type: 'message', channel: 'news', seq: 2, id: 'm2', data: 2 });
    expect(first.closedByClient).toBe(false);
    second.receive(welcomeFrame('resumed', second.lastFrame('resume').id));
    await flush();
    expect(first.closedByClient).toBe(true);
    second.receive({ type: 'message', channel: 'news', seq: 2, id: 'm2', data: 2 });
    second.receive({ type: 'message', channel: 'news', seq: 3, id: 'm3', data: 3 });
    expect(seen).toEqual([1, 2, 3]);
    expect(states).toEqual(['open']);
    client.close();
  });
});

describe('client reconnect schedule', () => {
  it('backs off exponentially to the cap while the server is down: no storm', async () => {
    const { client } = start({ random: () => 0.999, reconnect: { baseDelayMs: 500, maxDelayMs: 30_000 } });
    const dialedAt: number[] = [];
    const started = Date.now();
    for (let step = 0; step < 120; step += 1) {
      await jest.advanceTimersByTimeAsync(1_000);
      for (const socket of FakeSocket.made.slice(dialedAt.length)) {
        dialedAt.push(Date.now() - started);
        socket.end();
      }
    }
    // Two minutes down: the first attempt, then ≤ 0.5, 1, 2, 4, 8, 16 s, then one per ≤ 30 s.
    const gaps = dialedAt.slice(1).map((at, i) => at - dialedAt[i]!);
    for (const [i, gap] of gaps.entries()) expect(gap).toBeLessThanOrEqual(Math.min(30_000, 500 * 2 ** i) + 1_000);
    expect(gaps.slice(-2).every((gap) => gap >= 29_000)).toBe(true);
    expect(dialedAt.length).toBeLessThanOrEqual(12);
    client.close();
  });

  it('starts again from the first delay after a stable connection', async () => {
    const { client, ready } = start({ random: () => 0.999, reconnect: { baseDelayMs: 1_000, stableAfterMs: 5_000 } });
    await ready();
    for (let i = 0; i < 4; i += 1) {
      FakeSocket.last().end();
      await jest.advanceTimersByTimeAsync(60_000);
    }
    expect(FakeSocket.made).toHaveLength(5);
    await resumeOn(FakeSocket.last());
    await jest.advanceTimersByTimeAsync(5_000);
    FakeSocket.last().end();
    await jest.advanceTimersByTimeAsync(999);
    expect(FakeSocket.made).toHaveLength(6);
    client.close();
  });

  it('makes no attempt while the browser is offline, and one as soon as it is online', async () => {
    const page = new EventTarget();
    const globals = globalThis as unknown as Record<string, unknown>;
    const saved = { navigator: Object.getOwnPropertyDescriptor(globalThis, 'navigator'), add: globals.addEventListener, remove: globals.removeEventListener };
    const navigator = { onLine: true };
    Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true });
    globals.addEventListener = page.addEventListener.bind(page);
    globals.removeEventListener = page.removeEventListener.bind(page);
    try {
      const { client, ready } = start();
      await ready();
      navigator.onLine = false;
      FakeSocket.last().end();
      await jest.advanceTimersByTimeAsync(120_000);
      expect(FakeSocket.made).toHaveLength(1);
      expect(client.connectionState).toBe('reconnecting');
      navigator.onLine = true;
      page.dispatchEvent(new Event('online'));
      await flush();
      expect(FakeSocket.made).toHaveLength(2);
      client.close();
    } finally {
      if (saved.navigator) Object.defineProperty(globalThis, 'navigator', saved.navigator);
      else delete globals.navigator;
      globals.addEventListener = saved.add;
      globals.removeEventListener = saved.remove;
    }
  });
});

describe('client configuration', () => {
  it('refuses a URL that is not ws:// or wss:// at construction', () => {
    expect(() => new SessionClient({ url: 'https://example.test/dev', WebSocket: FakeSocket })).toThrow(/ws:\/\/ or wss:\/\//);
    expect(FakeSocket.made).toHaveLength(0);
  });

  it('refuses to start with no WebSocket class (no global one, none given)', () => {
    const globals = globalThis as unknown as Record<string, unknown>;
    const saved = globals.WebSocket;
    delete globals.WebSocket;
    try {
      expect(() => new SessionClient({ url: URL })).toThrow(expect.objectContaining({ code: 'NO_WEBSOCKET' }));
    } finally {
      if (saved !== undefined) globals.WebSocket = saved;
    }
  });

  it('reports a failing token provider and tries again with backoff', async () => {
    let calls = 0;
    const { client } = start({
      auth: {
        mode: 'bearer',
        token: () => {
          calls += 1;
          if (calls === 1) throw new Error('login service down');
          return 'jwt';
        },
      },
    });
    const errors: SessionError[] = [];
    client.on('error', (error) => errors.push(error));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(errors.map((error) => error.code)).toEqual(['NO_TOKEN']);
    expect(FakeSocket.made).toHaveLength(1);
    expect(FakeSocket.last().protocols).toEqual(['ws-sessions.v1', 'bearer.jwt']);
    client.close();
  });
});
