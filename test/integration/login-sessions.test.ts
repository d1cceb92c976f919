/** The login coordinator wired to the real session service (packages/sessions), on DynamoDB Local. */
import { createSessionService, LoginEvent, type SessionService } from '../../packages/sessions/src';
import { createTestTable, documentClient } from '../helpers/dynamo';
import { account, LOGIN_T0_MS, loginHarness, mfaStarted, type TestAccount } from '../helpers/login';

const IP = '198.51.100.20';

describe('login coordinator with the session service', () => {
  let tableName: string;
  let plain: TestAccount;
  let withMfa: TestAccount;
  let service: SessionService;
  let harness: ReturnType<typeof loginHarness>;
  const clock = { ms: LOGIN_T0_MS };

  beforeEach(async () => {
    tableName = await createTestTable('login-sessions');
    plain = account(false);
    withMfa = account(true);
    clock.ms = LOGIN_T0_MS;
    service = createSessionService({ tableName, client: documentClient(), settings: { maxSessionsPerUser: 2 }, nowMs: () => clock.ms });
    harness = loginHarness({ tableName, accounts: [plain, withMfa], clock, service });
  });

  it('a login through MFA creates a session the service reads back, marked verified by TOTP', async () => {
    const started = mfaStarted(await harness.coordinator.startLogin({ email: withMfa.email, password: withMfa.password, ip: IP, device: { browser: 'Chromium', deviceId: 'd-1' } }));
    await harness.coordinator.verifyMfa({ flowId: started.mfaFlowId, code: harness.codeFor(withMfa) });
    const done = await harness.coordinator.completeMfa({ flowId: started.mfaFlowId });
    if (done.status !== 'SESSION_CREATED') throw new Error(`expected SESSION_CREATED, got ${done.status}`);
    const stored = await service.get({ userId: withMfa.userId, sessionId: done.session.sessionId });
    expect(stored).toMatchObject({ userId: withMfa.userId, email: withMfa.email, device: { browser: 'Chromium', deviceId: 'd-1', ip: IP }, mfa: { status: 'verified', method: 'totp' } });
    // The refresh token the login returned is the session's.
    await expect(service.refresh(done.refreshToken)).resolves.toMatchObject({ session: { sessionId: done.session.sessionId } });
  });

  it('a login past the per-user limit evicts the least recently used session and says so in an event', async () => {
    const login = async () => {
      clock.ms += 1_000;
      const result = await harness.coordinator.startLogin({ email: plain.email, password: plain.password, ip: IP, device: {} });
      if (result.status !== 'SESSION_CREATED') throw new Error(`expected SESSION_CREATED, got ${result.status}`);
      return result;
    };
    const first = await login();
    await login();
    const third = await login();
    expect(third.evicted.map((s) => s.sessionId)).toEqual([first.session.sessionId]);
    expect(harness.events.filter(([name]) => name === LoginEvent.SESSION_EVICTED).map(([, payload]) => payload)).toEqual([{ userId: plain.userId, sessionId: first.session.sessionId }]);
    expect((await service.list(plain.userId)).map((s) => s.sessionId).sort()).not.toContain(first.session.sessionId);
  });
});
