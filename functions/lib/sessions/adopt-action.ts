import type { ChannelStore } from '../channels/channel-store';
import { log } from '../log';
import { errorFrame, type ClientFrame, type RequestId, type ServerFrame, type VersionedState, type WelcomeFrame } from '../../../packages/contract/src/frames';
import type { Identity } from '../../../packages/contract/src/identity';
import { payloadBytes } from '../../../packages/contract/src/queue-message';
import { SESSION_ID_PATTERN, type Session } from '../../../packages/contract/src/session-item';
import type { ActionContext, ActionHandler } from '../protocol/router';
import { nowSeconds } from '../time';
import { decideAdoption, readResolution } from './adopt';
import type { ChannelMap } from './session-actions';
import { checkResumeToken, type SessionStore } from './session-store';

/** What `adopt` shares with the other session actions (session-actions.ts). */
export interface SessionHelpers {
  /** The connection's session; `create`: a new one when it has none. */
  of(context: ActionContext, create: boolean): Promise<Session | undefined>;
  welcome(session: Session, id: RequestId | undefined, type: WelcomeFrame['type']): Promise<WelcomeFrame>;
  noSession(id: RequestId | undefined): ServerFrame[];
  /** The frame's `channels` map, checked against the identity. */
  channelsOf(frame: ClientFrame, identity: Identity): ChannelMap;
  checkHeads(wanted: Array<[string, number]>, id: RequestId | undefined): Promise<{ ok: true; heads: number[] } | { ok: false; frames: ServerFrame[] }>;
  answerWithReplay(answer: WelcomeFrame, params: { channels: Array<[string, number]>; heads: number[]; identity: Identity; context: ActionContext }): Promise<ServerFrame[]>;
}

/**
 * The `adopt` action (docs/protocol.md, "Guest → signed-in"): a signed-in connection takes over a guest
 * session, proven by the guest's resume token (checked in constant time against the user the session
 * names), in one transaction (adopt.ts), once. Its channels are rejoined from the client's last seqs as
 * `resume` does; state both sessions hold is a `STATE_CONFLICT` unless the request names a resolution.
 *
 * @example
 * const actions = { adopt: createAdoptAction({ sessions, channels, key, settings, cancelExpiry, session }) };
 */
export function createAdoptAction({
  sessions,
  channels,
  key,
  settings,
  cancelExpiry,
  session,
}: {
  sessions: SessionStore;
  channels: ChannelStore;
  key: () => Promise<Buffer>;
  settings: { maxStateBytes: number };
  cancelExpiry: (sessionId: string) => Promise<void>;
  session: SessionHelpers;
}): ActionHandler {
return async (frame, context) => {
    const { id, sessionId: guestId, resumeToken: token } = frame;
    const identity = context.identity;
    if (!identity) return [];
    if (typeof guestId !== 'string' || !SESSION_ID_PATTERN.test(guestId)) return [errorFrame({ code: 'BAD_MESSAGE', message: '"sessionId" is malformed', id })];
    const resolution = readResolution(frame);
    if (!resolution.ok) return [errorFrame({ code: 'BAD_MESSAGE', message: resolution.message, id })];
    if (resolution.resolution.kind === 'merge') {
      const bytes = payloadBytes(resolution.resolution.state);
      if (bytes > settings.maxStateBytes) return [errorFrame({ code: 'PAYLOAD_TOO_LARGE', message: `"state" is ${bytes} bytes; at most ${settings.maxStateBytes}`, id })];
    }
    const wanted = session.channelsOf(frame, identity);
    if (!wanted.ok) return [errorFrame({ code: wanted.code, message: wanted.message, id })];
    const now = nowSeconds(context.now);
    const refused = (reason: string, message = 'unknown session or wrong resume token'): ServerFrame[] => {
      log({ event: 'adopt_rejected', level: 'warn', connectionId: context.connectionId, reason }, { Rejects: 1 });
      return [errorFrame({ code: 'AUTH_INVALID', message, id })];
    };
    // The token is checked against the user the session names: it proves the guest, whose id alone proves nothing.
    const guest = await sessions.get(guestId, now);
    if (!guest?.guest || !checkResumeToken(await key(), guest.userId, guestId, token)) return refused(guest ? 'bad_token' : 'unknown_session');
    if (guest.status === 'adopted') return refused('adopted', 'the session was adopted already');
    if (guest.status === 'closed') return refused('closed', 'the session was closed by a disconnect');
    const checked = await session.checkHeads(wanted.channels, id);
    if (!checked.ok) return checked.frames;
    const mine = await session.of(context, true);
    if (!mine) return [];
    const adoption = decideAdoption({ guest, mine, resolution: resolution.resolution });
    const conflict = (sides: { guest: VersionedState; mine: VersionedState }): ServerFrame[] => {
      log({ event: 'adopt_conflict', level: 'warn', connectionId: context.connectionId, reason: 'state_conflict' });
      const message = `both sessions hold state (guest at version ${sides.guest.version}, yours at ${sides.mine.version}): send "keep" ("guest" or "mine") or a merged "state" with these "versions"`;
      return [errorFrame({ code: 'STATE_CONFLICT', message, id, guest: sides.guest, mine: sides.mine })];
    };
    if (!adoption.ok) return conflict(adoption);
    const adopted = await sessions.adopt({
      guest: guestId,
      guestUserId: guest.userId,
      mine: mine.sessionId,
      userId: identity.userId,
      connectionId: context.connectionId,
      expected: adoption.expected,
      state: adoption.state,
      nowSeconds: now,
    });
    if (!adopted) {
      // Something moved since the reads: say what, from the sessions as they are now.
      const [guestNow, mineNow] = await Promise.all([sessions.get(guestId, now), sessions.get(mine.sessionId, now)]);
      if (!guestNow) return refused('unknown_session');
      if (guestNow.status === 'adopted') return refused('adopted', 'the session was adopted already');
      if (guestNow.status === 'closed') return refused('closed', 'the session was closed by a disconnect');
      if (!mineNow) return session.noSession(id);
      return conflict({ guest: { state: guestNow.state, version: guestNow.version }, mine: { state: mineNow.state, version: mineNow.version } });
    }
    // The guest's connection, if still open, keeps its anonymous identity but neither the session nor its channels.
    if (guest.connectionId) await channels.deleteSubscriptions(guest.connectionId);
    await cancelExpiry(guestId);
    log({ event: 'adopt', connectionId: context.connectionId, channels: wanted.channels.length, state: adoption.state ? 'guest_or_merged' : 'kept' });
    const state = adoption.state ? adoption.state.value : mine.state;
    const version = adoption.state ? mine.version + 1 : mine.version;
    const answer = { ...(await session.welcome({ ...mine, state, version }, id, 'adopted')), adoptedFrom: guestId };
    return session.answerWithReplay(answer, { channels: wanted.channels, heads: checked.heads, identity, context });
  };
}
