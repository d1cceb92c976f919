import { createHash } from 'node:crypto';
import { BROADCAST_CHANNEL, CLIENT_CHANNEL_PATTERN, tenantChannel, userChannel } from './channel-names';
import { MAX_FRAME_DEPTH, jsonProblem, type RequestId } from './frames';
import { ID_PATTERN } from './identity';
import type { QueueEntry } from './sqs-batch';

/**
 * The fan-out queue's message schema, version 1 (docs/fanout.md). Publishers write `publish`
 * records (or `publishes`: several messages to one target in one record); the planner turns each
 * into `deliver` records of connection ids. `disconnect` records close connections.
 */
export type Target =
  | { type: 'channel'; channel: string }
  | { type: 'user'; userId: string }
  | { type: 'tenant'; tenantId: string }
  | { type: 'broadcast' }
  | { type: 'connection'; connectionId: string };

export interface PublishRecord {
  v: 1;
  kind: 'publish';
  /** Unique per message: the idempotency key. */
  id: string;
  target: Target;
  data: unknown;
  /** Epoch milliseconds. */
  publishedAt: number;
}

/** Most messages one `publishes` record carries. */
export const MAX_PUBLISHES_PER_RECORD = 100;

/** One message of a `publishes` record: a `publish` record's own fields. */
export interface PublishedMessage {
  /** Unique per message: the idempotency key. */
  id: string;
  data: unknown;
  /** Epoch milliseconds. */
  publishedAt: number;
}

/**
 * Several messages to one target in one record, in order (the publisher library packs the calls of
 * one tick to one target): each is planned exactly as the `publish` record of its own fields would
 * be, with its own id as the idempotency key. The record's `id` is `publishesIdOf` its messages'
 * ids, its SQS deduplication id `publishesDeduplicationIdOf` that.
 */
export interface PublishesRecord {
  v: 1;
  kind: 'publishes';
  id: string;
  target: Target;
  /** 1 to MAX_PUBLISHES_PER_RECORD messages, their ids distinct. */
  messages: PublishedMessage[];
}

/**
 * A `publishes` record's id: `p-` and 40 hex digits of the SHA-256 of its messages' ids, so the same
 * messages make the same record (SQS deduplicates a retried send).
 *
 * @example
 * publishesIdOf(['m-1', 'm-2']); // 'p-3b0c…'
 */
export const publishesIdOf = (ids: readonly string[]): string => `p-${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 40)}`;

/**
 * A `publishes` record's SQS deduplication id: `publishes:` and its id, apart from every message id
 * (which has no `:`), so SQS never takes a message for a record of others, or the reverse.
 */
export const publishesDeduplicationIdOf = (id: string): string => `publishes:${id}`;

/** The `publish` records a `publish` or `publishes` record stands for, in order. */
export const publishesOf = (record: PublishRecord | PublishesRecord): PublishRecord[] =>
  record.kind === 'publish'
    ? [record]
    : record.messages.map(({ id, data, publishedAt }) => ({ v: 1, kind: 'publish', id, target: record.target, data, publishedAt }));

export interface DeliverRecord {
  v: 1;
  kind: 'deliver';
  id: string;
  /** The frame to post, serialized once by the planner. */
  frame?: string;
  /** Or several frames to post in order to each connection: a replay (one connection), or a run of a channel's messages. */
  frames?: string[];
  /** Which of the channel's delivery groups this record belongs to. */
  partition: number;
  connectionIds: string[];
}

/**
 * A connection joining a channel, written in the channel's group so it is handled in order with the
 * channel's publishes: by the `subscribe` action (with `ack`) and, through a `resume` record, by the
 * `resume` action. The planner subscribes the connection (a channel of the client's choosing), reads
 * the head, and enqueues, in the connection's deliver group of the channel, the ack (seq = that head)
 * and the log after `after` up to the head: so the answer and the replay come before any later message.
 */
export interface JoinRecord {
  v: 1;
  kind: 'join';
  id: string;
  connectionId: string;
  channel: string;
  /** The last sequence number the client saw; absent: nothing to replay (a `subscribe` without `since`). */
  after?: number;
  /** Subscribe (a channel of the client's choosing) or not (an implicit channel). */
  subscribe: boolean;
  /** When the subscription expires with its connection, epoch s. */
  expiresAt: number;
  maxSubscriptions: number;
  /** At most this many log entries are replayed (the join's share of its request's budget); the rest is named by a `RESUME_GAP`. */
  limit: number;
  /** A `subscribe` is answered by the planner: the ack, with the request's id. */
  ack?: { id?: RequestId };
}

/**
 * A `resume` whose answer is due: the planner posts `frame` (the `resumed` frame) to the connection,
 * then enqueues the joins, so every replayed frame comes after the answer. Written by the `resume`
 * action in the connection's own group (`connection:{id}`).
 */
export interface ResumeRecord {
  v: 1;
  kind: 'resume';
  id: string;
  connectionId: string;
  frame: string;
  joins: JoinRecord[];
}

/**
 * Whose connections a `disconnect` record closes: one connection, every connection of a user, or a
 * user's connections authorised with one session (their `sid`, the connection item's `sessionId`).
 */
export type DisconnectTarget = { type: 'connection'; connectionId: string } | { type: 'user'; userId: string; sessionId?: string };

/**
 * Closes live connections: each matching connection gets an `error` frame (`SESSION_EVICTED`,
 * `SESSION_REVOKED`, or `DISCONNECTED` with a backend's own `reason`), is closed (DeleteConnection),
 * its items are removed and its resumable session closed, so a `resume` of it is refused. Written by
 * the publisher's `disconnect` (and so by the user sessions' `closeSocketsOnSessionEnd`); idempotent.
 */
export interface DisconnectRecord {
  v: 1;
  kind: 'disconnect';
  id: string;
  target: DisconnectTarget;
  /** `SESSION_EVICTED`, `SESSION_REVOKED` or a backend's own ({@link DISCONNECT_REASON_PATTERN}). */
  reason: string;
  /** Epoch milliseconds. */
  requestedAt: number;
}

export type QueueRecord = PublishRecord | PublishesRecord | DeliverRecord | JoinRecord | ResumeRecord | DisconnectRecord;

/** The reasons with an error code of their own; any other reason is sent as `DISCONNECTED` with the reason beside it. */
export const SESSION_END_REASONS = ['SESSION_EVICTED', 'SESSION_REVOKED'] as const;
/** A disconnect's reason: 1–64 characters of `A–Z 0–9 _`, starting with a letter (an error code's shape). */
export const DISCONNECT_REASON_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

/** The error code a disconnect's reason is sent with. */
export const disconnectCodeOf = (reason: string): 'SESSION_EVICTED' | 'SESSION_REVOKED' | 'DISCONNECTED' =>
  (SESSION_END_REASONS as readonly string[]).includes(reason) ? (reason as 'SESSION_EVICTED' | 'SESSION_REVOKED') : 'DISCONNECTED';

/**
 * The channel key a disconnect is ordered on: the user's channel for a user target (after the
 * messages published to the user before it), the connection's own key for one connection.
 */
export const disconnectKeyOf = (target: DisconnectTarget): string =>
  target.type === 'user' ? channelKeyOf({ type: 'user', userId: target.userId }) : channelKeyOf(target);

/** The queue entry of a disconnect record, deduplicated by its id. */
export const disconnectEntry = (record: DisconnectRecord): QueueEntry => ({
  body: JSON.stringify(record),
  groupId: groupIdOf(disconnectKeyOf(record.target)),
  deduplicationId: record.id,
});

/** At most this many log entries are replayed by one join, whatever its record says. */
export const MAX_REPLAY = 10_000;

export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
/**
 * A connection id (API Gateway's): printable ASCII, no spaces, at most 256 characters. User, tenant
 * and session ids follow the identity's rule ({@link ID_PATTERN}): any id a token may carry can be a
 * target.
 */
export const CONNECTION_ID_PATTERN = /^[\x21-\x7e]{1,256}$/;

/**
 * The channel key a target publishes on: the channel itself, `user:{id}`, `tenant:{id}`,
 * `broadcast:all`; a single connection has no channel (no sequence, no log) and the key
 * `connection:{id}` only groups its messages.
 */
export function channelKeyOf(target: Target): string {
  switch (target.type) {
    case 'channel':
      return target.channel;
    case 'user':
      return userChannel(target.userId);
    case 'tenant':
      return tenantChannel(target.tenantId);
    case 'broadcast':
      return BROADCAST_CHANNEL;
    case 'connection':
      return `connection:${target.connectionId}`;
  }
}

/** The FIFO message group of a channel key: lowercase hex SHA-256 (any key fits the 128-character limit). */
export const groupIdOf = (channelKey: string): string => createHash('sha256').update(channelKey).digest('hex');

/** The group of a channel's deliver records for one partition of its audience. */
export const deliverGroupIdOf = (channelKey: string, partition: number): string => `${groupIdOf(channelKey)}.${partition}`;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a target, or says what is wrong with it. */
export function readTarget(value: unknown): { ok: true; target: Target } | { ok: false; problem: string } {
  if (!isObject(value)) return { ok: false, problem: 'target must be an object' };
  const id = (field: string, pattern = ID_PATTERN): string | undefined => {
    const raw = value[field];
    return typeof raw === 'string' && pattern.test(raw) ? raw : undefined;
  };
  switch (value.type) {
    case 'channel': {
      const channel = value.channel;
      if (typeof channel !== 'string' || !CLIENT_CHANNEL_PATTERN.test(channel)) return { ok: false, problem: 'target.channel is malformed' };
      return { ok: true, target: { type: 'channel', channel } };
    }
    case 'user': {
      const userId = id('userId');
      return userId ? { ok: true, target: { type: 'user', userId } } : { ok: false, problem: 'target.userId is malformed' };
    }
    case 'tenant': {
      const tenantId = id('tenantId');
      return tenantId ? { ok: true, target: { type: 'tenant', tenantId } } : { ok: false, problem: 'target.tenantId is malformed' };
    }
    case 'broadcast':
      return { ok: true, target: { type: 'broadcast' } };
    case 'connection': {
      const connectionId = id('connectionId', CONNECTION_ID_PATTERN);
      return connectionId ? { ok: true, target: { type: 'connection', connectionId } } : { ok: false, problem: 'target.connectionId is malformed' };
    }
    default:
      return { ok: false, problem: 'target.type must be channel, user, tenant, broadcast or connection' };
  }
}

/**
 * Parses a queue message body. Anything that is not a well-formed v1 record is a poison message:
 * the answer says why, and the consumer moves it to the dead-letter queue. A record keeps the rules of
 * a client frame (`jsonProblem`): no lone surrogate or non-character in any string or key (SQS refuses
 * a raw U+FFFE or U+FFFF; JSON's `\udxxx` escapes let lone surrogates through it), finite numbers, at
 * most MAX_FRAME_DEPTH levels, the record being the first (so a publish's `data` may nest 31 levels of
 * its own, as a client's may).
 */
export function parseQueueRecord(body: string): { ok: true; record: QueueRecord } | { ok: false; problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, problem: 'body is not JSON' };
  }
  if (!isObject(parsed)) return { ok: false, problem: 'body must be a JSON object' };
  const problem = jsonProblem(parsed, { maxDepth: MAX_FRAME_DEPTH, name: 'the record' });
  if (problem) return { ok: false, problem };
  if (parsed.v !== 1) return { ok: false, problem: 'v must be 1' };
  if (typeof parsed.id !== 'string' || !MESSAGE_ID_PATTERN.test(parsed.id)) return { ok: false, problem: 'id is malformed' };
  if (parsed.kind === 'publish') {
    const target = readTarget(parsed.target);
    if (!target.ok) return target;
    const problem = publishedProblem(parsed);
    if (problem) return { ok: false, problem };
    return { ok: true, record: { v: 1, kind: 'publish', id: parsed.id, target: target.target, data: parsed.data, publishedAt: parsed.publishedAt as number } };
  }
  if (parsed.kind === 'publishes') {
    const target = readTarget(parsed.target);
    if (!target.ok) return target;
    const { messages } = parsed;
    if (!Array.isArray(messages) || messages.length === 0 || messages.length > MAX_PUBLISHES_PER_RECORD) {
      return { ok: false, problem: `messages must be an array of 1 to ${MAX_PUBLISHES_PER_RECORD} messages` };
    }
    const ids = new Set<string>();
    for (const [n, message] of messages.entries()) {
      if (!isObject(message)) return { ok: false, problem: `messages[${n}] must be an object` };
      if (typeof message.id !== 'string' || !MESSAGE_ID_PATTERN.test(message.id)) return { ok: false, problem: `messages[${n}].id is malformed` };
      if (ids.has(message.id)) return { ok: false, problem: `messages[${n}].id repeats an earlier message's id` };
      ids.add(message.id);
      const problem = publishedProblem(message);
      if (problem) return { ok: false, problem: `messages[${n}]: ${problem}` };
    }
    const read = (messages as Array<Record<string, unknown>>).map(({ id, data, publishedAt }) => ({ id: id as string, data, publishedAt: publishedAt as number }));
    return { ok: true, record: { v: 1, kind: 'publishes', id: parsed.id, target: target.target, messages: read } };
  }
  if (parsed.kind === 'join') return readJoin(parsed);
  if (parsed.kind === 'disconnect') return readDisconnect(parsed, parsed.id);
  if (parsed.kind === 'resume') {
    const { connectionId, frame, joins } = parsed;
    if (typeof connectionId !== 'string' || !CONNECTION_ID_PATTERN.test(connectionId)) return { ok: false, problem: 'connectionId is malformed' };
    if (typeof frame !== 'string' || frame === '') return { ok: false, problem: 'frame must be a non-empty string' };
    if (!Array.isArray(joins)) return { ok: false, problem: 'joins must be a list' };
    const read: JoinRecord[] = [];
    for (const join of joins) {
      const result = isObject(join) && join.kind === 'join' ? readJoin(join) : ({ ok: false, problem: 'a join is malformed' } as const);
      if (!result.ok) return result;
      if (result.record.connectionId !== connectionId) return { ok: false, problem: 'a join is for another connection' };
      read.push(result.record);
    }
    return { ok: true, record: { v: 1, kind: 'resume', id: parsed.id, connectionId, frame, joins: read } };
  }
  if (parsed.kind === 'deliver') {
    const { partition, connectionIds } = parsed;
    const frames = parsed.frames;
    const frame = parsed.frame;
    const oneFrame = typeof frame === 'string' && frame !== '';
    const manyFrames = Array.isArray(frames) && frames.length > 0 && frames.every((f) => typeof f === 'string' && f !== '');
    if (oneFrame === manyFrames) return { ok: false, problem: 'frame must be a non-empty string' };
    if (typeof partition !== 'number' || !Number.isSafeInteger(partition) || partition < 0) return { ok: false, problem: 'partition is malformed' };
    if (!Array.isArray(connectionIds) || connectionIds.length === 0 || !connectionIds.every((c) => typeof c === 'string' && CONNECTION_ID_PATTERN.test(c))) {
      return { ok: false, problem: 'connectionIds must be a non-empty list of ids' };
    }
    return {
      ok: true,
      record: { v: 1, kind: 'deliver', id: parsed.id, ...(oneFrame ? { frame: frame as string } : { frames: frames as string[] }), partition, connectionIds: connectionIds as string[] },
    };
  }
  return { ok: false, problem: 'kind must be publish, publishes, deliver, join, resume or disconnect' };
}

/** What is wrong with a message's `data` and `publishedAt` (a `publish` record's, a `publishes` record's message), if anything. */
function publishedProblem(message: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(message, 'data') || message.data === undefined) return 'data is missing';
  if (typeof message.publishedAt !== 'number' || !Number.isSafeInteger(message.publishedAt) || message.publishedAt < 0) return 'publishedAt must be epoch milliseconds';
  return undefined;
}

/** Reads a disconnect target, or says what is wrong with it. */
export function readDisconnectTarget(value: unknown): { ok: true; target: DisconnectTarget } | { ok: false; problem: string } {
  if (!isObject(value)) return { ok: false, problem: 'target must be an object' };
  if (value.type === 'connection') {
    const read = readTarget(value);
    return read.ok ? { ok: true, target: read.target as DisconnectTarget } : read;
  }
  if (value.type !== 'user') return { ok: false, problem: 'target.type must be connection or user' };
  const read = readTarget({ type: 'user', userId: value.userId });
  if (!read.ok) return read;
  const { userId } = read.target as { userId: string };
  if (value.sessionId === undefined) return { ok: true, target: { type: 'user', userId } };
  if (typeof value.sessionId !== 'string' || !ID_PATTERN.test(value.sessionId)) return { ok: false, problem: 'target.sessionId is malformed' };
  return { ok: true, target: { type: 'user', userId, sessionId: value.sessionId } };
}

/** Reads a disconnect reason, or says what is wrong with it. */
export const disconnectReasonProblem = (reason: unknown): string | undefined =>
  typeof reason === 'string' && DISCONNECT_REASON_PATTERN.test(reason) ? undefined : 'reason must be SESSION_EVICTED, SESSION_REVOKED or 1–64 characters of A–Z 0–9 _ starting with a letter';

function readDisconnect(parsed: Record<string, unknown>, id: string): { ok: true; record: DisconnectRecord } | { ok: false; problem: string } {
  const target = readDisconnectTarget(parsed.target);
  if (!target.ok) return target;
  const problem = disconnectReasonProblem(parsed.reason);
  if (problem) return { ok: false, problem };
  if (!whole(parsed.requestedAt)) return { ok: false, problem: 'requestedAt must be epoch milliseconds' };
  return { ok: true, record: { v: 1, kind: 'disconnect', id, target: target.target, reason: parsed.reason as string, requestedAt: parsed.requestedAt } };
}

const whole = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isRequestId = (id: unknown): id is RequestId =>
  (typeof id === 'string' && id.length > 0 && id.length <= 128) || (typeof id === 'number' && Number.isSafeInteger(id));

/** Reads a join record (alone, or inside a resume record). */
function readJoin(parsed: Record<string, unknown>): { ok: true; record: JoinRecord } | { ok: false; problem: string } {
  const { id, connectionId, channel, after, subscribe, expiresAt, maxSubscriptions, ack } = parsed;
  // Records written before `limit` existed replay what they always could.
  const limit = parsed.limit ?? MAX_REPLAY;
  if (typeof id !== 'string' || !MESSAGE_ID_PATTERN.test(id)) return { ok: false, problem: 'id is malformed' };
  if (typeof connectionId !== 'string' || !CONNECTION_ID_PATTERN.test(connectionId)) return { ok: false, problem: 'connectionId is malformed' };
  // Code points, as the schema's maxLength counts: `user:{id}` of any id fits (an id is at most 256).
  if (typeof channel !== 'string' || channel === '' || [...channel].length > 300) return { ok: false, problem: 'channel is malformed' };
  if ((after !== undefined && !whole(after)) || !whole(expiresAt) || !whole(maxSubscriptions) || typeof subscribe !== 'boolean') return { ok: false, problem: 'join fields are malformed' };
  if (!whole(limit) || limit > MAX_REPLAY) return { ok: false, problem: `limit must be a whole number up to ${MAX_REPLAY}` };
  if (ack !== undefined && !(isObject(ack) && (ack.id === undefined || isRequestId(ack.id)))) return { ok: false, problem: 'ack is malformed' };
  return {
    ok: true,
    record: {
      v: 1,
      kind: 'join',
      id,
      connectionId,
      channel,
      ...(after === undefined ? {} : { after }),
      subscribe,
      expiresAt,
      maxSubscriptions,
      limit,
      ...(ack === undefined ? {} : { ack: ack.id === undefined ? {} : { id: ack.id as RequestId } }),
    },
  };
}

/** The queue entry of a join: in the channel's publish group, deduplicated by its id. */
export const joinEntry = (join: JoinRecord): QueueEntry => ({ body: JSON.stringify(join), groupId: groupIdOf(join.channel), deduplicationId: join.id });

/** The queue entry of a resume record: in the connection's own group. */
export const resumeEntry = (resume: ResumeRecord): QueueEntry => ({
  body: JSON.stringify(resume),
  groupId: groupIdOf(`connection:${resume.connectionId}`),
  deduplicationId: resume.id,
});

/** Byte length of a value's JSON text: what the payload cap measures. */
export const payloadBytes = (data: unknown): number => Buffer.byteLength(JSON.stringify(data) ?? '', 'utf8');
