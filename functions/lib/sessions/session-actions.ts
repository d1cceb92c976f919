import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ChannelStore } from '../channels/channel-store';
import { classifyChannel } from '../../../packages/contract/src/channel-names';
import { log } from '../log';
import { errorFrame, type RequestId, type ServerFrame, type WelcomeFrame } from '../../../packages/contract/src/frames';
import type { Identity } from '../../../packages/contract/src/identity';
import { createAdoptAction } from './adopt-action';
import { disconnectCodeOf, payloadBytes, resumeEntry, type JoinRecord, type ResumeRecord } from '../../../packages/contract/src/queue-message';
import type { ActionContext, ActionHandler } from '../protocol/router';
import { QueueUnavailableError } from '../errors';
import { checkResumeToken, resumeToken, type SessionStore } from './session-store';
import { SESSION_ID_PATTERN, type Session } from '../../../packages/contract/src/session-item';
import { fitsRecord, sendBatched } from '../../../packages/contract/src/sqs-batch';
import { nowSeconds } from '../time';

export interface SessionSettings {
  resumeWindowSeconds: number;
  heartbeatSeconds: number;
  /** `token`: resuming needs the resume token. `id`: the user id alone suffices (the AWS sample's way; weaker). */
  resume: 'token' | 'id';
  maxStateBytes: number;
  maxSubscriptions: number;
  connectionTtlSeconds: number;
  /** Log entries one `resume` may replay over all its channels (`REPLAY_MAX_MESSAGES`); a RESUME_GAP names the rest. */
  replayLimit: number;
}

const withId = (id: RequestId | undefined) => (id === undefined ? {} : { id });

/**
 * The session actions (docs/protocol.md): `hello` (creates the connection's resumable session, or
 * repeats it, and answers `welcome`), `state.get` / `state.set` (versioned, optimistic), `resume`
 * (relinks an earlier session to this connection and replays what each channel published after the
 * client's last sequence number, in order, before anything later) and `adopt` (adopt-action.ts).
 *
 * @example
 * const actions = { ...builtinActions, ...createSessionActions({ sessions, channels, sqs, queueUrl, key, settings }) };
 */
export function createSessionActions({
  sessions,
  channels,
  sqs,
  queueUrl,
  key,
  settings,
  cancelExpiry = async () => undefined,
}: {
  sessions: SessionStore;
  channels: ChannelStore;
  sqs: SQSClient;
  queueUrl: string;
  /** The resume-token key (loaded once per container). */
  key: () => Promise<Buffer>;
  settings: SessionSettings;
  /** Deletes the session's one-time expiry schedule, if any. */
  cancelExpiry?: (sessionId: string) => Promise<void>;
}): Record<string, ActionHandler> {
  const connectionExpiry = (context: ActionContext): number => nowSeconds(context.connectedAt ?? context.now) + settings.connectionTtlSeconds;

  const welcome = async (session: Session, id: RequestId | undefined, type: WelcomeFrame['type'] = 'welcome'): Promise<WelcomeFrame> => ({
    type,
    ...withId(id),
    sessionId: session.sessionId,
    resumeToken: resumeToken(await key(), session.userId, session.sessionId),
    resumeWindowSeconds: settings.resumeWindowSeconds,
    heartbeatSeconds: settings.heartbeatSeconds,
    state: session.state,
    version: session.version,
  });

  /** The connection's session: the one it is linked to, or a new one. */
  const sessionOf = async (context: ActionContext, create: boolean): Promise<Session | undefined> => {
    const now = nowSeconds(context.now);
    const linked = (await context.connection?.())?.wsSession;
    if (linked) {
      const session = await sessions.get(linked, now);
      // An adopted session, or one closed by a disconnect whose socket still lives: the connection has none (and gets no new one).
      if (session?.status === 'adopted' || session?.status === 'closed') return undefined;
      if (session) return session;
    }
    if (!create || !context.identity) return undefined;
    const { userId, authMode } = context.identity;
    const created = await sessions.create({ userId, connectionId: context.connectionId, expiresAt: connectionExpiry(context), now: context.now, guest: authMode === 'anonymous' });
    log({ event: 'session_start', connectionId: context.connectionId }, { SessionsStarted: 1 });
    return created;
  };

  const noSession = (id: RequestId | undefined) => [errorFrame({ code: 'BAD_MESSAGE', message: 'no session on this connection: send {"action":"hello"} first', id })];

  /** Every channel's head, checked against the last seq the client names, before anything changes. */
  const checkHeads = async (wanted: Array<[string, number]>, id: RequestId | undefined): Promise<{ ok: true; heads: number[] } | { ok: false; frames: ServerFrame[] }> => {
    const heads = await Promise.all(wanted.map(([channel]) => channels.head(channel)));
    const beyond = wanted.findIndex(([, lastSeq], index) => lastSeq > heads[index]!);
    if (beyond < 0) return { ok: true, heads };
    const [channel, lastSeq] = wanted[beyond]!;
    return { ok: false, frames: [errorFrame({ code: 'BAD_MESSAGE', message: `channels["${channel}"] = ${lastSeq} is beyond the channel's last sequence number (${heads[beyond]})`, id })] };
  };

  /**
   * The answer of a `resume` or an `adopt`, and the channels it rejoins: without channels the answer
   * itself; with channels it goes through the queue ahead of the joins (docs/fanout.md), so it is
   * posted only once the record holding everything it promises is durable, and before any replayed frame.
   */
  const answerWithReplay = async (
    answer: WelcomeFrame,
    { channels: wanted, heads, identity, context }: { channels: Array<[string, number]>; heads: number[]; identity: Identity; context: ActionContext },
  ): Promise<ServerFrame[]> => {
    if (wanted.length === 0) return [answer];
    const expiresAt = connectionExpiry(context);
    const shares = shareReplayBudget(
      wanted.map(([, after], index) => heads[index]! - after),
      settings.replayLimit,
    );
    const resumeId = randomUUID();
    const record: ResumeRecord = {
      v: 1,
      kind: 'resume',
      id: resumeId,
      connectionId: context.connectionId,
      frame: JSON.stringify(answer),
      joins: wanted.map(([channel, after], index): JoinRecord => ({
        v: 1,
        kind: 'join',
        id: `${resumeId}-${index}`,
        connectionId: context.connectionId,
        channel,
        after,
        subscribe: classifyChannel(channel, identity) === 'subscribable',
        expiresAt,
        maxSubscriptions: settings.maxSubscriptions,
        limit: shares[index]!,
      })),
    };
    const entry = resumeEntry(record);
    if (!fitsRecord(entry.body)) {
      return [errorFrame({ code: 'BAD_MESSAGE', message: `the ${answer.type === 'adopted' ? 'adopt' : 'resume'} (its state and ${record.joins.length} channels) is too large for one queue record: name fewer channels`, id: answer.id })];
    }
    try {
      await sendBatched(sqs, queueUrl, [entry]);
    } catch (error) {
      // The session is linked to this connection already: a retry of the same request links it again.
      throw new QueueUnavailableError(`the ${answer.type === 'adopted' ? 'adopt' : 'resume'} could not be queued`, { cause: error });
    }
    // Resumes counts replays queued for a resume or an adopt (both take up a session's channels).
    log({ event: 'resume', connectionId: context.connectionId, channels: record.joins.length }, { Resumes: 1 });
    return [];
  };

  return {
    async hello(frame, context) {
      const session = await sessionOf(context, true);
      if (!session) return [];
      return [await welcome(session, frame.id)];
    },

    async 'state.get'(frame, context) {
      const session = await sessionOf(context, false);
      if (!session) return noSession(frame.id);
      return [{ type: 'state', ...withId(frame.id), state: session.state, version: session.version }];
    },

    async 'state.set'(frame, context) {
      const { id, version, state } = frame;
      if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
        return [errorFrame({ code: 'BAD_MESSAGE', message: '"version" must be the version you read (a whole number ≥ 0)', id })];
      }
      if (state === undefined) return [errorFrame({ code: 'BAD_MESSAGE', message: '"state" is required (any JSON value)', id })];
      const bytes = payloadBytes(state);
      if (bytes > settings.maxStateBytes) return [errorFrame({ code: 'PAYLOAD_TOO_LARGE', message: `"state" is ${bytes} bytes; at most ${settings.maxStateBytes}`, id })];
      const session = await sessionOf(context, false);
      if (!session) return noSession(id);
      const result = await sessions.setState({ sessionId: session.sessionId, expectedVersion: version, state, nowSeconds: nowSeconds(context.now) });
      if (result.ok) return [{ type: 'state', ...withId(id), state, version: result.version }];
      if (result.reason === 'gone') return noSession(id);
      const message = `the state is at version ${result.current.version}, not ${version}`;
      return [errorFrame({ code: 'VERSION_CONFLICT', message, id, state: result.current.state, version: result.current.version })];
    },

    async resume(frame, context) {
      const { id, sessionId, resumeToken: token } = frame;
      const identity = context.identity;
      if (!identity) return [];
      if (typeof sessionId !== 'string' || !SESSION_ID_PATTERN.test(sessionId)) return [errorFrame({ code: 'BAD_MESSAGE', message: '"sessionId" is malformed', id })];
      const wanted = readChannelMap(frame.channels, identity, settings.maxSubscriptions);
      if (!wanted.ok) return [errorFrame({ code: wanted.code, message: wanted.message, id })];
      const now = nowSeconds(context.now);
      const tokenOk = token !== undefined ? checkResumeToken(await key(), identity.userId, sessionId, token) : settings.resume === 'id';
      if (!tokenOk) {
        log({ event: 'resume_rejected', level: 'warn', connectionId: context.connectionId, reason: token === undefined ? 'no_token' : 'bad_token' }, { Rejects: 1 });
        return [errorFrame({ code: 'AUTH_INVALID', message: 'unknown session or wrong resume token', id })];
      }
      const checked = await checkHeads(wanted.channels, id);
      if (!checked.ok) return checked.frames;
      const session = await sessions.attach({ sessionId, userId: identity.userId, connectionId: context.connectionId, expiresAt: connectionExpiry(context), nowSeconds: now });
      if (!session) {
        const existing = await sessions.get(sessionId, now);
        // Without a token nothing proves the session was this user's: another user's live one is refused.
        if (existing && existing.userId !== identity.userId && token === undefined) return [errorFrame({ code: 'AUTH_INVALID', message: 'unknown session or wrong resume token', id })];
        if (existing?.status === 'closed' && existing.userId === identity.userId) {
          // Closed by a disconnect (eviction, logout, a backend): never taken up again, and said why.
          const reason = existing.closedReason ?? 'DISCONNECTED';
          log({ event: 'resume_rejected', level: 'warn', connectionId: context.connectionId, reason: 'session_closed', closedReason: reason }, { Rejects: 1 });
          return [errorFrame({ code: disconnectCodeOf(reason), message: `the session was closed (${reason}): it cannot be resumed; sign in again`, id, reason })];
        }
        if (existing?.status === 'adopted') {
          log({ event: 'resume_rejected', level: 'warn', connectionId: context.connectionId, reason: 'adopted' }, { Rejects: 1 });
          return [errorFrame({ code: 'AUTH_INVALID', message: 'the session was adopted by a signed-in session', id })];
        }
        // A token that checks out names a session this user really had: it expired (or was purged).
        const fresh = await sessionOf(context, true);
        log({ event: 'resume_gap', connectionId: context.connectionId, reason: 'session_expired' }, { ResumeGaps: 1 });
        const gap = errorFrame({ code: 'RESUME_GAP', message: 'the session expired: start again from a fresh state', id });
        return fresh ? [gap, await welcome(fresh, id)] : [gap];
      }
      await cancelExpiry(sessionId);
      return answerWithReplay(await welcome(session, id, 'resumed'), { channels: wanted.channels, heads: checked.heads, identity, context });
    },

    adopt: createAdoptAction({
      sessions,
      channels,
      key,
      settings,
      cancelExpiry,
      session: { of: sessionOf, welcome, noSession, channelsOf: (frame, identity) => readChannelMap(frame.channels, identity, settings.maxSubscriptions), checkHeads, answerWithReplay },
    }),
  };
}

/**
 * Shares a request's replay budget between its channels: each gets what it needs where the budget
 * allows, the rest is split evenly (fairly where it does not), and what is left over is spread over
 * all of them (a channel may have grown by the time its join runs). The shares add up to the budget.
 *
 * @example
 * shareReplayBudget([5, 2000, 0], 1000); // [5, 995, 0]
 * shareReplayBudget([5, 20], 1000); // [493, 507]: what each needs, and the 975 left spread
 */
export function shareReplayBudget(needs: readonly number[], budget: number): number[] {
  const shares = needs.map(() => 0);
  if (needs.length === 0) return shares;
  let left = budget;
  let open = needs.flatMap((need, index) => (need > 0 ? [index] : []));
  while (left > 0 && open.length > 0) {
    const each = Math.max(1, Math.floor(left / open.length));
    for (const index of open) {
      const give = Math.min(each, needs[index]! - shares[index]!, left);
      shares[index]! += give;
      left -= give;
    }
    open = open.filter((index) => shares[index]! < needs[index]!);
  }
  const each = Math.floor(left / needs.length);
  return shares.map((share, index) => share + each + (index < left - each * needs.length ? 1 : 0));
}

export type ChannelMap = { ok: true; channels: Array<[string, number]> } | { ok: false; code: 'BAD_MESSAGE' | 'FORBIDDEN'; message: string };

/** `{"news": 12, "user:me": 3}`: channels this identity may rejoin, each with the last sequence number seen. */
function readChannelMap(raw: unknown, identity: NonNullable<ActionContext['identity']>, maxSubscriptions: number): ChannelMap {
  if (raw === undefined) return { ok: true, channels: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, code: 'BAD_MESSAGE', message: '"channels" must be an object of channel → last sequence number seen' };
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > maxSubscriptions + 3) return { ok: false, code: 'BAD_MESSAGE', message: `"channels" names more than ${maxSubscriptions + 3} channels` };
  const channels: Array<[string, number]> = [];
  for (const [channel, lastSeq] of entries) {
    const kind = classifyChannel(channel, identity);
    if (kind === 'foreign') return { ok: false, code: 'FORBIDDEN', message: 'a channel in "channels" belongs to another user or tenant' };
    if (kind === 'malformed') return { ok: false, code: 'BAD_MESSAGE', message: `"channels" has a malformed channel name` };
    if (typeof lastSeq !== 'number' || !Number.isSafeInteger(lastSeq) || lastSeq < 0) {
      return { ok: false, code: 'BAD_MESSAGE', message: `channels["${channel}"] must be the last sequence number seen (a whole number ≥ 0)` };
    }
    channels.push([channel, lastSeq]);
  }
  return { ok: true, channels };
}
