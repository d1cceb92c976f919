import type { ErrorCode, ErrorFrame } from './wire';

/** Why the client itself refused or gave up on a request. */
export type LocalErrorCode =
  /** No answer within `requestTimeoutMs`. */
  | 'TIMEOUT'
  /** Not connected and the queue is full (or queueing is off: `maxQueued: 0`). */
  | 'QUEUE_FULL'
  /** The connection dropped after a `publish` or `state.set` was sent: it may or may not have taken effect. */
  | 'CONNECTION_LOST'
  /** `close()` was called. */
  | 'CLOSED'
  /** The frame is over API Gateway's frame limit: refused before sending. */
  | 'FRAME_TOO_LARGE'
  /** `send` was given a built-in action or one that is not a valid route key: refused before sending. */
  | 'BAD_ACTION'
  /** The token provider threw or rejected (the client tries again with backoff). */
  | 'NO_TOKEN'
  /** No `WebSocket` global and none given (thrown by the constructor). */
  | 'NO_WEBSOCKET'
  /** `handOff` before the session opened: there is nothing to adopt yet. */
  | 'NO_SESSION';

/**
 * A request refused by the server (`code` is the protocol's, `frame` the error frame) or by the client.
 *
 * @example
 * try { await client.publish('news', data) } catch (error) {
 *   if (error instanceof SessionError && error.retryable) retryLater();
 * }
 */
export class SessionError extends Error {
  override readonly name = 'SessionError';
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode | LocalErrorCode,
    message: string,
    readonly frame?: ErrorFrame,
  ) {
    super(message);
    this.retryable = frame ? frame.retryable : !['FRAME_TOO_LARGE', 'BAD_ACTION', 'NO_WEBSOCKET', 'CLOSED', 'NO_SESSION'].includes(code);
  }
}
