/** A connection item already exists for this id (ids are unique, so this is a replayed `$connect`). */
export class ConnectionExistsError extends Error {
  override readonly name = 'ConnectionExistsError';
}

/** PostToConnection failed for a reason other than the connection being gone. */
export class PushError extends Error {
  override readonly name = 'PushError';
  constructor(
    message: string,
    readonly connectionId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The fan-out queue refused a record an action needs (SQS unavailable or throttling past the SDK's
 * retries). Nothing the action promises was done; the router answers `INTERNAL` (retryable).
 */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
}
