/** Input the service refused before writing anything: `field` names it, the message says the rule. */
export class SessionValidationError extends Error {
  override readonly name = 'SessionValidationError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** No live session with that id (never created, deleted, evicted or expired). */
export class SessionNotFoundError extends Error {
  override readonly name = 'SessionNotFoundError';
}

/**
 * The session changed since the caller read it (`expectedVersion` no longer matches): the update was
 * not applied. Read the session again and decide.
 */
export class SessionConflictError extends Error {
  override readonly name = 'SessionConflictError';
  constructor(
    message: string,
    readonly currentVersion: number | undefined,
  ) {
    super(message);
  }
}

/** Contention on the user's sessions outlasted the bounded retries (many writers at once); safe to retry later. */
export class SessionContentionError extends Error {
  override readonly name = 'SessionContentionError';
}

/** The refresh token is unknown, or its session has ended. */
export class InvalidRefreshTokenError extends Error {
  override readonly name: string = 'InvalidRefreshTokenError';
}

/**
 * A rotated refresh token was presented after the grace window: someone else holds a copy, so the
 * whole session was revoked (logged as `refresh_token_reused`, counted as `RefreshTokenReuse`).
 */
export class RefreshTokenReusedError extends InvalidRefreshTokenError {
  override readonly name = 'RefreshTokenReusedError';
  constructor(
    message: string,
    readonly revoked: { userId: string; sessionId: string },
  ) {
    super(message);
  }
}
