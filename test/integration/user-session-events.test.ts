import { createTestTable } from '../helpers/dynamo';
import { documentedSessionEvents } from '../helpers/session-events-doc';
import { device, testSessionService } from '../helpers/user-sessions';
import { RefreshTokenReusedError, SessionConflictError, SessionEvent, SessionNotFoundError, SessionValidationError, type SessionEvents, type SessionService } from '../../packages/sessions/src';

type Heard = { [K in keyof SessionEvents]: [K, SessionEvents[K][0]] }[keyof SessionEvents];

let tableName: string;
let service: SessionService;
let lines: ReturnType<typeof testSessionService>['lines'];
let heard: Heard[] = [];
/** Every payload heard in this file, to hold the README's table against. */
const everHeard: Heard[] = [];
let clock = Date.now();

const tick = (ms = 1): number => (clock += ms);
let users = 0;
const newUser = (): string => `events-${(users += 1)}-${Date.now()}`;

/** Records every event of `events`, in order. */
function listen(target: SessionService, into: Heard[]): void {
  for (const name of Object.values(SessionEvent)) {
    target.events.on(name, (payload: SessionEvents[typeof name][0]) => into.push([name, payload] as Heard));
  }
}

/** What a test heard since the last call (and forgets it). */
const take = (): Heard[] => {
  const taken = heard.splice(0);
  everHeard.push(...taken);
  return taken;
};

beforeAll(async () => {
  tableName = await createTestTable('user-session-events');
  ({ service, lines } = testSessionService(tableName, { settings: { maxSessionsPerUser: 3, refreshGraceSeconds: 10 }, nowMs: () => clock }));
});

beforeEach(() => {
  heard = [];
  service.events.removeAllListeners();
  listen(service, heard);
});

describe('session service events', () => {
  it('emits SESSION_CREATED for a create, with ids and times and neither the refresh token nor its hash', async () => {
    const userId = newUser();
    const { session, refreshToken } = await service.create({ userId, email: 'ada@example.com', device, staySignedIn: true, mfa: { status: 'pending', method: 'totp' } });
    const events = take();
    expect(events).toEqual([
      [
        'SESSION_CREATED',
        { userId, sessionId: session.sessionId, createdAt: clock, expiresAt: session.expiresAt, staySignedIn: true, trusted: false, mfa: 'pending' },
      ],
    ]);
    expect(JSON.stringify(events)).not.toContain(refreshToken);
    expect(JSON.stringify(events)).not.toContain(session.refreshTokenHash);
  });

  it('emits one SESSION_EVICTED per evicted session, after SESSION_CREATED', async () => {
    const userId = newUser();
    const made = [];
    for (let n = 0; n < 3; n += 1) {
      tick();
      made.push((await service.create({ userId, email: 'a@example.com' })).session);
    }
    take();
    // The same table under a limit of 1: the next create evicts all three in its transaction.
    const narrow = testSessionService(tableName, { settings: { maxSessionsPerUser: 1 }, nowMs: () => clock });
    const narrowHeard: Heard[] = [];
    listen(narrow.service, narrowHeard);
    const at = tick();
    const { session, evicted } = await narrow.service.create({ userId, email: 'a@example.com' });
    expect(evicted.map((s) => s.sessionId).sort()).toEqual(made.map((s) => s.sessionId).sort());
    expect(narrowHeard[0]?.[0]).toBe('SESSION_CREATED');
    expect(narrowHeard.slice(1)).toEqual(
      evicted.map((s) => ['SESSION_EVICTED', { userId, sessionId: s.sessionId, bySessionId: session.sessionId, lastUsedAt: s.lastUsedAt, evictedAt: at }]),
    );
    expect(take()).toEqual([]);
    everHeard.push(...narrowHeard);
  });

  it('emits SESSION_RENEWED for a renewal and SESSION_REFRESHED for a rotation, without the tokens', async () => {
    const userId = newUser();
    const { session, refreshToken } = await service.create({ userId, email: 'a@example.com' });
    take();
    const renewedAt = tick(1000);
    const renewed = await service.renew(session);
    expect(take()).toEqual([['SESSION_RENEWED', { userId, sessionId: session.sessionId, lastUsedAt: renewedAt, expiresAt: renewed.expiresAt, version: 2 }]]);
    const refreshedAt = tick(1000);
    const refreshed = await service.refresh(refreshToken);
    const events = take();
    expect(events).toEqual([
      ['SESSION_REFRESHED', { userId, sessionId: session.sessionId, lastUsedAt: refreshedAt, expiresAt: refreshed.session.expiresAt, version: 3 }],
    ]);
    for (const secret of [refreshToken, refreshed.refreshToken, session.refreshTokenHash, refreshed.session.refreshTokenHash]) {
      expect(JSON.stringify(events)).not.toContain(secret);
    }
  });

  it('emits SESSION_REVOKED with its reason when a rotated token comes back, and nothing else', async () => {
    const userId = newUser();
    const { session, refreshToken } = await service.create({ userId, email: 'a@example.com' });
    await service.refresh(refreshToken);
    take();
    const at = tick(10_001);
    await expect(service.refresh(refreshToken)).rejects.toBeInstanceOf(RefreshTokenReusedError);
    expect(take()).toEqual([['SESSION_REVOKED', { userId, sessionId: session.sessionId, reason: 'refresh_token_reused', revokedAt: at }]]);
    // Presented again: the session is gone, nothing more is revoked.
    await expect(service.refresh(refreshToken)).rejects.toThrow('refresh token unknown');
    expect(take()).toEqual([]);
  });

  it('emits DEVICE_TRUSTED, MFA_STATE_CHANGED and DEVICE_UNTRUSTED for those updates', async () => {
    const userId = newUser();
    const { session } = await service.create({ userId, email: 'a@example.com' });
    take();
    const trustedAt = tick();
    await service.trustDevice(session);
    const verifiedAt = tick();
    await service.setMfa({ ...session, mfa: { status: 'verified', method: 'totp', verifiedAt } });
    const untrustedAt = tick();
    await service.untrustDevice(session);
    const { sessionId } = session;
    expect(take()).toEqual([
      ['DEVICE_TRUSTED', { userId, sessionId, trustedAt, version: 2 }],
      ['MFA_STATE_CHANGED', { userId, sessionId, status: 'verified', method: 'totp', verifiedAt, changedAt: verifiedAt, version: 3 }],
      ['DEVICE_UNTRUSTED', { userId, sessionId, untrustedAt, version: 4 }],
    ]);
  });

  it('emits SESSION_DELETED for one session, and once with the count for "log out everywhere"', async () => {
    const userId = newUser();
    const one = (await service.create({ userId, email: 'a@example.com' })).session;
    const others = [(await service.create({ userId, email: 'a@example.com' })).session, (await service.create({ userId, email: 'a@example.com' })).session];
    take();
    const at = tick();
    await service.delete(one);
    expect(take()).toEqual([['SESSION_DELETED', { userId, scope: 'one', sessionIds: [one.sessionId], count: 1, deletedAt: at }]]);
    await service.delete(one);
    expect(take()).toEqual([]);
    await service.deleteAll(userId);
    const events = take();
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual(['SESSION_DELETED', { userId, scope: 'all', sessionIds: expect.arrayContaining(others.map((s) => s.sessionId)) as string[], count: 2, deletedAt: at }]);
    await service.deleteAll(userId);
    expect(take()).toEqual([]);
  });

  it('emits nothing for a refused or conflicting write', async () => {
    const userId = newUser();
    const { session } = await service.create({ userId, email: 'a@example.com' });
    await service.trustDevice(session);
    take();
    await expect(service.setMfa({ ...session, expectedVersion: 1, mfa: { status: 'verified' } })).rejects.toBeInstanceOf(SessionConflictError);
    await expect(service.renew({ ...session, expectedVersion: 1 })).rejects.toBeInstanceOf(SessionConflictError);
    await expect(service.untrustDevice({ ...session, expectedVersion: 1 })).rejects.toBeInstanceOf(SessionConflictError);
    await expect(service.create({ userId, email: 'not an email' })).rejects.toBeInstanceOf(SessionValidationError);
    await expect(service.refresh('A'.repeat(43))).rejects.toThrow('refresh token unknown');
    const gone = { userId, sessionId: '00000000-0000-4000-8000-000000000000' };
    await expect(service.trustDevice(gone)).rejects.toBeInstanceOf(SessionNotFoundError);
    expect(await service.delete(gone)).toBeUndefined();
    expect(take()).toEqual([]);
    expect(await service.get(session)).toMatchObject({ version: 2, trusted: true, mfa: { status: 'not_required' } });
  });

  it('logs a listener that throws or rejects, runs the other listeners, and the call still succeeds', async () => {
    service.events.prependListener(SessionEvent.SESSION_CREATED, () => {
      throw new Error('listener broke');
    });
    service.events.prependListener(SessionEvent.SESSION_RENEWED, async () => {
      await Promise.resolve();
      throw new Error('async listener broke');
    });
    const userId = newUser();
    const { session } = await service.create({ userId, email: 'a@example.com' });
    expect(await service.renew(session)).toMatchObject({ version: 2 });
    expect(await service.get(session)).toMatchObject({ version: 2 });
    expect(take().map(([name]) => name)).toEqual(['SESSION_CREATED', 'SESSION_RENEWED']);
    await new Promise((resolve) => setImmediate(resolve));
    const failed = lines.filter((line) => line.event === 'session_event_listener_failed').slice(-2);
    expect(failed).toEqual([
      expect.objectContaining({ level: 'error', sessionEvent: 'SESSION_CREATED', error: 'listener broke' }),
      expect.objectContaining({ level: 'error', sessionEvent: 'SESSION_RENEWED', error: 'async listener broke' }),
    ]);
  });

  it('lists in packages/sessions/README.md the fields of every payload heard above', () => {
    for (const { name, fields } of documentedSessionEvents()) {
      const payloads = everHeard.filter(([heardName]) => heardName === name).map(([, payload]) => Object.keys(payload).sort());
      expect({ name, heard: payloads.length > 0 }).toEqual({ name, heard: true });
      const required = fields.filter((field) => !field.endsWith('?')).sort();
      const optional = fields.filter((field) => field.endsWith('?')).map((field) => field.slice(0, -1));
      for (const keys of payloads) expect({ name, keys: keys.filter((key) => !optional.includes(key)) }).toEqual({ name, keys: required });
      expect({ name, optionalHeard: optional.every((field) => payloads.some((keys) => keys.includes(field))) }).toEqual({ name, optionalHeard: true });
    }
  });
});
