import type { WebSocketLike } from '../../packages/client/src';

type Listener = (event: { data?: unknown; code?: number; reason?: string }) => void;

/**
 * A scripted stand-in for a WebSocket, for the client library's unit tests on a fake clock: the test
 * plays the server (opens it, sends it frames, closes it) and reads what the client sent. Integration
 * tests use real `ws` sockets against the sandbox instead.
 */
export class FakeSocket implements WebSocketLike {
  /** Every socket made, in order. */
  static made: FakeSocket[] = [];
  readonly sent: Array<Record<string, unknown>> = [];
  closedByClient = false;
  /** Answer every ping with a pong, as a live server does. */
  answerPings = false;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.made.push(this);
  }

  static reset(): void {
    FakeSocket.made = [];
  }

  static last(): FakeSocket {
    const socket = FakeSocket.made.at(-1);
    if (!socket) throw new Error('no socket made yet');
    return socket;
  }

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    const frame = JSON.parse(data) as Record<string, unknown>;
    this.sent.push(frame);
    if (this.answerPings && frame.action === 'ping') void Promise.resolve().then(() => this.receive({ type: 'pong', ts: Date.now() }));
  }

  close(): void {
    this.closedByClient = true;
  }

  /** The frames sent with this action. */
  frames(action: string): Array<Record<string, unknown>> {
    return this.sent.filter((frame) => frame.action === action);
  }

  /** The last frame sent with this action. */
  lastFrame(action: string): Record<string, unknown> {
    const frame = this.frames(action).at(-1);
    if (!frame) throw new Error(`no ${action} frame sent; sent: ${JSON.stringify(this.sent)}`);
    return frame;
  }

  open(): void {
    this.fire('open', {});
  }

  receive(frame: unknown): void {
    this.fire('message', { data: JSON.stringify(frame) });
  }

  /** A frame's text as it is, JSON or not (a custom route's frames). */
  receiveText(data: string): void {
    this.fire('message', { data });
  }

  /** The server (or the network) ends the connection. */
  end(code = 1006, reason = ''): void {
    this.fire('close', { code, reason });
  }

  private fire(type: string, event: { data?: unknown; code?: number; reason?: string }): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}
