import { allItems, createTestTable } from '../helpers/dynamo';
import { device, testSessionService } from '../helpers/user-sessions';
import {
  InvalidRefreshTokenError,
  RefreshTokenReusedError,
  SessionConflictError,
  SessionNotFoundError,
  SessionValidationError,
  type SessionService,
} from '../../packages/sessions/src';

let tableName: string;
let service: SessionService;
let lines: ReturnType<typeof testSessionService>['lines'];
let clock = Date.now();

beforeAll(async () => {
  tableName = await createTestTable('user-sessions');
  ({ service, lines } = testSessionService(tableName, { settings: { maxSessionsPerUser: 3, refreshGraceSeconds: 10 }, nowMs: () => clock }));
});

const tick = (ms = 1): number => (clock += ms);
let users = 0;
const newUser = (): string => `user-${(users += 1)}-${Date.now()}`;

const refreshItems = async (): Promise<Array<Record<string, unknown>>> => (await allItems(tableName)).filter((item) => String(item.PK).startsWith('REFRESH#'));

describe('user session service', () => {
  it('creates a session, reads it back by id, by refresh token and in the user list', async () => {
    const userId = newUser();
    const { session, refreshToken, evicted } = await service.create({ userId, email: 'ada@example.com', device, staySignedIn: false });
    expect(evicted).toEqual([]);
    expect(session).toMatchObject({ userId, email: 'ada@example.com', device, staySignedIn: false, trusted: false, mfa: { status: 'not_required' }, version: 1 });
    expect(session.refreshTokenHash).not.toContain(refreshToken);
    expect(await service.get(session)).toEqual(session);
    expect(await service.getByRefreshToken(refreshToken)).toEqual(session);
    expect(await service.list(userId)).toEqual([session]);
    const stored = (await allItems(tableName)).filter((item) => JSON.stringify(item).includes(refreshToken));
    expect(stored).toEqual([]);
  });

  it("a use moves the roster's TTL on with it, so a user who only refreshes never loses the roster", async () => {
    const userId = newUser();
    const { session, refreshToken } = await service.create({ userId, email: 'a@example.com', staySignedIn: true });
    const roster = async () => (await allItems(tableName)).find((item) => item.PK === `USER#${userId}` && item.SK === 'USERSESSIONS')!;
    const createdTtl = Number((await roster()).ttl);
    const at = tick(20 * 86_400_000); // 20 days on, well inside the 30-day stay-signed-in lifetime
    await service.refresh(refreshToken);
    // Past the longest lifetime (30 days) from the use, not from the create.
    expect(Number((await roster()).ttl)).toBe(Math.ceil((at + 2_592_000_000) / 1000));
    expect(Number((await roster()).ttl)).toBeGreaterThan(createdTtl);
    expect(session.userId).toBe(userId);
  });

  it('renews a session for longer when it stays signed in', async () => {
    const userId = newUser();
    const short = (await service.create({ userId, email: 'a@example.com' })).session;
    const long = (await service.create({ userId, email: 'a@example.com', staySignedIn: true })).session;
    const at = tick(60_000);
    const renewedShort = await service.renew(short);
    const renewedLong = await service.renew(long);
    expect(renewedShort).toMatchObject({ lastUsedAt: at, expiresAt: at + 86_400_000, version: 2 });
    expect(renewedLong).toMatchObject({ lastUsedAt: at, expiresAt: at + 2_592_000_000, version: 2 });
  });

  it('trusts and untrusts a device and sets the MFA state, each bumping the version', async () => {
    const { session } = await service.create({ userId: newUser(), email: 'a@example.com', mfa: { status: 'pending', method: 'totp' } });
    const trusted = await service.trustDevice(session);
    expect(trusted).toMatchObject({ trusted: true, trustedAt: clock, version: 2 });
    const verified = await service.setMfa({ ...session, mfa: { status: 'verified', method: 'totp', verifiedAt: clock } });
    expect(verified).toMatchObject({ mfa: { status: 'verified', method: 'totp', verifiedAt: clock }, version: 3, trusted: true });
    const untrusted = await service.untrustDevice(session);
    expect(untrusted.trusted).toBe(false);
    expect(untrusted.trustedAt).toBeUndefined();
    expect(await service.get(session)).toEqual(untrusted);
  });

  it('reports a stale expectedVersion as a conflict and writes nothing', async () => {
    const { session } = await service.create({ userId: newUser(), email: 'a@example.com' });
    await service.trustDevice(session);
    await expect(service.setMfa({ ...session, expectedVersion: 1, mfa: { status: 'verified' } })).rejects.toMatchObject({
      name: 'SessionConflictError',
      currentVersion: 2,
    });
    await expect(service.renew({ ...session, expectedVersion: 1 })).rejects.toBeInstanceOf(SessionConflictError);
    expect(await service.get(session)).toMatchObject({ version: 2, mfa: { status: 'not_required' } });
    expect(await service.renew({ ...session, expectedVersion: 2 })).toMatchObject({ version: 3 });
  });

  it('evicts the least recently used session when one more is created, and reports it', async () => {
    const userId = newUser();
    const made = [];
    for (let n = 0; n < 3; n += 1) {
      tick();
      made.push((await service.create({ userId, email: 'a@example.com' })).session);
    }
    tick();
    await service.renew(made[0]!); // the oldest is now the most recently used; made[1] is the LRU
    tick();
    const { session, evicted } = await service.create({ userId, email: 'a@example.com' });
    expect(evicted.map((s) => s.sessionId)).toEqual([made[1]!.sessionId]);
    expect((await service.list(userId)).map((s) => s.sessionId).sort()).toEqual([made[0]!.sessionId, made[2]!.sessionId, session.sessionId].sort());
    expect(await service.get(made[1]!)).toBeUndefined();
    const owners = (await refreshItems()).filter((item) => item.userId === userId).map((item) => item.sessionId);
    expect(owners).not.toContain(made[1]!.sessionId);
    expect(service.metrics().SessionsEvicted).toBeGreaterThanOrEqual(1);
  });

  it('deletes one session with its refresh tokens, and all of a user\'s sessions', async () => {
    const userId = newUser();
    const a = await service.create({ userId, email: 'a@example.com' });
    const b = await service.create({ userId, email: 'a@example.com' });
    const other = await service.create({ userId: newUser(), email: 'b@example.com' });
    expect(await service.delete(a.session)).toEqual(a.session);
    expect(await service.delete(a.session)).toBeUndefined();
    expect(await service.getByRefreshToken(a.refreshToken)).toBeUndefined();
    await service.create({ userId, email: 'a@example.com' });
    expect((await service.deleteAll(userId)).length).toBe(2);
    expect(await service.list(userId)).toEqual([]);
    expect(await service.get(b.session)).toBeUndefined();
    expect((await refreshItems()).filter((item) => item.userId === userId)).toEqual([]);
    expect(await service.get(other.session)).toEqual(other.session);
    // A user emptied by "log out everywhere" can log in again up to the limit.
    for (let n = 0; n < 3; n += 1) expect((await service.create({ userId, email: 'a@example.com' })).evicted).toEqual([]);
  });

  it('throws SessionNotFoundError for updates of a session that is gone', async () => {
    const { session } = await service.create({ userId: newUser(), email: 'a@example.com' });
    await service.delete(session);
    await expect(service.renew(session)).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(service.trustDevice(session)).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('treats an expired session as gone before the table TTL removes it', async () => {
    const { session } = await service.create({ userId: newUser(), email: 'a@example.com' });
    tick(86_400_000 + 1);
    expect(await service.get(session)).toBeUndefined();
    expect(await service.list(session.userId)).toEqual([]);
  });

  it('reports a healthy table', async () => {
    expect(await service.health()).toMatchObject({ ok: true, dynamodb: { ok: true }, cache: { provider: 'dynamodb', ok: true } });
  });
});

describe('refresh tokens', () => {
  it('rotates the token on every use: the new one works, the session is renewed', async () => {
    const { session, refreshToken } = await service.create({ userId: newUser(), email: 'a@example.com' });
    const at = tick(1000);
    const first = await service.refresh(refreshToken);
    expect(first.refreshToken).not.toBe(refreshToken);
    expect(first.session).toMatchObject({ sessionId: session.sessionId, lastUsedAt: at, version: 2 });
    expect(await service.getByRefreshToken(refreshToken)).toBeUndefined();
    expect(await service.getByRefreshToken(first.refreshToken)).toEqual(first.session);
    tick(1000);
    const second = await service.refresh(first.refreshToken);
    expect(second.session.version).toBe(3);
    // The session owns its current token and the last two rotated ones, no more.
    const owned = (await refreshItems()).filter((item) => item.sessionId === session.sessionId);
    expect(owned.length).toBe(3);
    tick(1000);
    await service.refresh(second.refreshToken);
    expect((await refreshItems()).filter((item) => item.sessionId === session.sessionId).length).toBe(3);
  });

  it('lets two refreshes of the same token inside the grace window both succeed', async () => {
    const { session, refreshToken } = await service.create({ userId: newUser(), email: 'a@example.com' });
    const [a, b] = await Promise.all([service.refresh(refreshToken), service.refresh(refreshToken)]);
    expect(a.refreshToken).not.toBe(b.refreshToken);
    expect(new Set([a.session.version, b.session.version])).toEqual(new Set([2, 3]));
    const latest = a.session.version === 3 ? a : b;
    expect(await service.getByRefreshToken(latest.refreshToken)).toMatchObject({ sessionId: session.sessionId, version: 3 });
    expect(await service.get(session)).toBeDefined();
  });

  it('revokes the whole session when a rotated token comes back after the grace window, and logs and counts it', async () => {
    const { session, refreshToken } = await service.create({ userId: newUser(), email: 'a@example.com' });
    const rotated = await service.refresh(refreshToken);
    tick(10_001);
    const error = await service.refresh(refreshToken).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RefreshTokenReusedError);
    expect((error as RefreshTokenReusedError).revoked).toEqual({ userId: session.userId, sessionId: session.sessionId });
    expect(await service.get(session)).toBeUndefined();
    await expect(service.refresh(rotated.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
    expect((await refreshItems()).filter((item) => item.sessionId === session.sessionId)).toEqual([]);
    const line = lines.find((entry) => entry.event === 'refresh_token_reused' && entry.session === session.sessionId);
    expect(line).toMatchObject({ level: 'warn', reason: 'refresh_token_reused', RefreshTokenReuse: 1 });
    expect(JSON.stringify(line)).not.toContain(session.userId);
    expect(service.metrics().RefreshTokenReuse).toBeGreaterThanOrEqual(1);
  });

  it('accepts a rotated token again inside the grace window, which rotates the newer one in turn', async () => {
    const { refreshToken } = await service.create({ userId: newUser(), email: 'a@example.com' });
    const first = await service.refresh(refreshToken);
    tick(5_000);
    const second = await service.refresh(refreshToken);
    expect(second.session.version).toBe(3);
    tick(5_000);
    expect((await service.refresh(first.refreshToken)).session.version).toBe(4);
  });

  it('detects the reuse of a token rotated two generations ago', async () => {
    const { session, refreshToken } = await service.create({ userId: newUser(), email: 'a@example.com' });
    const first = await service.refresh(refreshToken);
    await service.refresh(first.refreshToken);
    tick(10_001);
    await expect(service.refresh(refreshToken)).rejects.toBeInstanceOf(RefreshTokenReusedError);
    expect(await service.get(session)).toBeUndefined();
  });

  it('refuses an unknown token', async () => {
    await expect(service.refresh('A'.repeat(43))).rejects.toBeInstanceOf(InvalidRefreshTokenError);
  });
});

describe('bad input', () => {
  const good = { userId: 'user-bad-input', email: 'a@example.com', device };
  it.each([
    ['a non-string email', { ...good, email: 42 }, 'email'],
    ['an email without a domain', { ...good, email: 'nobody' }, 'email'],
    ['an oversized email', { ...good, email: `${'a'.repeat(60)}@${'b'.repeat(200)}.com` }, 'email'],
    ['an empty user id', { ...good, userId: '' }, 'userId'],
    ['a user id with a control character', { ...good, userId: 'a\u0000b' }, 'userId'],
    ['a user id that is not a string', { ...good, userId: ['x'] }, 'userId'],
    ['an oversized browser', { ...good, device: { browser: 'x'.repeat(129) } }, 'device.browser'],
    ['an oversized device id', { ...good, device: { deviceId: 'd'.repeat(129) } }, 'device.deviceId'],
    ['a malformed IP', { ...good, device: { ip: '999.1.1.1' } }, 'device.ip'],
    ['an unknown device field', { ...good, device: { gpu: 'x' } }, 'device'],
    ['a non-boolean staySignedIn', { ...good, staySignedIn: 'yes' }, 'staySignedIn'],
    ['an unknown MFA status', { ...good, mfa: { status: 'maybe' } }, 'mfa.status'],
    ['an unknown field', { ...good, role: 'admin' }, 'input'],
    ['not an object', 'user-1', 'input'],
  ])('refuses %s on create and writes nothing', async (_name, input, field) => {
    const before = (await allItems(tableName)).length;
    const error = await service.create(input as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionValidationError);
    expect((error as SessionValidationError).field).toBe(field);
    expect((await allItems(tableName)).length).toBe(before);
  });

  it.each([
    ['a malformed session id', () => service.get({ userId: 'u', sessionId: 'not-a-uuid' }), 'sessionId'],
    ['a session id of another shape', () => service.renew({ userId: 'u', sessionId: 'ABCDEF00-0000-4000-8000-000000000000' }), 'sessionId'],
    ['a malformed refresh token', () => service.refresh('short'), 'refreshToken'],
    ['a refresh token that is not a string', () => service.getByRefreshToken(7 as never), 'refreshToken'],
    ['a bad expected version', () => service.trustDevice({ userId: 'u', sessionId: '00000000-0000-4000-8000-000000000000', expectedVersion: 0 }), 'expectedVersion'],
    ['a bad MFA state', () => service.setMfa({ userId: 'u', sessionId: '00000000-0000-4000-8000-000000000000', mfa: { status: 'verified', verifiedAt: -1 } }), 'mfa.verifiedAt'],
    ['a bad user id to list', () => service.list(''), 'userId'],
    ['a bad user id to delete', () => service.deleteAll(null as never), 'userId'],
  ])('refuses %s', async (_name, call, field) => {
    const before = (await allItems(tableName)).length;
    await expect(call()).rejects.toMatchObject({ name: 'SessionValidationError', field });
    expect((await allItems(tableName)).length).toBe(before);
  });
});
