import type { MessageFrame } from './wire';

/** A message on a channel, delivered once per `seq` and in order. */
export type ChannelMessage = MessageFrame & { channel: string; seq: number };

interface Position {
  /** The last contiguous seq: every message up to it was delivered or named lost. Undefined until the subscribe ack. */
  n?: number;
  /** Messages after n + 1, waiting for the ones before them. */
  held: Map<number, ChannelMessage>;
}

/**
 * Per-channel bookkeeping of the delivery contract (docs/protocol.md, "Delivery contract"): keeps the
 * last contiguous seq of each channel, drops a seq already delivered, holds one that comes early until
 * the ones before it arrive or a gap names them, and hands each message on once, in order.
 *
 * @example
 * const channels = new Channels((message) => console.log(message.seq));
 * channels.start('news', 4);
 * channels.receive({ type: 'message', channel: 'news', seq: 6, id: 'b', data: 2 }); // held
 * channels.receive({ type: 'message', channel: 'news', seq: 5, id: 'a', data: 1 }); // logs 5, then 6
 */
export class Channels {
  private readonly positions = new Map<string, Position>();

  constructor(private readonly deliver: (message: ChannelMessage) => void) {}

  /** Starts tracking a channel at `since`, or, without it, waits for the subscribe ack's seq (`begin`). */
  start(channel: string, since?: number): void {
    const position = this.positions.get(channel);
    if (position) {
      if (since !== undefined && position.n === undefined) this.advance(position, since);
    } else this.positions.set(channel, { n: since, held: new Map() });
  }

  /** The subscribe ack's seq S: a channel started without `since` starts at S (anything up to S is older). */
  begin(channel: string, seq: number): void {
    const position = this.positions.get(channel);
    if (position && position.n === undefined) this.advance(position, seq);
  }

  /** A message frame with a channel and a seq; a channel not started (an implicit one) starts just before it. */
  receive(message: ChannelMessage): void {
    let position = this.positions.get(message.channel);
    if (!position) this.positions.set(message.channel, (position = { n: message.seq - 1, held: new Map() }));
    if (position.n !== undefined && message.seq <= position.n) return;
    position.held.set(message.seq, message);
    if (position.n !== undefined) this.advance(position, position.n);
  }

  /** A `RESUME_GAP` naming `from`…`to` on a channel: those will not come, so the messages after them may. */
  gap(channel: string, to: number): void {
    const position = this.positions.get(channel);
    if (position) this.advance(position, Math.max(position.n ?? 0, to));
  }

  stop(channel: string): void {
    this.positions.delete(channel);
  }

  /** The last contiguous seq of a channel, if known. */
  last(channel: string): number | undefined {
    return this.positions.get(channel)?.n;
  }

  /** What `resume` sends: each channel with a known position, by name. */
  snapshot(): Record<string, number> {
    const channels: Record<string, number> = {};
    for (const [channel, { n }] of this.positions) if (n !== undefined) channels[channel] = n;
    return channels;
  }

  /** A new connection: held messages come again in its replay; the positions stay. */
  forgetHeld(): void {
    for (const position of this.positions.values()) position.held.clear();
  }

  private advance(position: Position, n: number): void {
    for (const seq of position.held.keys()) if (seq <= n) position.held.delete(seq);
    let next: ChannelMessage | undefined;
    while ((next = position.held.get(n + 1))) {
      position.held.delete(++n);
      position.n = n;
      this.deliver(next);
    }
    position.n = n;
  }
}
