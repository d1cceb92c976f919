import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigError } from '../../../contract/src/config-error';
import { createAttemptCounters, type AttemptCounters, type AttemptStatus, type CounterStatus } from './attempts';
import { FlowExpiredError, FlowNotFoundError, InvalidCodeError, InvalidCredentialsError, LockedOutError, LoginInputError, MfaNotVerifiedError } from './errors';
import { LoginEvent, type LoginEvents } from './events';
import { createFlowStore, type FlowStore, type LoginFlow, type MfaFlow } from './flow-store';
import { checkAccountEmail, checkCode, checkEmail, checkFlowId, checkIp, checkObject, checkStartLogin, checkUserId, type StartLoginInput } from './input';
import { loginSettings, MFA_FLOW_TTL_SECONDS, type LoginSettings } from './settings';
import type { MfaState } from '../types';
import type { CredentialCheck, SecondFactor, SessionCreateResult, SessionCreator } from './types';

export interface LoginCoordinatorOptions {
  /** A document client (`createDocumentClient()`) and the single table's name. */
  client: DynamoDBDocumentClient;
  tableName: string;
  /** The caller's credential check. */
  checkCredentials: CredentialCheck;
  /** Creates the user session once a login succeeds (the session service's `create`). */
  sessions: SessionCreator;
  /** The second factor for accounts whose credential check says `mfaRequired` (`createTotpFactor`). */
  secondFactor?: SecondFactor;
  /** Over the environment's settings (`readLoginSettings`), held to the same bounds. */
  settings?: Partial<LoginSettings>;
  /** Epoch ms; tests inject a clock to move past expiries. */
  now?: () => number;
}

/** `startLogin`'s outcome: a session at once, or an MFA flow to answer with `verifyMfa` and `completeMfa`. */
export type LoginResult =
  | { status: 'MFA_REQUIRED'; flowId: string; mfaFlowId: string; method: string; expiresAtMs: number }
  | ({ status: 'SESSION_CREATED'; flowId: string } & SessionCreateResult);

/** `completeMfa`'s outcome: the session, its refresh token, and what it evicted. */
export type CompletedLogin = { status: 'SESSION_CREATED'; flowId: string; mfaFlowId: string } & SessionCreateResult;

const seconds = (ms: number): number => Math.floor(ms / 1000);

/**
 * Runs logins with an optional second factor over the single table, and reports each step as an
 * event. A login flow lives `loginFlowTtlSeconds`; its MFA child 300 s (never past the parent).
 * Completing the MFA flow removes both flows and creates the session; a failure that ends the login
 * (a lockout, an expiry) removes both. Failed passwords and codes are counted per account and per
 * source IP and lock out past their thresholds (`attemptStatus`).
 *
 * @example
 * const logins = new LoginCoordinator({ client: createDocumentClient(), tableName, checkCredentials, sessions, secondFactor: createTotpFactor({ client, tableName, secretFor }) });
 * logins.on(LoginEvent.AUTH_FAILED, ({ reason, ip }) => log.warn({ reason, ip }));
 *
 * const started = await logins.startLogin({ email, password, ip, device: { browser: 'Firefox', os: 'Linux' } });
 * if (started.status === 'MFA_REQUIRED') {
 *   await logins.verifyMfa({ flowId: started.mfaFlowId, code: '123456' });
 *   const { session, refreshToken } = await logins.completeMfa({ flowId: started.mfaFlowId });
 * }
 */
export class LoginCoordinator extends EventEmitter<LoginEvents> {
  readonly settings: LoginSettings;
  private readonly flows: FlowStore;
  private readonly attempts: AttemptCounters;
  private readonly checkCredentials: CredentialCheck;
  private readonly sessions: SessionCreator;
  private readonly secondFactor: SecondFactor | undefined;
  private readonly now: () => number;

  constructor(options: LoginCoordinatorOptions) {
    super();
    if (!options.tableName) throw new ConfigError('LoginCoordinator needs a tableName');
    if (typeof options.checkCredentials !== 'function') throw new ConfigError('LoginCoordinator needs a checkCredentials function');
    if (typeof options.sessions?.create !== 'function') throw new ConfigError('LoginCoordinator needs a session creator (sessions.create)');
    this.settings = loginSettings(options.settings);
    this.flows = createFlowStore(options);
    this.attempts = createAttemptCounters({ ...options, settings: this.settings });
    this.checkCredentials = options.checkCredentials;
    this.sessions = options.sessions;
    this.secondFactor = options.secondFactor;
    this.now = options.now ?? Date.now;
  }

  /**
   * Failures and lockouts of an account and a source IP, for rate limiting ahead of a login (one
   * consistent BatchGetItem).
   *
   * @example
   * const status = await logins.attemptStatus({ email, ip });
   * if (status.locked) return { statusCode: 429, headers: { 'Retry-After': String(status.retryAfterSeconds) } };
   */
  async attemptStatus(input: { email: string; ip: string }): Promise<AttemptStatus> {
    const checked = checkObject(input, ['email', 'ip']);
    return this.attempts.status({ email: checkEmail(checked.email), ip: checkIp(checked.ip), nowSeconds: seconds(this.now()) });
  }

  /**
   * Starts a login: refuses a locked-out account or address (`LockedOutError`), opens a login flow,
   * runs the credential check (`InvalidCredentialsError`, counted), then either creates the session
   * or opens an MFA flow. A malformed argument is a `LoginInputError` and nothing is written.
   *
   * @example
   * const result = await logins.startLogin({ email: 'ada@example.com', password, ip: '203.0.113.7', staySignedIn: true });
   * if (result.status === 'SESSION_CREATED') setCookie(result.refreshToken);
   * else askForCode(result.mfaFlowId, result.expiresAtMs);
   */
  async startLogin(input: StartLoginInput): Promise<LoginResult> {
    const { email, password, ip, device, staySignedIn } = checkStartLogin(input);
    await this.refuseIfLocked({ email, ip });
    const startedAtMs = this.now();
    const flow: LoginFlow = {
      flowId: randomUUID(),
      email,
      ip,
      device: { ...device, ip },
      staySignedIn,
      startedAtMs,
      expiresAtMs: startedAtMs + this.settings.loginFlowTtlSeconds * 1000,
    };
    await this.flows.putLoginFlow(flow);
    this.emit(LoginEvent.LOGIN_STARTED, { flowId: flow.flowId, email, ip, expiresAtMs: flow.expiresAtMs });

    let match;
    let accountEmail = email;
    try {
      match = await this.checkCredentials({ email, password, ip });
      if (match) {
        checkUserId(match.userId, 'the credential check’s userId');
        if (typeof match.mfaRequired !== 'boolean') throw new LoginInputError('the credential check’s mfaRequired', 'must be a boolean');
        if (match.email !== undefined) accountEmail = checkAccountEmail(match.email, 'the credential check’s email');
        if (match.mfaRequired && !this.secondFactor) throw new ConfigError(`the account ${match.userId} needs a second factor and the coordinator has none (secondFactor)`);
      }
    } catch (error) {
      await this.flows.removeFlows({ loginFlowId: flow.flowId });
      throw error;
    }
    if (!match) {
      await this.flows.removeFlows({ loginFlowId: flow.flowId });
      const locked = await this.countFailure({ email, ip });
      this.emit(LoginEvent.AUTH_FAILED, { flowId: flow.flowId, email, ip, reason: 'INVALID_CREDENTIALS', flowEnded: true });
      throw locked ?? new InvalidCredentialsError();
    }
    if (!match.mfaRequired) {
      if (!(await this.flows.claimLoginCompletion(flow.flowId, this.now()))) throw await this.expired(flow);
      const created = await this.createSession({ flowId: flow.flowId, userId: match.userId, accountEmail, flow });
      return { status: 'SESSION_CREATED', flowId: flow.flowId, ...created };
    }

    const method = this.secondFactor!.method;
    const nowMs = this.now();
    const mfa: MfaFlow = {
      flowId: randomUUID(),
      parentFlowId: flow.flowId,
      userId: match.userId,
      email,
      accountEmail,
      ip,
      device: flow.device,
      staySignedIn,
      method,
      expiresAtMs: Math.min(nowMs + MFA_FLOW_TTL_SECONDS * 1000, flow.expiresAtMs),
      verified: false,
    };
    if (!(await this.flows.openMfaFlow(mfa, nowMs))) throw await this.expired(flow);
    this.emit(LoginEvent.MFA_REQUIRED, { flowId: flow.flowId, mfaFlowId: mfa.flowId, userId: mfa.userId, email: accountEmail, method, expiresAtMs: mfa.expiresAtMs });
    return { status: 'MFA_REQUIRED', flowId: flow.flowId, mfaFlowId: mfa.flowId, method, expiresAtMs: mfa.expiresAtMs };
  }

  /**
   * Checks a second-factor code for an MFA flow. A wrong or replayed code is an `InvalidCodeError`
   * and counts as a failure; the failure that reaches a lockout ends the login (both flows removed)
   * with a `LockedOutError`. A right one marks the flow verified for `completeMfa`; once verified,
   * further calls answer verified without looking at the code. Failures count against the account
   * and the IP the login started from.
   *
   * @example
   * await logins.verifyMfa({ flowId: mfaFlowId, code: '492039' });
   */
  async verifyMfa(input: { flowId: string; code: string }): Promise<{ flowId: string; verified: true }> {
    const checked = checkObject(input, ['flowId', 'code']);
    const flowId = checkFlowId(checked.flowId);
    const code = checkCode(checked.code);
    const mfa = await this.liveMfaFlow(flowId);
    if (mfa.verified) return { flowId, verified: true };
    const who = { email: mfa.email, ip: mfa.ip, flowId: mfa.parentFlowId, mfaFlowId: flowId, userId: mfa.userId };
    await this.refuseIfLocked(who, mfa);

    const nowMs = this.now();
    const verdict = await this.secondFactor!.verify({ userId: mfa.userId, code, nowMs });
    if (!verdict.ok) {
      const locked = await this.countFailure(who);
      // The failure that locks the account or address ends the login.
      if (locked) await this.flows.removeFlows({ loginFlowId: mfa.parentFlowId, mfaFlowId: flowId });
      this.emit(LoginEvent.AUTH_FAILED, { ...who, reason: verdict.reason, flowEnded: locked !== undefined });
      throw locked ?? new InvalidCodeError(verdict.reason);
    }
    if (!(await this.flows.markVerified(flowId, nowMs))) {
      // Gone, expired or verified by a racing call since it was read: read it again to say which.
      await this.liveMfaFlow(flowId);
      return { flowId, verified: true };
    }
    this.emit(LoginEvent.MFA_VERIFIED, { flowId: mfa.parentFlowId, mfaFlowId: flowId, userId: mfa.userId, method: mfa.method });
    return { flowId, verified: true };
  }

  /**
   * Ends a verified MFA flow: removes it and its login flow in one conditional transaction (of two
   * racing completions exactly one gets here; the other gets `FlowNotFoundError`), then creates the
   * session. `MfaNotVerifiedError` before `verifyMfa` succeeded; `FlowExpiredError` past the expiry.
   *
   * @example
   * const { session, refreshToken, evicted } = await logins.completeMfa({ flowId: mfaFlowId });
   */
  async completeMfa(input: { flowId: string }): Promise<CompletedLogin> {
    const flowId = checkFlowId(checkObject(input, ['flowId']).flowId);
    const mfa = await this.liveMfaFlow(flowId);
    if (!mfa.verified) throw new MfaNotVerifiedError(flowId);
    if (!(await this.flows.claimMfaCompletion(mfa, this.now()))) {
      await this.liveMfaFlow(flowId);
      throw new FlowNotFoundError(flowId);
    }
    this.emit(LoginEvent.MFA_COMPLETED, { flowId: mfa.parentFlowId, mfaFlowId: flowId, userId: mfa.userId, method: mfa.method });
    const created = await this.createSession({
      flowId: mfa.parentFlowId,
      userId: mfa.userId,
      accountEmail: mfa.accountEmail,
      flow: mfa,
      mfa: { status: 'verified', method: mfa.method, ...(mfa.verifiedAtMs === undefined ? {} : { verifiedAt: mfa.verifiedAtMs }) },
    });
    return { status: 'SESSION_CREATED', flowId: mfa.parentFlowId, mfaFlowId: flowId, ...created };
  }

  /**
   * Abandons a login (the user pressed "cancel"): removes the login flow and its MFA child, given
   * either's id. Unknown ids are ignored.
   *
   * @example
   * await logins.cancelLogin({ flowId });
   */
  async cancelLogin(input: { flowId: string }): Promise<void> {
    const flowId = checkFlowId(checkObject(input, ['flowId']).flowId);
    const [login, mfa] = await Promise.all([this.flows.getLoginFlow(flowId), this.flows.getMfaFlow(flowId)]);
    if (login) await this.flows.removeFlows({ loginFlowId: flowId, mfaFlowId: login.mfaFlowId });
    if (mfa) await this.flows.removeFlows({ loginFlowId: mfa.parentFlowId, mfaFlowId: flowId });
  }

  /** The MFA flow and its parent, both unexpired; otherwise `FlowNotFoundError`, or `FlowExpiredError` after removing both. */
  private async liveMfaFlow(flowId: string): Promise<MfaFlow> {
    const mfa = await this.flows.getMfaFlow(flowId);
    if (!mfa) throw new FlowNotFoundError(flowId);
    if (mfa.expiresAtMs <= this.now()) {
      await this.flows.removeFlows({ loginFlowId: mfa.parentFlowId, mfaFlowId: flowId });
      this.emit(LoginEvent.FLOW_EXPIRED, { flowId: mfa.parentFlowId, mfaFlowId: flowId, email: mfa.email });
      throw new FlowExpiredError(flowId);
    }
    return mfa;
  }

  /** A login flow found expired (or gone) at its completion: both flows removed, and the error to throw. */
  private async expired(flow: LoginFlow): Promise<FlowExpiredError> {
    await this.flows.removeFlows({ loginFlowId: flow.flowId });
    this.emit(LoginEvent.FLOW_EXPIRED, { flowId: flow.flowId, email: flow.email });
    return new FlowExpiredError(flow.flowId);
  }

  /** Refuses a locked-out account or address; with an MFA flow, ending it (both flows removed). */
  private async refuseIfLocked(who: { email: string; ip: string; flowId?: string; mfaFlowId?: string; userId?: string }, mfa?: MfaFlow): Promise<void> {
    const status = await this.attempts.status({ email: who.email, ip: who.ip, nowSeconds: seconds(this.now()) });
    if (!status.locked) return;
    if (mfa) await this.flows.removeFlows({ loginFlowId: mfa.parentFlowId, mfaFlowId: mfa.flowId });
    this.emit(LoginEvent.AUTH_FAILED, { ...who, reason: 'LOCKED_OUT', flowEnded: mfa !== undefined });
    const scope = status.user.locked ? 'user' : 'ip';
    throw new LockedOutError(scope, status[scope].lockedUntil!, status.retryAfterSeconds);
  }

  /** Counts a failure against the account and the address; the `LockedOutError` when this one locked either. */
  private async countFailure(failure: { email: string; ip: string }): Promise<LockedOutError | undefined> {
    const nowSeconds = seconds(this.now());
    const counted = await this.attempts.countFailure({ email: failure.email, ip: failure.ip, nowSeconds });
    let locked: LockedOutError | undefined;
    for (const scope of ['user', 'ip'] as const) {
      const status: CounterStatus = counted[scope];
      if (!status.locked) continue;
      this.emit(LoginEvent.LOCKED_OUT, { scope, email: failure.email, ip: failure.ip, lockedUntil: status.lockedUntil! });
      locked ??= new LockedOutError(scope, status.lockedUntil!, status.lockedUntil! - nowSeconds);
    }
    return locked;
  }

  /** Clears the account's failures, creates the session and reports it. */
  private async createSession({
    flowId,
    userId,
    accountEmail,
    flow,
    mfa,
  }: {
    flowId: string;
    userId: string;
    accountEmail: string;
    flow: LoginFlow | MfaFlow;
    mfa?: MfaState;
  }): Promise<SessionCreateResult> {
    await this.attempts.clearUser({ email: flow.email, nowSeconds: seconds(this.now()) });
    const created = await this.sessions.create({ userId, email: accountEmail, device: flow.device, staySignedIn: flow.staySignedIn, ...(mfa ? { mfa } : {}) });
    this.emit(LoginEvent.SESSION_CREATED, { flowId, userId, sessionId: created.session.sessionId, expiresAt: created.session.expiresAt, mfa: mfa?.status === 'verified' });
    for (const evicted of created.evicted) this.emit(LoginEvent.SESSION_EVICTED, { userId, sessionId: evicted.sessionId });
    return created;
  }
}
