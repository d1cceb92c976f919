import {
  FlowExpiredError,
  FlowNotFoundError,
  InvalidCodeError,
  InvalidCredentialsError,
  LoginCoordinator,
  LoginInputError,
  MfaNotVerifiedError,
} from '../../packages/sessions/src/login';
import { allItems, createTestTable, documentClient } from '../helpers/dynamo';
import { account, loginHarness, mfaStarted, tableSessionCreator, type TestAccount } from '../helpers/login';

const IP = '203.0.113.7';
const DEVICE = { browser: 'Firefox 140', os: 'Linux', deviceId: 'device-1' };

const flowItems = async (tableName: string) => (await allItems(tableName)).filter((item) => /^(LOGIN|MFA)FLOW#/.test(String(item.PK)));
const sessionItems = async (tableName: string) => (await allItems(tableName)).filter((item) => String(item.PK).startsWith('TESTSESSION#'));

describe('login coordinator flows on DynamoDB Local', () => {
  let tableName: string;
  let plain: TestAccount;
  let withMfa: TestAccount;
  let harness: ReturnType<typeof loginHarness>;

  beforeEach(async () => {
    tableName = await createTestTable('login');
    plain = account(false);
    withMfa = account(true);
    harness = loginHarness({ tableName, accounts: [plain, withMfa] });
  });

  const startMfa = async () => mfaStarted(await harness.coordinator.startLogin({ email: withMfa.email, password: withMfa.password, ip: IP, device: DEVICE }));

  it('creates the session at once for an account without MFA and leaves no flow behind', async () => {
    const result = await harness.coordinator.startLogin({ email: plain.email, password: plain.password, ip: IP, device: DEVICE, staySignedIn: true });
    expect(result.status).toBe('SESSION_CREATED');
    expect(harness.sessions.calls).toEqual([{ userId: plain.userId, email: plain.email, device: { ...DEVICE, ip: IP }, staySignedIn: true }]);
    expect(await flowItems(tableName)).toEqual([]);
    expect(harness.events.map(([name]) => name)).toEqual(['LOGIN_STARTED', 'SESSION_CREATED']);
  });

  it('refuses wrong credentials, removes the login flow and reports AUTH_FAILED', async () => {
    await expect(harness.coordinator.startLogin({ email: plain.email, password: 'wrong', ip: IP })).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(await flowItems(tableName)).toEqual([]);
    expect(harness.sessions.calls).toEqual([]);
    expect(harness.events.map(([name]) => name)).toEqual(['LOGIN_STARTED', 'AUTH_FAILED']);
    expect(harness.events[1]![1]).toMatchObject({ reason: 'INVALID_CREDENTIALS', email: plain.email.toLowerCase(), ip: IP, flowEnded: true });
  });

  it('opens an MFA flow linked to its login flow, then completes it: both flows removed, one session with the MFA state', async () => {
    const started = await startMfa();
    expect(started.method).toBe('totp');
    expect(started.expiresAtMs).toBe(harness.clock.ms + 300_000);
    const flows = await flowItems(tableName);
    expect(flows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ PK: `LOGINFLOW#${started.flowId}`, SK: 'METADATA', mfaFlowId: started.mfaFlowId, expiresAtMs: String(harness.clock.ms + 600_000) }),
        expect.objectContaining({ PK: `MFAFLOW#${started.mfaFlowId}`, SK: 'METADATA', parentFlowId: started.flowId, verified: false }),
      ]),
    );
    expect(flows).toHaveLength(2);
    // The TTL backstop is in epoch seconds, past the flow's own expiry.
    for (const flow of flows) expect(Number(flow.ttl)).toBeGreaterThanOrEqual(Number(flow.expiresAtMs) / 1000);

    harness.clock.ms += 20_000;
    await harness.coordinator.verifyMfa({ flowId: started.mfaFlowId, code: harness.codeFor(withMfa) });
    const done = await harness.coordinator.completeMfa({ flowId: started.mfaFlowId });

    expect(done).toMatchObject({ status: 'SESSION_CREATED', flowId: started.flowId, mfaFlowId: started.mfaFlowId });
    expect(harness.sessions.calls).toEqual([
      { userId: withMfa.userId, email: withMfa.email, device: { ...DEVICE, ip: IP }, staySignedIn: false, mfa: { status: 'verified', method: 'totp', verifiedAt: harness.clock.ms } },
    ]);
    expect(await flowItems(tableName)).toEqual([]);
    expect(harness.events.map(([name]) => name)).toEqual(['LOGIN_STARTED', 'MFA_REQUIRED', 'MFA_VERIFIED', 'MFA_COMPLETED', 'SESSION_CREATED']);
  });

  it('refuses to complete an MFA flow whose code was not verified, and keeps it for a code', async () => {
    const started = await startMfa();
    await expect(harness.coordinator.completeMfa({ flowId: started.mfaFlowId })).rejects.toBeInstanceOf(MfaNotVerifiedError);
    expect(await flowItems(tableName)).toHaveLength(2);
    expect(harness.sessions.calls).toEqual([]);

    await harness.coordinator.verifyMfa({ flowId: started.mfaFlowId, code: harness.codeFor(withMfa) });
    await expect(harness.coordinator.completeMfa({ flowId: started.mfaFlowId })).resolves.toMatchObject({ status: 'SESSION_CREATED' });
  });

  it('refuses a wrong code, counts it and keeps the flow', async () => {
    const started = await startMfa();
    const wrong = harness.codeFor(withMfa) === '000000' ? '111111' : '000000';
    await expect(harness.coordinator.verifyMfa({ flowId: started.mfaFlowId, code: wrong })).rejects.toMatchObject({ code: 'INVALID_CODE' });
    expect((await harness.coordinator.attemptStatus({ email: withMfa.email, ip: IP })).user.failures).toBe(1);
    expect(await flowItems(tableName)).toHaveLength(2);
  });

  it('refuses a code used before, even in another login, and an older code of the window after a newer one', async () => {
    const code = harness.codeFor(withMfa);
    const first = await startMfa();
    await harness.coordinator.verifyMfa({ flowId: first.mfaFlowId, code });
    await harness.coordinator.completeMfa({ flowId: first.mfaFlowId });

    const second = await startMfa();
    const replay = harness.coordinator.verifyMfa({ flowId: second.mfaFlowId, code });
    await expect(replay).rejects.toBeInstanceOf(InvalidCodeError);
    await expect(replay).rejects.toMatchObject({ code: 'REPLAYED_CODE' });
    expect(harness.events.at(-1)).toEqual(['AUTH_FAILED', expect.objectContaining({ reason: 'REPLAYED_CODE', flowEnded: false })]);

    // The next step's code is accepted early (the window), after which the current one is too old.
    await harness.coordinator.verifyMfa({ flowId: second.mfaFlowId, code: harness.codeFor(withMfa, 1) });
    const third = await startMfa();
    harness.clock.ms += 1_000;
    await expect(harness.coordinator.verifyMfa({ flowId: third.mfaFlowId, code })).rejects.toMatchObject({ code: 'REPLAYED_CODE' });
  });

  it('refuses an expired MFA flow on read although TTL has not deleted it, and removes both flows', async () => {
    const started = await startMfa();
    harness.clock.ms += 300_000;
    expect(await flowItems(tableName)).toHaveLength(2);
    await expect(harness.coordinator.verifyMfa({ flowId: started.mfaFlowId, code: harness.codeFor(withMfa) })).rejects.toBeInstanceOf(FlowExpiredError);
    expect(await flowItems(tableName)).toEqual([]);
    expect(harness.events.at(-1)).toEqual(['FLOW_EXPIRED', { flowId: started.flowId, mfaFlowId: started.mfaFlowId, email: withMfa.email.toLowerCase() }]);
    await expect(harness.coordinator.verifyMfa({ flowId: started.mfaFlowId, code: harness.codeFor(withMfa) })).rejects.toBeInstanceOf(FlowNotFoundError);
  });

  it('refuses to complete a verified flow once it has expired', async () => {
    const started = await startMfa();
    await harness.coordinator.verifyMfa({ flowId: started.mfaFlowId, code: harness.codeFor(withMfa) });
    harness.clock.ms += 300_001;
    await expect(harness.coordinator.completeMfa({ flowId: started.mfaFlowId })).rejects.toBeInstanceOf(FlowExpiredError);
    expect(harness.sessions.calls).toEqual([]);
    expect(await flowItems(tableName)).toEqual([]);
  });

  it('never lets an MFA flow outlive its login flow', async () => {
    const short = loginHarness({ tableName, accounts: [withMfa], settings: { loginFlowTtlSeconds: 300 } });
    const started = mfaStarted(await short.coordinator.startLogin({ email: withMfa.email, password: withMfa.password, ip: IP }));
    const parent = (await flowItems(tableName)).find((item) => item.PK === `LOGINFLOW#${started.flowId}`);
    expect(started.expiresAtMs).toBeLessThanOrEqual(Number(parent?.expiresAtMs));
  });

  it('creates exactly one session when one verified flow is completed ten times at once', async () => {
    const started = await startMfa();
    await harness.coordinator.verifyMfa({ flowId: started.mfaFlowId, code: harness.codeFor(withMfa) });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => harness.coordinator.completeMfa({ flowId: started.mfaFlowId })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(FlowNotFoundError);
    expect(await sessionItems(tableName)).toHaveLength(1);
    expect(await flowItems(tableName)).toEqual([]);
  });

  it('refuses to finish a login whose credential check outlasted the login flow', async () => {
    const sessions = tableSessionCreator(tableName);
    const slow = new LoginCoordinator({
      client: documentClient(),
      tableName,
      sessions,
      now: () => harness.clock.ms,
      checkCredentials: async () => {
        harness.clock.ms += 600_000;
        return { userId: plain.userId, mfaRequired: false };
      },
    });
    await expect(slow.startLogin({ email: plain.email, password: plain.password, ip: IP })).rejects.toBeInstanceOf(FlowExpiredError);
    expect(sessions.calls).toEqual([]);
    expect(await flowItems(tableName)).toEqual([]);
  });

  it('passes a credential check outage on without counting it, and removes the login flow', async () => {
    const outage = new Error('user directory unavailable');
    const down = new LoginCoordinator({ client: documentClient(), tableName, sessions: harness.sessions, checkCredentials: () => Promise.reject(outage) });
    await expect(down.startLogin({ email: plain.email, password: plain.password, ip: IP })).rejects.toBe(outage);
    expect(await down.attemptStatus({ email: plain.email, ip: IP })).toMatchObject({ user: { failures: 0 }, ip: { failures: 0 } });
    expect(await flowItems(tableName)).toEqual([]);
  });

  it('ends the flows once even when the session service fails (a stand-in failing on purpose), so a retried completion finds none', async () => {
    const failing = new LoginCoordinator({
      client: documentClient(),
      tableName,
      sessions: { create: () => Promise.reject(new Error('session store down')) },
      checkCredentials: async () => ({ userId: withMfa.userId, mfaRequired: true }),
      secondFactor: { method: 'test', verify: async () => ({ ok: true }) },
    });
    const started = mfaStarted(await failing.startLogin({ email: withMfa.email, password: 'any', ip: IP }));
    await failing.verifyMfa({ flowId: started.mfaFlowId, code: '123456' });
    await expect(failing.completeMfa({ flowId: started.mfaFlowId })).rejects.toThrow('session store down');
    await expect(failing.completeMfa({ flowId: started.mfaFlowId })).rejects.toBeInstanceOf(FlowNotFoundError);
    expect(await flowItems(tableName)).toEqual([]);
  });

  it('removes both flows when the login is cancelled by either id', async () => {
    const first = await startMfa();
    await harness.coordinator.cancelLogin({ flowId: first.mfaFlowId });
    const second = await startMfa();
    await harness.coordinator.cancelLogin({ flowId: second.flowId });
    expect(await flowItems(tableName)).toEqual([]);
  });

  describe('with bad input', () => {
    const good = () => ({ email: withMfa.email, password: withMfa.password, ip: IP });
    it.each<[string, (g: ReturnType<typeof good>) => unknown, string]>([
      ['not an object', () => 'ada@example.com', 'input'],
      ['an unknown field', (g) => ({ ...g, staySignedin: true }), 'input'],
      ['a non-string email', (g) => ({ ...g, email: 42 }), 'email'],
      ['an email without @', (g) => ({ ...g, email: 'ada.example.com' }), 'email'],
      ['an email with a control character', (g) => ({ ...g, email: 'ada\u0000@example.com' }), 'email'],
      ['an oversized email', (g) => ({ ...g, email: `${'a'.repeat(250)}@example.com` }), 'email'],
      ['an empty password', (g) => ({ ...g, password: '' }), 'password'],
      ['an oversized password', (g) => ({ ...g, password: 'p'.repeat(1025) }), 'password'],
      ['a malformed ip', (g) => ({ ...g, ip: '203.0.113.300' }), 'ip'],
      ['a non-boolean staySignedIn', (g) => ({ ...g, staySignedIn: 'yes' }), 'staySignedIn'],
      ['a device that is an array', (g) => ({ ...g, device: ['Firefox'] }), 'device'],
      ['an unknown device field', (g) => ({ ...g, device: { browser: 'Firefox', gpu: 'x' } }), 'device'],
      ['an oversized browser', (g) => ({ ...g, device: { browser: 'F'.repeat(201) } }), 'device.browser'],
      ['an os with a newline', (g) => ({ ...g, device: { os: 'Linux\nforged' } }), 'device.os'],
      // What the session service would refuse after the credentials checked out is refused up front.
      ['a browser longer than a session may store (150 characters)', (g) => ({ ...g, device: { browser: 'F'.repeat(150) } }), 'device.browser'],
      ['an email a session may not store (no dot in its domain)', (g) => ({ ...g, email: 'admin@localhost' }), 'email'],
      ['a malformed device id', (g) => ({ ...g, device: { deviceId: 'a b' } }), 'device.deviceId'],
    ])('startLogin refuses %s, writes nothing and checks no credentials', async (_, make, field) => {
      await expect(harness.coordinator.startLogin(make(good()) as never)).rejects.toMatchObject({ name: 'LoginInputError', code: 'INVALID_INPUT', field });
      expect(await allItems(tableName)).toEqual([]);
      expect(harness.credentialChecks).toEqual([]);
      expect(harness.events).toEqual([]);
    });

    it.each<[string, () => Promise<unknown>, string]>([
      ['verifyMfa with a malformed flow id', () => harness.coordinator.verifyMfa({ flowId: 'LOGINFLOW#x', code: '123456' }), 'flowId'],
      ['verifyMfa with a non-string code', () => harness.coordinator.verifyMfa({ flowId: '00000000-0000-4000-8000-000000000000', code: 123456 as never }), 'code'],
      ['verifyMfa with an oversized code', () => harness.coordinator.verifyMfa({ flowId: '00000000-0000-4000-8000-000000000000', code: '1'.repeat(17) }), 'code'],
      ['completeMfa with an extra field', () => harness.coordinator.completeMfa({ flowId: '00000000-0000-4000-8000-000000000000', code: '1' } as never), 'input'],
      ['cancelLogin with no flow id', () => harness.coordinator.cancelLogin({} as never), 'flowId'],
      ['attemptStatus with a malformed ip', () => harness.coordinator.attemptStatus({ email: 'ada@example.com', ip: 'localhost' }), 'ip'],
    ])('%s is a LoginInputError and writes nothing', async (_, call, field) => {
      const error: unknown = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LoginInputError);
      expect(error).toMatchObject({ field });
      expect(await allItems(tableName)).toEqual([]);
    });

    it.each([
      ['a malformed user id', { userId: 'has space', mfaRequired: false }, 'the credential check’s userId'],
      ['a malformed email', { userId: 'u-1', email: 'nobody', mfaRequired: false }, 'the credential check’s email'],
      ['no mfaRequired', { userId: 'u-1' }, 'the credential check’s mfaRequired'],
    ])('a credential check answering %s ends the login without a session and leaves no flow', async (_, answer, field) => {
      const sessions = tableSessionCreator(tableName);
      const coordinator = new LoginCoordinator({ client: documentClient(), tableName, sessions, checkCredentials: async () => answer as never });
      await expect(coordinator.startLogin(good())).rejects.toMatchObject({ field });
      expect(await allItems(tableName)).toEqual([]);
      expect(sessions.calls).toEqual([]);
    });
  });
});
