import { FlowNotFoundError, InvalidCodeError, InvalidCredentialsError, LockedOutError } from '../../packages/sessions/src/login';
import { allItems, createTestTable } from '../helpers/dynamo';
import { account, loginHarness, mfaStarted, type TestAccount } from '../helpers/login';

const IP = '198.51.100.4';
const OTHER_IP = '2001:db8::7';
const SETTINGS = { maxFailuresPerUser: 3, maxFailuresPerIp: 5, lockoutSeconds: 600, failureWindowSeconds: 900 };

describe('login attempts and lockouts on DynamoDB Local', () => {
  let tableName: string;
  let alice: TestAccount;
  let bob: TestAccount;
  let harness: ReturnType<typeof loginHarness>;

  beforeEach(async () => {
    tableName = await createTestTable('attempts');
    alice = account(false);
    bob = account(true);
    harness = loginHarness({ tableName, accounts: [alice, bob], settings: SETTINGS });
  });

  const login = (who: TestAccount, password = who.password, ip = IP) => harness.coordinator.startLogin({ email: who.email, password, ip });
  const wrongCode = (who: TestAccount) => (harness.codeFor(who) === '000000' ? '111111' : '000000');

  it('locks an account out at the threshold of wrong passwords, then refuses even the right one without checking it', async () => {
    await expect(login(alice, 'wrong-1')).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(login(alice, 'wrong-2')).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(await harness.coordinator.attemptStatus({ email: alice.email, ip: IP })).toEqual({
      user: { failures: 2, locked: false },
      ip: { failures: 2, locked: false },
      locked: false,
      retryAfterSeconds: 0,
    });

    const third = await login(alice, 'wrong-3').catch((e: unknown) => e);
    expect(third).toBeInstanceOf(LockedOutError);
    expect(third).toMatchObject({ scope: 'user', retryAfterSeconds: 600 });
    expect(harness.events.filter(([name]) => name === 'LOCKED_OUT')).toEqual([['LOCKED_OUT', { scope: 'user', email: alice.email.toLowerCase(), ip: IP, lockedUntil: harness.clock.ms / 1000 + 600 }]]);

    const checks = harness.credentialChecks.length;
    harness.clock.ms += 599_000;
    await expect(login(alice)).rejects.toMatchObject({ code: 'LOCKED_OUT', retryAfterSeconds: 1 });
    expect(harness.credentialChecks).toHaveLength(checks);
    expect(harness.sessions.calls).toEqual([]);
    expect(await harness.coordinator.attemptStatus({ email: alice.email, ip: IP })).toMatchObject({ user: { locked: true }, locked: true, retryAfterSeconds: 1 });
  });

  it('lets the account in once the lockout has expired, counting failures from zero again', async () => {
    for (const n of [1, 2, 3]) await login(alice, `wrong-${n}`).catch(() => undefined);
    harness.clock.ms += 600_000;
    expect((await harness.coordinator.attemptStatus({ email: alice.email, ip: IP })).user).toEqual({ failures: 0, locked: false });
    await expect(login(alice, 'wrong-4')).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect((await harness.coordinator.attemptStatus({ email: alice.email, ip: IP })).user).toEqual({ failures: 1, locked: false });
    await expect(login(alice)).resolves.toMatchObject({ status: 'SESSION_CREATED' });
  });

  it('forgets failures older than the counting window', async () => {
    await login(alice, 'wrong-1').catch(() => undefined);
    await login(alice, 'wrong-2').catch(() => undefined);
    harness.clock.ms += 900_000;
    await expect(login(alice, 'wrong-3')).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect((await harness.coordinator.attemptStatus({ email: alice.email, ip: IP })).user.failures).toBe(1);
  });

  it('locks a source IP out when it guesses across accounts, and not the account from elsewhere', async () => {
    const others = Array.from({ length: 4 }, () => account(false));
    for (const other of others) await login(other, 'guess').catch(() => undefined);
    const fifth = await login(alice, 'guess').catch((e: unknown) => e);
    expect(fifth).toMatchObject({ name: 'LockedOutError', scope: 'ip' });
    await expect(login(alice)).rejects.toMatchObject({ code: 'LOCKED_OUT', scope: 'ip' });
    await expect(login(alice, alice.password, OTHER_IP)).resolves.toMatchObject({ status: 'SESSION_CREATED' });
  });

  it("clears the account's failures on success, and never the address's", async () => {
    await login(alice, 'wrong-1').catch(() => undefined);
    await login(alice, 'wrong-2').catch(() => undefined);
    await login(alice);
    expect(await harness.coordinator.attemptStatus({ email: alice.email, ip: IP })).toMatchObject({ user: { failures: 0 }, ip: { failures: 2 } });
  });

  it('counts wrong codes up to the lockout, which ends the login and removes both flows', async () => {
    const flowId = mfaStarted(await login(bob)).mfaFlowId;
    await expect(harness.coordinator.verifyMfa({ flowId, code: wrongCode(bob) })).rejects.toBeInstanceOf(InvalidCodeError);
    await expect(harness.coordinator.verifyMfa({ flowId, code: wrongCode(bob) })).rejects.toBeInstanceOf(InvalidCodeError);
    expect(await allItems(tableName)).toEqual(expect.arrayContaining([expect.objectContaining({ PK: `MFAFLOW#${flowId}` })]));

    await expect(harness.coordinator.verifyMfa({ flowId, code: wrongCode(bob) })).rejects.toMatchObject({ name: 'LockedOutError', scope: 'user' });
    expect((await allItems(tableName)).filter((item) => /FLOW#/.test(String(item.PK)))).toEqual([]);
    expect(harness.events.at(-1)).toEqual(['AUTH_FAILED', expect.objectContaining({ reason: 'INVALID_CODE', flowEnded: true, userId: bob.userId })]);
    // The right code no longer helps: the flow is gone and the account locked.
    await expect(harness.coordinator.verifyMfa({ flowId, code: harness.codeFor(bob) })).rejects.toBeInstanceOf(FlowNotFoundError);
    await expect(login(bob)).rejects.toBeInstanceOf(LockedOutError);
  });

  it('ends an open MFA flow when its account was locked out from another login meanwhile', async () => {
    const flowId = mfaStarted(await login(bob)).mfaFlowId;
    for (const n of [1, 2, 3]) await login(bob, `wrong-${n}`, OTHER_IP).catch(() => undefined);
    await expect(harness.coordinator.verifyMfa({ flowId, code: harness.codeFor(bob) })).rejects.toBeInstanceOf(LockedOutError);
    expect((await allItems(tableName)).filter((item) => /FLOW#/.test(String(item.PK)))).toEqual([]);
  });

  it('locks the account once when failures race past the threshold, and tells each late one when the lockout ends', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, n) => login(alice, `wrong-${n}`, `192.0.2.${n + 1}`)));
    const locked = results.flatMap((r) => (r.status === 'rejected' && r.reason instanceof LockedOutError ? [r.reason] : []));
    expect(locked.length).toBeGreaterThanOrEqual(1);
    expect(new Set(locked.map((e) => e.lockedUntil))).toEqual(new Set([harness.clock.ms / 1000 + 600]));
    const status = await harness.coordinator.attemptStatus({ email: alice.email, ip: IP });
    expect(status.user).toMatchObject({ locked: true, lockedUntil: harness.clock.ms / 1000 + 600 });
    expect(status.user.failures).toBeGreaterThanOrEqual(3);
  });
});
