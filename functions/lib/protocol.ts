/** Protocol error codes (see docs/protocol.md). */
export type ErrorCode =
  | 'AUTH_INVALID'
  | 'AUTH_EXPIRED'
  | 'SESSION_REVOKED'
  | 'SESSION_EVICTED'
  | 'FORBIDDEN'
  | 'BAD_MESSAGE'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'RESUME_GAP'
  | 'VERSION_CONFLICT'
  | 'INTERNAL';

/** A client's request id, echoed on the frame that answers it. */
export type RequestId = string | number;

/** A parsed client frame: a JSON object with an `action`. */
export interface ClientFrame {
  action: string;
  id?: RequestId;
  [field: string]: unknown;
}

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  retryable: boolean;
  id?: RequestId;
  /** `RESUME_GAP`: the channel whose log no longer reaches back, and the sequence numbers lost. */
  channel?: string;
  lost?: { from: number; to: number };
  /** `VERSION_CONFLICT`: the session state as it is now. */
  state?: unknown;
  version?: number;
}

/** A session's particulars: `welcome` (after `hello`) or `resumed` (after `resume`). */
export interface WelcomeFrame {
  type: 'welcome' | 'resumed';
  id?: RequestId;
  sessionId: string;
  resumeToken: string;
  resumeWindowSeconds: number;
  heartbeatSeconds: number;
  state: unknown;
  version: number;
}

/** The session state and its version (`state.get`, `state.set`). */
export interface StateFrame {
  type: 'state';
  id?: RequestId;
  state: unknown;
  version: number;
}

/** A message on a channel (`channel`, `seq`) or to one connection (neither). */
export interface MessageFrame {
  type: 'message';
  channel?: string;
  seq?: number;
  /** The message id. */
  id: string;
  data: unknown;
}

export interface PongFrame {
  type: 'pong';
  id?: RequestId;
  /** Server time, epoch milliseconds. */
  ts: number;
}

/** Acknowledges an action that has no other answer (`auth`). */
export interface AckFrame {
  type: 'ack';
  action: string;
  id?: RequestId;
  [field: string]: unknown;
}

export type ServerFrame = ErrorFrame | PongFrame | AckFrame | MessageFrame | WelcomeFrame | StateFrame;

export const ACTION_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
const MAX_REQUEST_ID_LENGTH = 128;

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; error: ErrorFrame };

/**
 * An error frame.
 *
 * @example
 * errorFrame({ code: 'BAD_MESSAGE', message: 'body is not JSON' });
 */
export function errorFrame({
  code,
  message,
  retryable = false,
  id,
  ...extra
}: {
  code: ErrorCode;
  message: string;
  retryable?: boolean;
  id?: RequestId;
} & Pick<ErrorFrame, 'channel' | 'lost' | 'state' | 'version'>): ErrorFrame {
  return id === undefined ? { type: 'error', code, message, retryable, ...extra } : { type: 'error', code, message, retryable, id, ...extra };
}

const readRequestId = (value: unknown): RequestId | undefined => {
  if (typeof value === 'string' && value.length > 0 && value.length <= MAX_REQUEST_ID_LENGTH) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  return undefined;
};

/**
 * Parses a MESSAGE body. Anything that is not a JSON object with a well-formed `action` yields a
 * `BAD_MESSAGE` error frame (carrying the request `id` when one could be read).
 */
export function parseClientFrame(body: string | null | undefined): ParseResult {
  const bad = (message: string, id?: RequestId): ParseResult => ({
    ok: false,
    error: errorFrame({ code: 'BAD_MESSAGE', message, id }),
  });
  if (body === null || body === undefined || body === '') return bad('empty message');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return bad('message is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return bad('message must be a JSON object');
  const record = parsed as Record<string, unknown>;
  const id = readRequestId(record.id);
  if (record.id !== undefined && id === undefined) {
    return bad(`"id" must be a string of 1–${MAX_REQUEST_ID_LENGTH} characters or an integer`);
  }
  if (typeof record.action !== 'string') return bad('"action" must be a string', id);
  if (!ACTION_PATTERN.test(record.action)) return bad('"action" is malformed', id);
  return { ok: true, frame: { ...record, action: record.action, id } };
}
