import { credentials, defaultStore, tokenExpiry, type AuthOptions } from './auth';
import { BACKOFF_DEFAULTS, backoffDelay, type BackoffOptions } from './backoff';
import { Channels, type ChannelMessage } from './channels';
import { Emitter } from './emitter';
import { SessionError } from './errors';
import { ACTION_PATTERN, BUILT_IN_ACTIONS, MAX_FRAME_BYTES, SERVER_FRAME_TYPES, type AckFrame, type ClientFrame, type MessageFrame, type RequestId, type ServerFrame, type StateFrame, type WelcomeFrame } from './wire';

/** Error codes that end the session for good: the client closes (as `close()` does) instead of reconnecting. */
const ENDED: string[] = ['SESSION_EVICTED', 'SESSION_REVOKED', 'DISCONNECTED'];

/**
 * `connecting` until the first session; `open` while it is live (a `goaway` handover included: requests made
 * meanwhile wait the moment it takes); `reconnecting` between connections; `closed` after `close()` or after
 * the server closed the session on purpose (`SESSION_EVICTED`, `SESSION_REVOKED`, `DISCONNECTED`).
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What the client needs of a WebSocket: the browser's, Node 22's global one, or `ws`'s. */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // `any`: each implementation types its events its own way; the client reads `data`, `code` and `reason`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  addEventListener(type: string, listener: (event: any) => void): void;
}
export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

/** What was lost: a channel's seqs `from`…`to` (`kind: 'channel'`), or a whole session past its window (`kind: 'session'`, a fresh one starts). */
export type Gap = { kind: 'channel'; channel: string; from: number; to: number } | { kind: 'session'; sessionId: string };

export interface ClientEvents {
  /** A session is ready (after `welcome`, or after `resumed` with `resumed: true`); queued requests go out. */
  open: { sessionId: string; resumed: boolean };
  /** A reconnect resumed the session: the replay follows, in order. */
  resumed: { sessionId: string };
  /** A message: on a channel once per seq and in order, or sent to this connection alone (no channel). */
  message: ChannelMessage | MessageFrame;
  gap: Gap;
  /** The session state, from `welcome`, `resumed` and every `state` frame. */
  state: { state: unknown; version: number };
  /** An error frame no request was waiting for, or a failure to authenticate or resume. */
  error: SessionError;
  /** A socket closed; `reconnecting` unless `close()` was called or the server ended the session. */
  close: { code: number; reason: string; reconnecting: boolean };
  statechange: ConnectionState;
  /**
   * A frame the client does not consume itself: anything but a JSON object whose `type` is one of the
   * protocol's server frames (a custom route's own frames, such as the teleprinter's characters).
   * `data` is the frame's text; `json` its parsed value, `undefined` when it is not JSON.
   */
  frame: { data: string; json: unknown };
}

export interface ClientOptions {
  /** The stage's `wss://…/<stage>` URL. */
  url: string;
  /** Default `{ mode: 'anonymous' }`. */
  auth?: AuthOptions;
  /** The WebSocket class: default the global `WebSocket`; in Node 20 pass `ws`'s (no global: the constructor throws `NO_WEBSOCKET`). */
  WebSocket?: WebSocketConstructor;
  reconnect?: BackoffOptions;
  /** How long a request waits for its answer, counted from the call (queued time included). Default 10,000. */
  requestTimeoutMs?: number;
  /** Requests kept while not connected, sent once the session is back; one more is refused (`QUEUE_FULL`). 0: refuse at once. Default 100. */
  maxQueued?: number;
  /** The heartbeat: at most this often (default: the `welcome`'s `heartbeatSeconds`). */
  heartbeatMs?: number;
  /** Without a frame this long after a ping, the connection is taken for dead and replaced. Default 10,000. */
  pongTimeoutMs?: number;
  /** Ask the token provider this long before the token's `exp`. Default 60. */
  refreshBeforeSeconds?: number;
  /** Frames over this many UTF-8 bytes are refused before sending. Default API Gateway's 32 KiB. */
  maxFrameBytes?: number;
  /** The jitter's source (tests): default `Math.random`. */
  random?: () => number;
}

interface Pending {
  frame: ClientFrame;
  text: string;
  resolve(frame: ServerFrame): void;
  reject(error: SessionError): void;
  timer: ReturnType<typeof setTimeout>;
  /** The socket it went out on; none while queued. */
  ws?: WebSocketLike;
  /** Part of opening a connection (auth, hello, resume): never queued, never sent again. */
  internal: boolean;
  /** A custom action (`send`): no id, no answer; settled once it is on a socket. */
  oneWay?: boolean;
}

/** Requests sent again on the next connection if theirs drops before the answer; others fail with `CONNECTION_LOST`. */
const REPEATABLE = ['subscribe', 'unsubscribe', 'state.get'];
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

type Timer = 'retry' | 'ping' | 'pong' | 'stable' | 'refresh';

/** A guest session handed to a signed-in client (`handOff`, then `adopt`). */
export interface Handoff {
  sessionId: string;
  resumeToken: string;
  /** Each channel's last seq. */
  channels: Record<string, number>;
}

/** How `adopt` settles state both sessions hold: keep one side's, or a merged state made from both versions. */
export type Resolution = { keep?: 'guest' | 'mine'; state?: unknown; versions?: { guest: number; mine: number } };

/**
 * A connection to a websocket-sessions stage that keeps its session across drops: it reconnects with
 * backoff, resumes with the last seq of every channel, and hands each channel message on once, in order.
 *
 * @example
 * const client = new SessionClient({ url: 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod' });
 * client.on('gap', (gap) => console.warn('lost', gap));
 * await client.subscribe('chat', (message) => console.log(message.seq, message.data));
 * await client.publish('chat', { text: 'hello' });
 *
 * @example
 * // Node 20 (no global WebSocket), a JWT from your login flow, refreshed before it expires:
 * import WebSocket from 'ws';
 * const client = new SessionClient({ url, WebSocket, auth: { mode: 'bearer', token: () => fetchToken() } });
 */
export class SessionClient extends Emitter<ClientEvents> {
  connectionState: ConnectionState = 'connecting';
  /** The session's id, once the first `welcome` came. */
  sessionId?: string;
  private resumeToken?: string;
  /** The newest socket. */
  private ws?: WebSocketLike;
  /** The socket being retired after a `goaway`, until the new one has resumed. */
  private old?: WebSocketLike;
  /** The session is live on `ws`: requests go out. */
  private ready = false;
  private attempt = 0;
  private nextId = 1;
  private heartbeatMs = 60_000;
  /** Called as requests on the retiring socket settle (see `drain`). */
  private drained?: () => void;
  private readonly pending = new Map<RequestId, Pending>();
  private readonly timers: Partial<Record<Timer, ReturnType<typeof setTimeout>>> = {};
  private readonly channels = new Channels((message) => this.deliver(message));
  private readonly Socket: WebSocketConstructor;
  private readonly options: Required<Omit<ClientOptions, 'WebSocket' | 'heartbeatMs' | 'reconnect'>> &
    Pick<ClientOptions, 'WebSocket' | 'heartbeatMs'> & { reconnect: Required<BackoffOptions> };
  private readonly wake = () => {
    if (globalThis.document?.visibilityState === 'hidden') return;
    if (this.ready) this.ping(this.ws!);
    else if (!this.ws && this.connectionState !== 'closed') void this.dial();
  };

  constructor(options: ClientOptions) {
    super();
    const auth = options.auth ?? { mode: 'anonymous' };
    this.options = {
      requestTimeoutMs: 10_000,
      maxQueued: 100,
      pongTimeoutMs: 10_000,
      refreshBeforeSeconds: 60,
      maxFrameBytes: MAX_FRAME_BYTES,
      random: Math.random,
      ...options,
      // One store for the client's life: in Node the default one is memory, and the id must outlive a connection.
      auth: auth.mode === 'anonymous' ? { ...auth, store: auth.store ?? defaultStore() } : auth,
      reconnect: { ...BACKOFF_DEFAULTS, ...options.reconnect },
    };
    if (!/^wss?:\/\//.test(options.url)) throw new TypeError(`url must be a ws:// or wss:// URL, not ${JSON.stringify(options.url)}`);
    const Socket = options.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor | undefined);
    if (!Socket) throw new SessionError('NO_WEBSOCKET', 'no global WebSocket: pass one as the WebSocket option (in Node 20, the ws package)');
    this.Socket = Socket;
    this.listenToPage(true);
    void this.dial();
  }

  /**
   * Subscribes to a channel; resolves with the ack's `seq`. `onMessage` gets the channel's messages, once
   * per seq and in order (`on('message')` gets every channel's). `since` replays what came after it; on a
   * channel already followed, the last seq delivered is used.
   *
   * @example
   * await client.subscribe('prices', (message) => render(message.data), { since: savedSeq });
   */
  async subscribe(channel: string, onMessage?: (message: ChannelMessage) => void, { since }: { since?: number } = {}): Promise<{ seq: number }> {
    since ??= this.channels.last(channel);
    if (onMessage) this.on(`#${channel}` as 'message', onMessage as (message: ClientEvents['message']) => void);
    this.channels.start(channel, since);
    try {
      const ack = await this.call(since === undefined ? { action: 'subscribe', channel } : { action: 'subscribe', channel, since });
      return { seq: ack.seq as number };
    } catch (error) {
      // Not followed: a refused channel must not go into the next resume.
      this.channels.stop(channel);
      this.forget(`#${channel}` as 'message');
      throw error;
    }
  }

  /** Leaves a channel: its messages stop being delivered at once. Resolves with whether it was subscribed. */
  async unsubscribe(channel: string): Promise<{ subscribed: boolean }> {
    this.channels.stop(channel);
    this.forget(`#${channel}` as 'message');
    const ack = await this.call({ action: 'unsubscribe', channel });
    return { subscribed: ack.subscribed as boolean };
  }

  /**
   * Publishes `data` (any JSON) on a channel; resolves once the message is on the fan-out queue. Not sent
   * twice: if the connection drops before the ack, it fails with `CONNECTION_LOST` (it may have gone out).
   *
   * @example
   * const { messageId } = await client.publish('chat', { text: 'hi' });
   */
  async publish(channel: string, data: unknown): Promise<{ messageId: string }> {
    const ack = await this.call({ action: 'publish', channel, data });
    return { messageId: ack.messageId as string };
  }

  /** The session state and its version. */
  async getState(): Promise<{ state: unknown; version: number }> {
    const { state, version } = await this.call<StateFrame>({ action: 'state.get' });
    return { state, version };
  }

  /**
   * Replaces the session state if `version` is still the current one; otherwise rejects with
   * `VERSION_CONFLICT`, whose `frame` carries the current state and version.
   *
   * @example
   * const { state, version } = await client.getState();
   * await client.setState({ ...state, cart: [] }, version);
   */
  async setState(state: unknown, version: number): Promise<{ state: unknown; version: number }> {
    const answer = await this.call<StateFrame>({ action: 'state.set', state, version });
    return { state: answer.state, version: answer.version };
  }

  /**
   * Sends a custom route's action, `{ action, ...fields }` with no request id, and expects no answer
   * (its frames, if any, come as `frame` events). Resolves once it is on the socket; while not `open`
   * it is queued like the other requests (`QUEUE_FULL`, `TIMEOUT` when not sent within
   * `requestTimeoutMs`). Refused before sending with `BAD_ACTION` (a built-in action, or not a valid
   * route key) or `FRAME_TOO_LARGE`. A connection that drops after it went out does not send it again.
   *
   * @example
   * client.on('frame', ({ data }) => (printer.textContent += data));
   * client.on('open', () => void client.send('teleprinter'));
   */
  async send(action: string, fields: Record<string, unknown> = {}): Promise<void> {
    if (typeof action !== 'string' || !ACTION_PATTERN.test(action) || BUILT_IN_ACTIONS.includes(action)) {
      const why = BUILT_IN_ACTIONS.includes(action) ? 'is a built-in action: use its own method' : `is not a route key (${String(ACTION_PATTERN)})`;
      throw new SessionError('BAD_ACTION', `${JSON.stringify(action)} ${why}`);
    }
    await this.call({ ...fields, action }, undefined, true);
  }

  /**
   * Hands this guest session to a signed-in client: closes this client (its messages stop here) and
   * returns what `adopt` needs, the session id, its resume token and each channel's last seq (not the
   * guest's own `user:` and `tenant:` channels). Throws `NO_SESSION` before the session opened.
   *
   * @example
   * const member = new SessionClient({ url, auth: { mode: 'two-phase', token } });
   * member.on('open', () => void member.adopt(guest.handOff()));
   */
  handOff(): Handoff {
    const { sessionId, resumeToken } = this;
    if (!sessionId || !resumeToken) throw new SessionError('NO_SESSION', 'no session to hand off yet: wait for `open`');
    const channels = this.channels.snapshot();
    for (const channel of Object.keys(channels)) if (/^(user|tenant):/.test(channel)) delete channels[channel];
    this.close();
    return { sessionId, resumeToken, channels };
  }

  /**
   * Takes over a guest session (signed-in clients only): its state and channels come to this session,
   * every message after the hand-off's seqs is replayed, and the guest session is closed. When both
   * sessions hold state it rejects with `STATE_CONFLICT` (its `frame` has `guest` and `mine`, each
   * `{ state, version }`) unless `resolution` names one: `{ keep: 'guest' | 'mine' }`, or a merged
   * `{ state, versions: { guest, mine } }` made from those versions.
   *
   * @example
   * await member.adopt(handoff).catch((error) =>
   *   error.code === 'STATE_CONFLICT' ? member.adopt(handoff, { state: merge(error.frame.guest, error.frame.mine), versions: { guest: error.frame.guest.version, mine: error.frame.mine.version } }) : Promise.reject(error));
   */
  async adopt({ sessionId, resumeToken, channels }: Handoff, resolution: Resolution = {}): Promise<{ state: unknown; version: number }> {
    const names = Object.keys(channels);
    for (const channel of names) this.channels.start(channel, channels[channel]);
    try {
      const { state, version } = await this.call<WelcomeFrame>({ ...resolution, action: 'adopt', sessionId, resumeToken, channels });
      this.emit('state', { state, version });
      return { state, version };
    } catch (error) {
      for (const channel of names) this.channels.stop(channel);
      throw error;
    }
  }

  /** The last contiguous seq delivered (or named lost) on a channel. */
  lastSeq(channel: string): number | undefined {
    return this.channels.last(channel);
  }

  /** Closes for good: no reconnect; waiting and queued requests fail with `CLOSED`. */
  close(): void {
    if (this.connectionState === 'closed') return;
    this.move('closed');
    this.listenToPage(false);
    for (const timer of Object.keys(this.timers) as Timer[]) this.clear(timer);
    for (const [id, entry] of this.pending) this.settle(id, entry, new SessionError('CLOSED', 'the client was closed'));
    for (const ws of [this.old, this.ws]) if (ws) this.drop(ws, 1000, 'closed by the client');
  }

  private listenToPage(on: boolean): void {
    const page = globalThis as unknown as Partial<Pick<Window, 'addEventListener' | 'removeEventListener'>>;
    for (const type of ['online', 'visibilitychange']) page[on ? 'addEventListener' : 'removeEventListener']?.(type, this.wake);
  }

  private move(state: ConnectionState): void {
    if (state === this.connectionState) return;
    this.connectionState = state;
    this.emit('statechange', state);
  }

  private clear(timer: Timer): void {
    clearTimeout(this.timers[timer]);
    delete this.timers[timer];
  }

  private async dial(): Promise<void> {
    this.clear('retry');
    // Offline: no attempt until the page says `online`.
    if (globalThis.navigator?.onLine === false) return;
    let found: Awaited<ReturnType<typeof credentials>>;
    try {
      found = await credentials(this.options.auth);
    } catch (error) {
      this.emit('error', new SessionError('NO_TOKEN', `the token provider failed: ${String(error)}`));
      return this.retry();
    }
    if (this.connectionState === 'closed' || this.ws) return;
    const { token } = found;
    const ws = (this.ws = new this.Socket(this.options.url, found.protocols));
    ws.addEventListener('open', () => void this.opened(ws, token));
    ws.addEventListener('message', (event: { data: unknown }) => this.received(ws, event.data));
    ws.addEventListener('close', (event: { code?: number; reason?: string }) => this.dropped(ws, event.code ?? 1006, event.reason ?? ''));
    ws.addEventListener('error', () => undefined);
  }

  private retry(): void {
    if (this.connectionState === 'closed' || this.timers.retry || this.ws) return;
    this.timers.retry = setTimeout(() => void this.dial(), backoffDelay(this.attempt++, this.options.reconnect, this.options.random));
  }

  /** auth (two-phase), then resume (or hello), then the session is ready. */
  private async opened(ws: WebSocketLike, token: string | undefined): Promise<void> {
    try {
      if (this.options.auth.mode === 'two-phase') this.expires((await this.call({ action: 'auth', token }, ws)).expiresAt as number);
      else if (token) this.expires(tokenExpiry(token));
      if (this.old) await this.drain(this.old);
      const previous = this.sessionId;
      let welcome: WelcomeFrame | undefined;
      if (previous) {
        try {
          welcome = await this.call<WelcomeFrame>({ action: 'resume', sessionId: previous, resumeToken: this.resumeToken, channels: this.channels.snapshot() }, ws);
        } catch (error) {
          // Refused for good (the session is past its window or unknown to this stage, or a channel is
          // refused): start a fresh session rather than send the same resume again and again.
          if (this.connectionState === 'closed' || !(error instanceof SessionError && error.frame && !error.retryable)) throw error;
          if (error.code !== 'RESUME_GAP' && error.code !== 'AUTH_INVALID') this.emit('error', error);
          this.emit('gap', { kind: 'session', sessionId: previous });
        }
      }
      this.established(ws, welcome ?? (await this.call<WelcomeFrame>({ action: 'hello' }, ws)), previous);
    } catch (error) {
      if (error instanceof SessionError && error.frame) this.emit('error', error);
      if (ws === this.ws) this.drop(ws, 4000, 'could not open the session');
    }
  }

  private established(ws: WebSocketLike, welcome: WelcomeFrame, previous: string | undefined): void {
    const { sessionId, state, version } = welcome;
    const resumed = welcome.type === 'resumed';
    this.sessionId = sessionId;
    this.resumeToken = welcome.resumeToken;
    this.heartbeatMs = Math.min(welcome.heartbeatSeconds * 1000, this.options.heartbeatMs ?? Infinity);
    this.ready = true;
    this.move('open');
    this.timers.stable = setTimeout(() => (this.attempt = 0), this.options.reconnect.stableAfterMs);
    this.heartbeat(ws);
    this.emit('state', { state, version });
    if (resumed) this.emit('resumed', { sessionId });
    this.emit('open', { sessionId, resumed });
    // A fresh session after a lost one: follow the same channels again from where they stopped.
    if (previous && !resumed) {
      for (const channel of Object.keys(this.channels.snapshot())) this.subscribe(channel).catch((error: SessionError) => this.emit('error', error));
    }
    for (const [id, entry] of this.pending) if (!entry.ws && !entry.internal) this.transmit(ws, id, entry);
    if (this.old) this.drop(this.old, 1000, 'replaced');
  }

  /**
   * Resolves once no request waits for its answer on `old` (or `old` is gone): answers go to the
   * connection a request came on, and the server closes that one when the session moves.
   */
  private drain(old: WebSocketLike): Promise<void> {
    return new Promise((resolve) => {
      this.drained = () => {
        if (this.old === old && [...this.pending.values()].some((entry) => entry.ws === old)) return;
        this.drained = undefined;
        resolve();
      };
      this.drained();
    });
  }

  private received(ws: WebSocketLike, data: unknown): void {
    if (ws !== this.ws && ws !== this.old) return;
    if (ws === this.ws) this.clear('pong');
    const text = String(data);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const frame = json as ServerFrame;
    if (typeof json !== 'object' || json === null || !(SERVER_FRAME_TYPES as readonly unknown[]).includes(frame.type)) {
      return this.emit('frame', { data: text, json });
    }
    switch (frame.type) {
      case 'message':
        if (typeof frame.channel === 'string' && typeof frame.seq === 'number') this.channels.receive(frame as ChannelMessage);
        else this.emit('message', frame);
        return;
      case 'goaway':
        if (ws === this.ws && this.ready) this.handover(ws);
        return;
      case 'state':
        this.emit('state', { state: frame.state, version: frame.version });
        break;
      case 'ack':
        if (frame.action === 'subscribe' && typeof frame.seq === 'number') this.channels.begin(frame.channel as string, frame.seq);
        break;
      case 'error':
        if (frame.code === 'RESUME_GAP' && frame.channel && frame.lost) {
          this.emit('gap', { kind: 'channel', channel: frame.channel, ...frame.lost });
          this.channels.gap(frame.channel, frame.lost.to);
          return;
        }
        if (frame.code === 'AUTH_EXPIRED') void this.refresh();
    }
    const entry = frame.id === undefined ? undefined : this.pending.get(frame.id);
    if (entry) this.settle(frame.id!, entry, frame.type === 'error' ? new SessionError(frame.code, frame.message, frame) : frame);
    else if (frame.type === 'error') this.emit('error', new SessionError(frame.code, frame.message, frame));
    // Closed on purpose (eviction, logout, a backend's disconnect): reconnecting would only start a fresh session.
    if (frame.type === 'error' && ENDED.includes(frame.code)) this.close();
  }

  private deliver(message: ChannelMessage): void {
    this.emit('message', message);
    this.emit(`#${message.channel}` as 'message', message);
  }

  /** `goaway`: a second connection resumes the session; the first stays until then (nothing is lost). */
  private handover(ws: WebSocketLike): void {
    this.old = ws;
    this.ws = undefined;
    this.ready = false;
    for (const timer of ['ping', 'pong', 'stable', 'refresh'] as Timer[]) this.clear(timer);
    void this.dial();
  }

  private heartbeat(ws: WebSocketLike): void {
    this.clear('ping');
    this.timers.ping = setTimeout(() => this.ping(ws), this.heartbeatMs);
  }

  private ping(ws: WebSocketLike): void {
    if (ws !== this.ws || !this.ready) return;
    this.write(ws, '{"action":"ping"}');
    this.timers.pong ??= setTimeout(() => this.drop(ws, 4000, 'no pong'), this.options.pongTimeoutMs);
    this.heartbeat(ws);
  }

  private expires(exp: number | undefined): void {
    this.clear('refresh');
    if (exp === undefined || !('token' in this.options.auth && this.options.auth.token)) return;
    const delay = (exp - this.options.refreshBeforeSeconds) * 1000 - Date.now();
    this.timers.refresh = setTimeout(() => void this.refresh(), Math.min(Math.max(delay, 0), MAX_TIMEOUT_MS));
  }

  /** A fresh token sent as `auth` on the live connection. */
  private async refresh(): Promise<void> {
    const ws = this.ws;
    const auth = this.options.auth;
    if (!ws || !('token' in auth && auth.token)) return;
    try {
      const token = await auth.token();
      if (ws === this.ws) this.expires((await this.call({ action: 'auth', token }, ws)).expiresAt as number);
    } catch (error) {
      if (error instanceof SessionError) this.emit('error', error);
    }
  }

  /** Sends a request now (on `ws`, or the live session) or queues it; resolves with the frame that answers it. */
  private call<T extends ServerFrame = AckFrame>(frame: ClientFrame, ws?: WebSocketLike, oneWay = false): Promise<T> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const text = JSON.stringify(oneWay ? frame : { ...frame, id });
      const bytes = new TextEncoder().encode(text).length;
      const queued = [...this.pending.values()].filter((entry) => !entry.ws && !entry.internal).length;
      if (this.connectionState === 'closed') return reject(new SessionError('CLOSED', 'the client was closed'));
      if (bytes > this.options.maxFrameBytes) return reject(new SessionError('FRAME_TOO_LARGE', `the frame is ${bytes} bytes; at most ${this.options.maxFrameBytes}`));
      if (!ws && !this.ready && queued >= this.options.maxQueued) return reject(new SessionError('QUEUE_FULL', `not connected, and ${queued} requests wait already`));
      const entry: Pending = {
        frame,
        text,
        resolve: resolve as (frame: ServerFrame) => void,
        reject,
        internal: Boolean(ws),
        oneWay,
        timer: setTimeout(() => {
          const what = oneWay ? `${frame.action} was not sent` : `no answer to ${frame.action}`;
          this.settle(id, entry, new SessionError('TIMEOUT', `${what} within ${this.options.requestTimeoutMs} ms`));
        }, this.options.requestTimeoutMs),
      };
      this.pending.set(id, entry);
      const target = ws ?? (this.ready ? this.ws : undefined);
      if (target) this.transmit(target, id, entry);
    });
  }

  private transmit(ws: WebSocketLike, id: RequestId, entry: Pending): void {
    entry.ws = ws;
    this.write(ws, entry.text);
    if (entry.oneWay) this.settle(id, entry, { type: 'ack', action: entry.frame.action });
  }

  private write(ws: WebSocketLike, text: string): void {
    try {
      ws.send(text);
    } catch {
      // The socket is closing: its close event fails or re-queues the request.
    }
  }

  private settle(id: RequestId, entry: Pending, outcome: ServerFrame | SessionError): void {
    this.pending.delete(id);
    clearTimeout(entry.timer);
    if (outcome instanceof SessionError) entry.reject(outcome);
    else entry.resolve(outcome);
    if (entry.ws && entry.ws === this.old) this.drained?.();
  }

  /** Closes a socket without waiting for its close handshake (a half-open one may never answer). */
  private drop(ws: WebSocketLike, code: number, reason: string): void {
    try {
      ws.close(1000);
    } catch {
      // already closed
    }
    this.dropped(ws, code, reason);
  }

  private dropped(ws: WebSocketLike, code: number, reason: string): void {
    const current = ws === this.ws;
    if (ws === this.old) {
      this.old = undefined;
      this.drained?.();
    } else if (current) {
      this.ws = undefined;
      this.ready = false;
      for (const timer of ['ping', 'pong', 'stable', 'refresh'] as Timer[]) this.clear(timer);
      this.channels.forgetHeld();
    } else return;
    for (const [id, entry] of this.pending) {
      if (entry.ws !== ws) continue;
      if (!entry.internal && REPEATABLE.includes(entry.frame.action)) delete entry.ws;
      else this.settle(id, entry, new SessionError('CONNECTION_LOST', `the connection dropped before ${entry.frame.action} was answered`));
    }
    const closed = this.connectionState === 'closed';
    if (!current) {
      // The retired socket closed: a handover still in progress (this.ws) keeps the state `open`.
      if (!this.ready && !this.ws && !closed) this.move('reconnecting');
      return;
    }
    this.emit('close', { code, reason, reconnecting: !closed });
    if (closed) return;
    if (!this.old) this.move(this.sessionId ? 'reconnecting' : 'connecting');
    this.retry();
  }
}
