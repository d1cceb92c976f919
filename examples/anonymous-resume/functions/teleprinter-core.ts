import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigError } from '../../../packages/contract/src/config-error';
import { readIntegerSetting, readStringSetting } from '../../../packages/contract/src/settings';
import { SESSION_PREFIX, USER_INDEX, connectionKey, userPk } from '../../../packages/contract/src/table-keys';
import type { Session, SetStateResult } from '../../../packages/contract/src/session-item';
import { CONNECTION_TTL_SECONDS, TELEPRINTER_INTERVAL_MS, TELEPRINTER_TEXT } from './teleprinter.settings';

/** Epoch seconds, the unit of the table's `ttl`. */
const nowSeconds = (nowMs: number): number => Math.floor(nowMs / 1000);

/** The opening of the Gettysburg Address (1863, public domain): 176 characters, 17.6 s at 100 ms. */
export const DEFAULT_TEXT =
  'Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in Liberty, and dedicated to the proposition that all men are created equal.';

/**
 * API Gateway gives up on an integration after 29 s (the client then gets an error frame), so a whole
 * stream, run inside the `teleprinter` route's invocation, must fit well within that.
 */
export const STREAM_BUDGET_MS = 25_000;
/** API Gateway's integration timeout: a stream still running then would earn the client an error frame. */
export const INTEGRATION_TIMEOUT_MS = 29_000;

export interface TeleprinterConfig {
  /** The text, one Unicode code point per frame. */
  characters: string[];
  intervalMs: number;
  /** How long a session linked to a connection lives (as its connection's item). */
  connectionTtlSeconds: number;
  /** How long a new stream waits for the previous connection's stream to save its cursor. */
  handoffMs: number;
}

/**
 * Reads TELEPRINTER_TEXT (default: {@link DEFAULT_TEXT}), TELEPRINTER_INTERVAL_MS (1–10000, default
 * 100) and CONNECTION_TTL_SECONDS (default 7800, as the module's connections). Throws `ConfigError`.
 */
export function readTeleprinterConfig(env: Record<string, string | undefined> = process.env): TeleprinterConfig {
  const intervalMs = readIntegerSetting(TELEPRINTER_INTERVAL_MS, env);
  const characters = Array.from(readStringSetting(TELEPRINTER_TEXT, env) ?? DEFAULT_TEXT);
  const streamMs = characters.length * intervalMs;
  if (streamMs > STREAM_BUDGET_MS) {
    throw new ConfigError(
      `TELEPRINTER_TEXT (${characters.length} characters) at TELEPRINTER_INTERVAL_MS=${intervalMs} takes ${streamMs} ms to print; ` +
        `API Gateway ends an integration after 29 s, so keep characters × interval within ${STREAM_BUDGET_MS} ms`,
    );
  }
  return {
    characters,
    intervalMs,
    connectionTtlSeconds: readIntegerSetting(CONNECTION_TTL_SECONDS, env),
    handoffMs: 2 * intervalMs + 2_000,
  };
}

/**
 * The teleprinter's part of a session's state. `streaming` names the connection a stream is running
 * on; it is cleared when that stream stops (and saves `cursor`). Other keys of the state are kept.
 */
export interface TeleprinterState {
  cursor: number;
  streaming?: string;
}

const asObject = (state: unknown): Record<string, unknown> =>
  typeof state === 'object' && state !== null && !Array.isArray(state) ? (state as Record<string, unknown>) : {};

/** Where to start: the stored cursor, or 0 when absent, malformed or past the end (the text changed). */
export function cursorOf(state: unknown, length: number): number {
  const cursor = asObject(state).cursor;
  return typeof cursor === 'number' && Number.isSafeInteger(cursor) && cursor >= 0 && cursor < length ? cursor : 0;
}

export function streamerOf(state: unknown): string | undefined {
  const streaming = asObject(state).streaming;
  return typeof streaming === 'string' ? streaming : undefined;
}

/** The state with the teleprinter's fields replaced (no `streaming` key when `streaming` is undefined). */
export function withCursor(state: unknown, cursor: number, streaming?: string): Record<string, unknown> {
  const { streaming: _previous, ...rest } = asObject(state);
  return streaming === undefined ? { ...rest, cursor } : { ...rest, cursor, streaming };
}

/**
 * The id of the user's most recent live session: Query GSI1 `USER#{userId}` with
 * `begins_with(GSI1SK, 'SESSION#')`, unexpired ones, the latest `createdAt`. The index is eventually
 * consistent; the caller reads the session itself through the store.
 */
export async function latestSessionId(
  { client, tableName }: { client: DynamoDBDocumentClient; tableName: string },
  userId: string,
  now: number,
): Promise<string | undefined> {
  let latest: { sessionId: string; createdAt: number } | undefined;
  let startKey: Record<string, unknown> | undefined;
  // A user's sessions are few (they expire with the resume window); ten pages is a generous bound.
  for (let page = 0; page < 10; page += 1) {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: USER_INDEX,
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
        FilterExpression: '#ttl > :now',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': SESSION_PREFIX, ':now': nowSeconds(now) },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of result.Items ?? []) {
      const createdAt = typeof item.createdAt === 'number' ? item.createdAt : 0;
      if (typeof item.sessionId === 'string' && (!latest || createdAt > latest.createdAt)) latest = { sessionId: item.sessionId, createdAt };
    }
    startKey = result.LastEvaluatedKey;
    if (!startKey) break;
  }
  return latest?.sessionId;
}

/** The connection item's attribute holding the request id of the stream running on it. */
export const STREAM_LOCK_ATTRIBUTE = 'teleprinterStream';

export interface ConnectionLock {
  /** `locked`: this request may stream; `busy`: another one already streams on the connection; `gone`: no such connection. */
  acquire(connectionId: string, token: string): Promise<'locked' | 'busy' | 'gone'>;
  release(connectionId: string, token: string): Promise<void>;
}

/**
 * One stream per connection, on the connection's own item (deleted by its $disconnect, so a lock never
 * outlives its connection): a conditional UpdateItem sets {@link STREAM_LOCK_ATTRIBUTE}, another removes it.
 */
export function createConnectionLock({ client, tableName }: { client: DynamoDBDocumentClient; tableName: string }): ConnectionLock {
  const names = { '#lock': STREAM_LOCK_ATTRIBUTE };
  return {
    async acquire(connectionId, token) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: connectionKey(connectionId),
            UpdateExpression: 'SET #lock = :token',
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#lock)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':token': token },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return 'locked';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return error.Item ? 'busy' : 'gone';
        throw error;
      }
    },
    async release(connectionId, token) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: connectionKey(connectionId),
            UpdateExpression: 'REMOVE #lock',
            ConditionExpression: '#lock = :token',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':token': token },
          }),
        );
      } catch (error) {
        // The connection's item is gone (its $disconnect ran): nothing left to release.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}

/** The session writes a stream makes (teleprinter-sessions.ts: the contract's requests, sent with the AWS SDK). */
export interface TeleprinterSessions {
  /** A new active session linked to the connection. */
  create(params: { userId: string; connectionId: string; expiresAt: number; now: number }): Promise<Session>;
  /** The session, or undefined when absent or past its TTL. */
  get(sessionId: string, nowSeconds: number): Promise<Session | undefined>;
  /** Links the user's session to this connection; undefined when it is not the user's or has expired. */
  attach(params: { sessionId: string; userId: string; connectionId: string; expiresAt: number; nowSeconds: number }): Promise<Session | undefined>;
  /** Writes the state if the version is still `expectedVersion`. */
  setState(params: { sessionId: string; expectedVersion: number; state: unknown; nowSeconds: number }): Promise<SetStateResult>;
}

export interface TeleprinterDeps {
  sessions: TeleprinterSessions;
  lock: ConnectionLock;
  /** The user's most recent live session id (see {@link latestSessionId}). */
  latestSessionId(userId: string, now: number): Promise<string | undefined>;
  /** PostToConnection of one frame to the calling connection; `'gone'` on 410. */
  post(data: string): Promise<'sent' | 'gone'>;
  sleep(ms: number): Promise<void>;
  /** Epoch ms. */
  now(): number;
  /**
   * Time left before the invocation must end: the lesser of Lambda's `getRemainingTimeInMillis()` and
   * what is left of API Gateway's integration timeout since the request arrived.
   */
  remainingMs(): number;
}

export type TeleprinterOutcome = {
  /** Absent when nothing was streamed (`duplicate`, or a connection gone before the start). */
  sessionId?: string;
  /**
   * `finished`: the whole text was sent (the cursor is back to 0); `gone`: the connection went away
   * (the cursor is saved); `duplicate`: a stream already runs on this connection, nothing sent;
   * `out_of_time`: the invocation was about to time out (the cursor is saved); `contended`: other
   * streams claimed the session twice while this one tried to, nothing sent.
   */
  result: 'finished' | 'gone' | 'duplicate' | 'out_of_time' | 'contended';
  /** Cursor it started from and stopped at (characters [from, to) were accepted by API Gateway). */
  from: number;
  to: number;
  /** Whether the cursor it stopped at was written (false when another stream owns the session by then). */
  saved: boolean;
};

/**
 * One `{"action":"teleprinter"}` request: locks the connection (one stream per connection), takes the
 * user's most recent session (or creates one) onto this connection, waits for a stream still running
 * on the user's previous connection to save its cursor, claims the session (`streaming`), posts the
 * text from the cursor one character per frame every `intervalMs`, and when a post fails with 410
 * saves how far it got. Having sent the whole text it sets the cursor back to 0. Session writes are
 * optimistic (`setState` with the version read).
 */
export async function teleprint(
  request: { userId: string; connectionId: string; connectedAt: number; requestId: string },
  config: TeleprinterConfig,
  deps: TeleprinterDeps,
): Promise<TeleprinterOutcome> {
  const { connectionId, requestId } = request;
  const locked = await deps.lock.acquire(connectionId, requestId);
  if (locked !== 'locked') return { result: locked === 'busy' ? 'duplicate' : 'gone', from: 0, to: 0, saved: false };
  let outcome: TeleprinterOutcome;
  try {
    outcome = await stream(request, config, deps);
  } catch (error) {
    await deps.lock.release(connectionId, requestId).catch(() => undefined);
    throw error;
  }
  // A gone connection's item (and its lock) goes with its $disconnect.
  if (outcome.result !== 'gone') await deps.lock.release(connectionId, requestId);
  return outcome;
}

async function stream(request: { userId: string; connectionId: string; connectedAt: number }, config: TeleprinterConfig, deps: TeleprinterDeps): Promise<TeleprinterOutcome> {
  const { userId, connectionId } = request;
  const { sessions } = deps;
  const clock = () => nowSeconds(deps.now());
  const expiresAt = nowSeconds(request.connectedAt) + config.connectionTtlSeconds;
  const length = config.characters.length;

  // The session, linked to this connection (its $disconnect then starts the resume window).
  const latest = await deps.latestSessionId(userId, deps.now());
  let session: Session | undefined = latest === undefined ? undefined : await sessions.attach({ sessionId: latest, userId, connectionId, expiresAt, nowSeconds: clock() });
  session ??= await sessions.create({ userId, connectionId, expiresAt, now: deps.now() });
  const { sessionId } = session;

  // Claim it, once the previous stream (on another connection of this user) has stopped and saved.
  let version: number | undefined;
  let from = 0;
  for (let attempt = 0; attempt < 2 && version === undefined; attempt += 1) {
    session = await handoff(session, connectionId, config, deps);
    from = cursorOf(session.state, length);
    const claim = await sessions.setState({ sessionId, expectedVersion: session.version, state: withCursor(session.state, from, connectionId), nowSeconds: clock() });
    if (claim.ok) version = claim.version;
    else if (claim.reason === 'conflict') session = claim.current;
    else throw new Error(`session ${sessionId} expired while being claimed`);
  }
  if (version === undefined) return { sessionId, result: 'contended', from, to: from, saved: false };
  const claimed = session.state;

  /** Writes the cursor; on a conflict re-reads and retries once, unless another stream owns the session by then. */
  const save = async (cursor: number): Promise<boolean> => {
    const first = await sessions.setState({ sessionId, expectedVersion: version!, state: withCursor(claimed, cursor), nowSeconds: clock() });
    if (first.ok) return true;
    if (first.reason === 'gone') return false;
    const owner = streamerOf(first.current.state);
    if (owner !== undefined && owner !== connectionId) return false;
    const second = await sessions.setState({ sessionId, expectedVersion: first.current.version, state: withCursor(first.current.state, cursor), nowSeconds: clock() });
    return second.ok;
  };

  const started = deps.now();
  for (let index = from; index < length; index += 1) {
    // Ticks on a fixed schedule, so the whole stream takes characters × interval whatever each post costs.
    const wait = started + (index - from) * config.intervalMs - deps.now();
    if (wait > 0) await deps.sleep(wait);
    if (deps.remainingMs() < config.intervalMs + 1_000) return { sessionId, result: 'out_of_time', from, to: index, saved: await save(index) };
    let sent: 'sent' | 'gone';
    try {
      sent = await deps.post(config.characters[index]!);
    } catch (error) {
      await save(index);
      throw error;
    }
    if (sent === 'gone') return { sessionId, result: 'gone', from, to: index, saved: await save(index) };
  }
  return { sessionId, result: 'finished', from, to: length, saved: await save(0) };
}

/** Waits (bounded) while another connection's stream holds the session; returns the session as last read. */
async function handoff(session: Session, connectionId: string, config: TeleprinterConfig, deps: TeleprinterDeps): Promise<Session> {
  const deadline = deps.now() + config.handoffMs;
  const pollMs = Math.min(Math.max(config.intervalMs, 10), 100);
  let current = session;
  for (;;) {
    const owner = streamerOf(current.state);
    // Its own connection's mark can only be left by a stream that crashed: the connection lock is ours.
    if (owner === undefined || owner === connectionId || deps.now() >= deadline) return current;
    await deps.sleep(pollMs);
    const fresh = await deps.sessions.get(current.sessionId, nowSeconds(deps.now()));
    if (!fresh) return current;
    current = fresh;
  }
}
