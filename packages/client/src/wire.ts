/**
 * The frames this client exchanges with the stack (docs/protocol.md), kept minimal: only the fields the
 * client reads. test/unit/client-wire.test.ts checks the lists against the server's own definitions.
 */

/** Error codes the server sends (`error` frames). */
export const ERROR_CODES = [
  'AUTH_INVALID',
  'AUTH_EXPIRED',
  'SESSION_REVOKED',
  'SESSION_EVICTED',
  'DISCONNECTED',
  'FORBIDDEN',
  'BAD_MESSAGE',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'RESUME_GAP',
  'VERSION_CONFLICT',
  'STATE_CONFLICT',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The `type` of every frame the server sends. */
export const SERVER_FRAME_TYPES = ['pong', 'ack', 'message', 'welcome', 'resumed', 'adopted', 'state', 'goaway', 'error'] as const;
export type ServerFrameType = (typeof SERVER_FRAME_TYPES)[number];

/** The actions the stack's own functions serve (the contract's `ACTION_FIELDS`): `send` refuses them. */
export const BUILT_IN_ACTIONS = ['ping', 'hello', 'state.get', 'auth', 'subscribe', 'unsubscribe', 'publish', 'broadcast', 'state.set', 'resume', 'adopt'];

/** What an `action` must look like (a route key of the module's `custom_routes` too). */
export const ACTION_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

/** API Gateway's limit on one WebSocket frame (32 KB): a browser sends each message as one frame. */
export const MAX_FRAME_BYTES = 32 * 1024;
/** API Gateway's limit on a whole message (128 KB). */
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** The subprotocol of the `jwt`, `two-phase` and cookie connections. */
export const APP_PROTOCOL = 'ws-sessions.v1';

/** A request id, echoed on the frame that answers it. */
export type RequestId = string | number;

/** A client frame: an `action` and its fields. */
export interface ClientFrame {
  action: string;
  id?: RequestId;
  [field: string]: unknown;
}

/** A message on a channel (`channel`, `seq`), or sent to this connection alone (neither). */
export interface MessageFrame {
  type: 'message';
  channel?: string;
  seq?: number;
  /** The message id. */
  id: string;
  data: unknown;
}

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  retryable: boolean;
  id?: RequestId;
  /** `RESUME_GAP`: the channel and the sequence numbers that will not arrive. */
  channel?: string;
  lost?: { from: number; to: number };
  /** `VERSION_CONFLICT`: the state as it is now. */
  state?: unknown;
  version?: number;
  /** `STATE_CONFLICT` (`adopt`): each session's state as it is now. */
  guest?: { state: unknown; version: number };
  mine?: { state: unknown; version: number };
  requestId?: string;
}

/** `welcome` (answer to `hello`), `resumed` (answer to `resume`) or `adopted` (answer to `adopt`). */
export interface WelcomeFrame {
  type: 'welcome' | 'resumed' | 'adopted';
  id?: RequestId;
  sessionId: string;
  resumeToken: string;
  resumeWindowSeconds: number;
  heartbeatSeconds: number;
  state: unknown;
  version: number;
}

export interface StateFrame {
  type: 'state';
  id?: RequestId;
  state: unknown;
  version: number;
}

export interface AckFrame {
  type: 'ack';
  action: string;
  id?: RequestId;
  [field: string]: unknown;
}

export interface PongFrame {
  type: 'pong';
  id?: RequestId;
  ts: number;
}

/** The connection nears API Gateway's 2-hour cut: reconnect and resume before `closeAt` (epoch ms). */
export interface GoawayFrame {
  type: 'goaway';
  reason: string;
  closeAt: number;
}

export type ServerFrame = MessageFrame | ErrorFrame | WelcomeFrame | StateFrame | AckFrame | PongFrame | GoawayFrame;
