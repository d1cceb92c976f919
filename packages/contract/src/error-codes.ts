/**
 * Every error code an `error` frame can carry, with what it means and whether repeating the request
 * can succeed. The one list: the `ErrorCode` type, the frames and the error-code table of
 * docs/protocol.md (`npm run docs`) all come from it.
 */
export const ERROR_CODES = {
  BAD_MESSAGE: {
    when: 'not JSON, not an object, no or malformed `action`, malformed `id`, unknown action; a frame over 128 KiB, nested deeper than 32 levels, with a lone surrogate or a non-character, or a number beyond ±1.8e308 (see "Client frames"); a documented field missing or of the wrong type',
    retryable: false,
  },
  FORBIDDEN: {
    when: "the stage's permission map (`ACTION_PERMISSIONS`, e.g. `{\"broadcast\":[\"admin\"]}`) requires a role the connection's identity does not have, or a guest (an anonymous identity) sends `adopt`; nothing runs",
    retryable: false,
  },
  RATE_LIMITED: {
    when: 'more messages than the budget in the current window (100 per 10 s by default); at twice the budget the frame is followed by a close (1000)',
    retryable: true,
  },
  AUTH_INVALID: {
    when: 'two-phase: anything but `auth`/`ping` before authenticating; `auth` with a token that fails verification or is for another user; `resume` or `adopt` with an unknown session or a wrong resume token, or of a session adopted already',
    retryable: false,
  },
  AUTH_EXPIRED: {
    when: '`auth` with an expired token; two-phase: the deadline passed without `auth`; `jwt`/`two-phase`: the connection\'s token expired (past the grace) and was not refreshed (in the last two cases the connection is then closed)',
    retryable: false,
  },
  PAYLOAD_TOO_LARGE: { when: '`publish`/`broadcast` with `data` over `MAX_PAYLOAD_BYTES`', retryable: false },
  RESUME_GAP: {
    when: "`subscribe` with a `since`, or `resume` with a last seq, that the channel's log no longer reaches, or a replay cut at `REPLAY_MAX_MESSAGES`, or a message too large to deliver (`channel`, `lost.from`, `lost.to`: the seqs you will not get); `resume` of a session past its window",
    retryable: false,
  },
  VERSION_CONFLICT: { when: '`state.set` with a stale `version` (`state` and `version` carry the current ones)', retryable: false },
  STATE_CONFLICT: {
    when: '`adopt` when both sessions hold state and the request names no resolution (`keep`, or a merged `state` with `versions`), or the versions it names are stale: `guest` and `mine` carry each session\'s `state` and `version`; nothing changed',
    retryable: false,
  },
  INTERNAL: {
    when: "the server failed to serve the request (an AWS call failed or timed out, or a bug): it may or may not have taken effect, so make the request idempotent or check before repeating it. `requestId` is API Gateway's id of the request; the function's `internal_error` log line (with the error's stack) carries the same",
    retryable: true,
  },
  SESSION_REVOKED: {
    when: 'user sessions: the session the connection was authorised with (its `sid`) was revoked or deleted (logout of this device, logout everywhere); the connection is then closed, and a `resume` of its resumable session is refused with the same code',
    retryable: false,
  },
  SESSION_EVICTED: {
    when: "user sessions: the session the connection was authorised with was evicted by a newer login over the user's cap; the connection is then closed, and a `resume` of its resumable session is refused with the same code",
    retryable: false,
  },
  DISCONNECTED: {
    when: "a backend closed the connection (the publisher's `disconnect`) for a reason of its own, named by `reason` (`A–Z 0–9 _`); the connection is then closed, and a `resume` of its resumable session is refused with the same code",
    retryable: false,
  },
} as const satisfies Record<string, ErrorCodeRule>;

/** What one error code means. */
export interface ErrorCodeRule {
  /** When a client gets it. */
  when: string;
  /** Whether sending the same request again can succeed (the frame's `retryable` says so case by case). */
  retryable: boolean;
  /** Not sent yet: kept for a feature that comes next. */
  reserved?: true;
}

/** Protocol error codes (docs/protocol.md, "Error codes"). */
export type ErrorCode = keyof typeof ERROR_CODES;
