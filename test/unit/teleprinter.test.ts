import { ConfigError } from '../../packages/contract/src/config-error';
import type { Session, SetStateResult } from '../../packages/contract/src/session-item';
import {
  DEFAULT_TEXT,
  cursorOf,
  readTeleprinterConfig,
  teleprint,
  withCursor,
  type ConnectionLock,
  type TeleprinterConfig,
  type TeleprinterDeps,
  type TeleprinterSessions,
} from '../../examples/anonymous-resume/functions/teleprinter-core';

describe('teleprinter configuration', () => {
  it('defaults to the Gettysburg sentence every 100 ms, within the 25 s budget', () => {
    const config = readTeleprinterConfig({});
    expect(config.characters.join('')).toBe(DEFAULT_TEXT);
    expect(config.characters).toHaveLength(176);
    expect(config.intervalMs).toBe(100);
    expect(config.connectionTtlSeconds).toBe(7800);
    expect(config.characters.length * config.intervalMs).toBeLessThanOrEqual(25_000);
  });

  it('counts characters as code points and treats an empty text as unset', () => {
    expect(readTeleprinterConfig({ TELEPRINTER_TEXT: 'a\u{1F4E0}b' }).characters).toEqual(['a', '\u{1F4E0}', 'b']);
    expect(readTeleprinterConfig({ TELEPRINTER_TEXT: '' }).characters.join('')).toBe(DEFAULT_TEXT);
  });

  it.each([
    ['a non-numeric interval', { TELEPRINTER_INTERVAL_MS: 'fast' }, /TELEPRINTER_INTERVAL_MS must be a whole number from 1 to 10000, got "fast"/],
    ['a zero interval', { TELEPRINTER_INTERVAL_MS: '0' }, /TELEPRINTER_INTERVAL_MS must be a whole number from 1 to 10000, got 0/],
    ['an interval in exponent notation', { TELEPRINTER_INTERVAL_MS: '1e2' }, /TELEPRINTER_INTERVAL_MS/],
    ['a text over the 25 s budget', { TELEPRINTER_TEXT: 'x'.repeat(251) }, /TELEPRINTER_TEXT \(251 characters\) at TELEPRINTER_INTERVAL_MS=100 takes 25100 ms to print; .* within 25000 ms/],
    ['an interval putting the text over budget', { TELEPRINTER_TEXT: 'x'.repeat(30), TELEPRINTER_INTERVAL_MS: '1000' }, /takes 30000 ms/],
    ['a connection TTL under a minute', { CONNECTION_TTL_SECONDS: '5' }, /CONNECTION_TTL_SECONDS must be a whole number from 60/],
  ])('rejects %s with a clear error', (_label, env, message) => {
    expect(() => readTeleprinterConfig(env)).toThrow(ConfigError);
    expect(() => readTeleprinterConfig(env)).toThrow(message);
  });
});

describe('teleprinter state', () => {
  it('starts from a stored cursor only when it is a whole number inside the text', () => {
    expect(cursorOf({ cursor: 7 }, 10)).toBe(7);
    for (const state of [null, 'x', [], {}, { cursor: -1 }, { cursor: 10 }, { cursor: 2.5 }, { cursor: '3' }]) expect(cursorOf(state, 10)).toBe(0);
  });

  it('replaces only its own fields of the state', () => {
    expect(withCursor({ theme: 'dark', cursor: 1, streaming: 'c1' }, 5)).toEqual({ theme: 'dark', cursor: 5 });
    expect(withCursor(null, 0, 'c2')).toEqual({ cursor: 0, streaming: 'c2' });
  });
});

/** An in-memory session store with a virtual clock, and the rest of the world the stream talks to. */
function world(options: { text?: string; state?: unknown; lock?: 'locked' | 'busy' | 'gone'; goneAt?: number } = {}) {
  const text = options.text ?? 'ABCDEFGHIJ';
  let clock = 1_000_000;
  const sessions = new Map<string, Session>();
  const writes: unknown[] = [];
  const posted: string[] = [];
  const released: string[] = [];
  const onSleep: Array<() => void> = [];
  if (options.state !== undefined) {
    sessions.set('s1', { sessionId: 's1', userId: 'u', status: 'inactive', state: options.state, version: 3, expiresAt: clock / 1000 + 600 });
  }
  const store: TeleprinterSessions = {
    async create({ userId, connectionId, expiresAt }) {
      const session: Session = { sessionId: `s${sessions.size + 1}`, userId, connectionId, status: 'active', state: null, version: 0, expiresAt };
      sessions.set(session.sessionId, session);
      return { ...session };
    },
    async get(sessionId) {
      const session = sessions.get(sessionId);
      return session && { ...session };
    },
    async attach({ sessionId, connectionId, expiresAt }) {
      const session = sessions.get(sessionId);
      if (!session) return undefined;
      Object.assign(session, { connectionId, status: 'active', expiresAt });
      return { ...session };
    },
    async setState({ sessionId, expectedVersion, state }): Promise<SetStateResult> {
      const session = sessions.get(sessionId);
      if (!session) return { ok: false, reason: 'gone' };
      if (session.version !== expectedVersion) return { ok: false, reason: 'conflict', current: { ...session } };
      session.state = state;
      session.version += 1;
      writes.push(state);
      return { ok: true, version: session.version };
    },
  };
  const lock: ConnectionLock = {
    acquire: async () => options.lock ?? 'locked',
    release: async (_connectionId, token) => void released.push(token),
  };
  const deps: TeleprinterDeps = {
    sessions: store,
    lock,
    latestSessionId: async () => (sessions.has('s1') ? 's1' : undefined),
    async post(data) {
      if (options.goneAt !== undefined && posted.length >= options.goneAt) return 'gone';
      posted.push(data);
      return 'sent';
    },
    async sleep(ms) {
      clock += ms;
      onSleep.shift()?.();
    },
    now: () => clock,
    remainingMs: () => 60_000,
  };
  const config: TeleprinterConfig = { characters: Array.from(text), intervalMs: 100, connectionTtlSeconds: 7800, handoffMs: 2_200 };
  const request = { userId: 'u', connectionId: 'c-new', connectedAt: clock, requestId: 'r1' };
  return { deps, config, request, sessions, writes, posted, released, onSleep, text };
}

describe('teleprint', () => {
  it('a new user gets a session, the whole text one character per post, and the cursor back at 0', async () => {
    const w = world();
    const outcome = await teleprint(w.request, w.config, w.deps);
    expect(outcome).toEqual({ sessionId: 's1', result: 'finished', from: 0, to: 10, saved: true });
    expect(w.posted).toEqual(Array.from(w.text));
    expect(w.writes).toEqual([{ cursor: 0, streaming: 'c-new' }, { cursor: 0 }]);
    expect(w.released).toEqual(['r1']);
  });

  it('stops at the first 410 and saves how far it got, keeping the lock for $disconnect to drop', async () => {
    const w = world({ state: { cursor: 2, theme: 'dark' }, goneAt: 5 });
    const outcome = await teleprint(w.request, w.config, w.deps);
    expect(outcome).toEqual({ sessionId: 's1', result: 'gone', from: 2, to: 7, saved: true });
    expect(w.posted.join('')).toBe('CDEFG');
    expect(w.sessions.get('s1')!.state).toEqual({ cursor: 7, theme: 'dark' });
    expect(w.released).toEqual([]);
  });

  it('waits while the previous connection still streams, then continues from the cursor it saved', async () => {
    const w = world({ state: { cursor: 3, streaming: 'c-old' } });
    // The old stream finds its connection gone on its next tick and saves cursor 6.
    w.onSleep.push(() => undefined, () => {
      const old = w.sessions.get('s1')!;
      Object.assign(old, { state: { cursor: 6 }, version: old.version + 1 });
    });
    const outcome = await teleprint(w.request, w.config, w.deps);
    expect(outcome).toMatchObject({ result: 'finished', from: 6, saved: true });
    expect(w.posted.join('')).toBe('GHIJ');
  });

  it('takes over after the hand-off wait when the previous stream never lets go', async () => {
    const w = world({ state: { cursor: 4, streaming: 'c-old' } });
    const outcome = await teleprint(w.request, w.config, w.deps);
    expect(outcome).toMatchObject({ result: 'finished', from: 4 });
    expect(w.writes[0]).toEqual({ cursor: 4, streaming: 'c-new' });
  });

  it('a request on a connection already streaming is a duplicate: nothing is read, written or sent', async () => {
    const w = world({ state: { cursor: 4 }, lock: 'busy' });
    expect(await teleprint(w.request, w.config, w.deps)).toEqual({ result: 'duplicate', from: 0, to: 0, saved: false });
    expect(w.posted).toEqual([]);
    expect(w.writes).toEqual([]);
    expect(w.released).toEqual([]);
  });

  it('on a version conflict when saving, re-reads and retries once (keeping what the other writer set)', async () => {
    const w = world({ state: { cursor: 0 }, goneAt: 3 });
    // Another writer (e.g. state.set from the message function) bumps the version mid-stream.
    w.onSleep.push(() => {
      const session = w.sessions.get('s1')!;
      Object.assign(session, { state: { ...(session.state as object), note: 'hi' }, version: session.version + 1 });
    });
    const outcome = await teleprint(w.request, w.config, w.deps);
    expect(outcome).toMatchObject({ result: 'gone', to: 3, saved: true });
    expect(w.sessions.get('s1')!.state).toEqual({ cursor: 3, note: 'hi' });
  });

  it('does not overwrite the cursor of a newer stream that took the session over', async () => {
    const w = world({ state: { cursor: 0 }, goneAt: 3 });
    w.onSleep.push(() => {
      const session = w.sessions.get('s1')!;
      Object.assign(session, { state: { cursor: 0, streaming: 'c-newer' }, version: session.version + 1 });
    });
    const outcome = await teleprint(w.request, w.config, w.deps);
    expect(outcome).toMatchObject({ result: 'gone', to: 3, saved: false });
    expect(w.sessions.get('s1')!.state).toEqual({ cursor: 0, streaming: 'c-newer' });
  });

  it('saves the cursor and stops before the invocation times out', async () => {
    const w = world();
    let remaining = 1_400;
    w.deps.remainingMs = () => (remaining -= 100);
    const outcome = await teleprint(w.request, w.config, w.deps);
    expect(outcome).toMatchObject({ result: 'out_of_time', saved: true });
    expect(w.sessions.get('s1')!.state).toEqual({ cursor: outcome.to });
    expect(outcome.to).toBe(w.posted.length);
    expect(w.released).toEqual(['r1']);
  });
});
