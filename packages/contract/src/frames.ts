import type { ErrorCode } from './error-codes';

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
  /** `STATE_CONFLICT` (`adopt`): the guest's session state and the signed-in session's, as they are now. */
  guest?: VersionedState;
  mine?: VersionedState;
  /** `INTERNAL`: API Gateway's id of the request that failed; the function's error log line carries it too. */
  requestId?: string;
  /** `SESSION_EVICTED`, `SESSION_REVOKED`, `DISCONNECTED`: why the connection was closed (the disconnect record's `reason`). */
  reason?: string;
}

/** A session state and its version. */
export interface VersionedState {
  state: unknown;
  version: number;
}

/** A session's particulars: `welcome` (after `hello`), `resumed` (after `resume`) or `adopted` (after `adopt`). */
export interface WelcomeFrame {
  type: 'welcome' | 'resumed' | 'adopted';
  id?: RequestId;
  sessionId: string;
  resumeToken: string;
  resumeWindowSeconds: number;
  heartbeatSeconds: number;
  state: unknown;
  version: number;
  /** `adopted`: the guest session it took over. */
  adoptedFrom?: string;
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

/** Reconnect soon (and resume): the connection nears API Gateway's 2-hour cut. */
export interface GoawayFrame {
  type: 'goaway';
  reason: 'max_duration';
  /** When API Gateway closes the connection, epoch milliseconds. */
  closeAt: number;
}

export type ServerFrame = ErrorFrame | PongFrame | AckFrame | MessageFrame | WelcomeFrame | StateFrame | GoawayFrame;

/**
 * Every server frame type, its fields and when it is sent: the table of docs/protocol.md
 * ("Server frames", `npm run docs`). Keyed by `ServerFrame['type']`, so a new frame type needs its row.
 */
export const SERVER_FRAME_TYPES: Readonly<Record<ServerFrame['type'], { fields: string; when: string }>> = {
  pong: { fields: '`id?`, `ts`', when: 'answer to `ping`' },
  ack: { fields: '`action`, `id?`, and what the action reports', when: 'an action with no other answer succeeded (`auth`, `subscribe`, `unsubscribe`, `publish`, `broadcast`)' },
  message: {
    fields: '`channel`, `seq`, `id`, `data`; to a single connection only `id` and `data`',
    when: 'a message published to a channel the connection is in, or sent to the connection',
  },
  welcome: { fields: '`sessionId`, `resumeToken`, `resumeWindowSeconds`, `heartbeatSeconds`, `state`, `version`', when: 'answer to `hello`' },
  resumed: { fields: 'as `welcome`', when: 'answer to `resume`' },
  adopted: { fields: 'as `welcome`, `adoptedFrom`', when: "answer to `adopt`: the connection's session now holds the guest's state (or the one the resolution named)" },
  state: { fields: '`state`, `version`', when: 'answer to `state.get`, `state.set`' },
  goaway: { fields: '`reason`, `closeAt`', when: "the connection nears API Gateway's 2-hour cut" },
  error: {
    fields: '`code`, `message`, `retryable`, `id?`, `requestId?` (`INTERNAL`), `reason?` (`SESSION_EVICTED`, `SESSION_REVOKED`, `DISCONNECTED`)',
    when: 'the request could not be served; the connection stays open (but see `RATE_LIMITED`, and the closing codes `SESSION_EVICTED`, `SESSION_REVOKED`, `DISCONNECTED`)',
  },
};

export const ACTION_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
const MAX_REQUEST_ID_LENGTH = 128;
/** API Gateway's limit on a client message; a larger body is refused here too, whatever sits in front. */
export const MAX_MESSAGE_BYTES = 128 * 1024;
/**
 * How deep a client frame may nest, the frame object itself being level 1 (so `data` and `state` may
 * nest 31 levels of their own). Far below what a Lambda's stack allows a recursive JSON.stringify
 * (about 4,000 levels), and DynamoDB's own nesting limit (32), should a field ever be stored as a map.
 */
export const MAX_FRAME_DEPTH = 32;
/**
 * Characters no string in a frame (key or value) may hold, nor any queue record: lone surrogates (no
 * UTF-8 encoding exists; other clients' decoders choke on them) and Unicode's 66 non-characters
 * (U+FDD0–U+FDEF and the last two code points of every plane). JSON.stringify escapes lone surrogates
 * and U+0000–U+001F, but writes non-characters as they are, and SQS refuses U+FFFE and U+FFFF in a
 * message body (InvalidMessageContents): this rule is the superset that keeps both clients and SQS safe.
 */
const FORBIDDEN_CHARACTER = /[\p{Cs}\p{Noncharacter_Code_Point}]/u;

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
} & Pick<ErrorFrame, 'channel' | 'lost' | 'state' | 'version' | 'requestId' | 'guest' | 'mine' | 'reason'>): ErrorFrame {
  return id === undefined ? { type: 'error', code, message, retryable, ...extra } : { type: 'error', code, message, retryable, id, ...extra };
}

const readRequestId = (value: unknown): RequestId | undefined => {
  if (typeof value === 'string' && value.length > 0 && value.length <= MAX_REQUEST_ID_LENGTH && !FORBIDDEN_CHARACTER.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  return undefined;
};

/**
 * What is wrong with a parsed frame as a whole, if anything: nesting deeper than MAX_FRAME_DEPTH, a
 * string or key holding a lone surrogate or a non-character, a number JSON.parse could not represent
 * (`1e400` becomes Infinity).
 */
export const frameProblem = (value: unknown): string | undefined => jsonProblem(value, { maxDepth: MAX_FRAME_DEPTH, name: 'the message' });

/**
 * What is wrong with a JSON value against the rules every frame keeps, if anything: nesting deeper
 * than `maxDepth` (the value itself being level 1), a string or key holding a lone surrogate or a
 * non-character, a number that is not finite. The one rule for client frames, queue records and the
 * publisher's `data`. Walks the value without recursion, so no input can exhaust the stack.
 *
 * @example
 * jsonProblem({ note: '\uFFFF' }, { maxDepth: 31, name: 'data' }); // 'strings must not contain lone surrogates or non-characters (…)'
 */
export function jsonProblem(value: unknown, { maxDepth, name }: { maxDepth: number; name: string }): string | undefined {
  const pending: Array<[unknown, number]> = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item === 'string') {
      if (FORBIDDEN_CHARACTER.test(item)) return 'strings must not contain lone surrogates or non-characters (U+FFFE, U+FFFF, U+FDD0–U+FDEF, …)';
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) return 'numbers must be finite (within ±1.8e308)';
    } else if (typeof item === 'object' && item !== null) {
      if (depth > maxDepth) return `${name} nests deeper than ${maxDepth} levels`;
      if (Array.isArray(item)) {
        for (const element of item) pending.push([element, depth + 1]);
      } else {
        for (const [key, field] of Object.entries(item)) {
          if (FORBIDDEN_CHARACTER.test(key)) return 'keys must not contain lone surrogates or non-characters (U+FFFE, U+FFFF, U+FDD0–U+FDEF, …)';
          pending.push([field, depth + 1]);
        }
      }
    }
  }
  return undefined;
}

/**
 * Parses a MESSAGE body. Anything that is not a JSON object with a well-formed `action`, or that
 * breaks a rule every frame keeps (at most MAX_MESSAGE_BYTES, at most MAX_FRAME_DEPTH levels, no lone
 * surrogates or non-characters, finite numbers), yields a `BAD_MESSAGE` error frame (carrying the
 * request `id` when one could be read). Never throws.
 *
 * @example
 * const parsed = parseClientFrame('{"action":"ping","id":1}'); // { ok: true, frame: { action: 'ping', id: 1 } }
 */
export function parseClientFrame(body: string | null | undefined): ParseResult {
  const bad = (message: string, id?: RequestId): ParseResult => ({
    ok: false,
    error: errorFrame({ code: 'BAD_MESSAGE', message, id }),
  });
  if (body === null || body === undefined || body === '') return bad('empty message');
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_MESSAGE_BYTES) return bad(`the message is ${bytes} bytes; at most ${MAX_MESSAGE_BYTES}`);
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
  const problem = frameProblem(record);
  if (problem) return bad(problem, id);
  return { ok: true, frame: { ...record, action: record.action, id } };
}

/** How a documented field of a built-in action is typed: `whole` is a safe integer ≥ 0, `json` any JSON value. */
type FieldKind = 'string' | 'whole' | 'object' | 'json';
interface FieldRule {
  kind: FieldKind;
  required?: boolean;
  /** The error message when the field is missing (if required) or of another kind. */
  rule: string;
}

const CHANNEL_FIELD: FieldRule = { kind: 'string', required: true, rule: '"channel" must be a channel name (a string)' };
const DATA_FIELD: FieldRule = { kind: 'json', required: true, rule: '"data" is required (any JSON value)' };

/** The documented fields of the built-in actions (docs/protocol.md); other fields are ignored. */
export const ACTION_FIELDS: Readonly<Record<string, Readonly<Record<string, FieldRule>>>> = {
  ping: {},
  hello: {},
  'state.get': {},
  auth: { token: { kind: 'string', required: true, rule: '"token" must be a non-empty string' } },
  subscribe: { channel: CHANNEL_FIELD, since: { kind: 'whole', rule: '"since" must be a whole number ≥ 0 (the last sequence number seen)' } },
  unsubscribe: { channel: CHANNEL_FIELD },
  publish: { channel: CHANNEL_FIELD, data: DATA_FIELD },
  broadcast: { data: DATA_FIELD },
  'state.set': {
    version: { kind: 'whole', required: true, rule: '"version" must be the version you read (a whole number ≥ 0)' },
    state: { kind: 'json', required: true, rule: '"state" is required (any JSON value)' },
  },
  resume: {
    sessionId: { kind: 'string', required: true, rule: '"sessionId" is malformed' },
    resumeToken: { kind: 'string', rule: '"resumeToken" must be the string `welcome` gave' },
    channels: { kind: 'object', rule: '"channels" must be an object of channel → last sequence number seen' },
  },
  adopt: {
    sessionId: { kind: 'string', required: true, rule: '"sessionId" must be the guest\'s session id' },
    resumeToken: { kind: 'string', required: true, rule: '"resumeToken" must be the guest\'s resume token (the string its `welcome` gave)' },
    channels: { kind: 'object', rule: '"channels" must be an object of channel → last sequence number seen' },
    keep: { kind: 'string', rule: '"keep" must be "guest" or "mine"' },
    state: { kind: 'json', rule: '"state" is the merged state (any JSON value)' },
    versions: { kind: 'object', rule: '"versions" must be {"guest": <version>, "mine": <version>}' },
  },
};

/**
 * Actions only a signed-in connection may perform: a guest's (an anonymous identity's) is refused
 * with `FORBIDDEN` before the action runs.
 */
export const SIGNED_IN_ACTIONS: ReadonlySet<string> = new Set(['adopt']);

const fitsKind = (value: unknown, kind: FieldKind): boolean => {
  switch (kind) {
    case 'string':
      return typeof value === 'string' && value !== '';
    case 'whole':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'json':
      return true;
  }
};

/**
 * The first documented field of a built-in action that is missing (when required) or of the wrong
 * kind, as the `BAD_MESSAGE` text; undefined when the fields fit or the action is not a built-in one.
 * The actions check the finer rules (a channel's pattern, a version against the store).
 *
 * @example
 * fieldProblem({ action: 'subscribe', channel: 'news', since: -1 }); // '"since" must be a whole number ≥ 0 …'
 */
export function fieldProblem(frame: ClientFrame): string | undefined {
  const fields = Object.hasOwn(ACTION_FIELDS, frame.action) ? ACTION_FIELDS[frame.action] : undefined;
  if (!fields) return undefined;
  for (const [name, { kind, required, rule }] of Object.entries(fields)) {
    const value = Object.hasOwn(frame, name) ? frame[name] : undefined;
    if (value === undefined ? required : !fitsKind(value, kind)) return rule;
  }
  return undefined;
}
