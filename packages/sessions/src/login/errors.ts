/**
 * What a login can be refused for. Every refusal the coordinator throws is a `LoginError` with one of
 * these codes, so a caller can answer with a `switch` on `code` or an `instanceof` on the class.
 */
export type LoginErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_CODE'
  | 'REPLAYED_CODE'
  | 'LOCKED_OUT'
  | 'FLOW_NOT_FOUND'
  | 'FLOW_EXPIRED'
  | 'MFA_NOT_VERIFIED';

/** The base class of every refusal; `code` says which. */
export class LoginError extends Error {
  override readonly name: string = 'LoginError';
  constructor(
    readonly code: LoginErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An argument is malformed (`field` names it); nothing was read or written. */
export class LoginInputError extends LoginError {
  override readonly name = 'LoginInputError';
  constructor(
    readonly field: string,
    rule: string,
  ) {
    super('INVALID_INPUT', `${field} ${rule}`);
  }
}

/** The credential check said no; the failure was counted. */
export class InvalidCredentialsError extends LoginError {
  override readonly name = 'InvalidCredentialsError';
  constructor() {
    super('INVALID_CREDENTIALS', 'the email or the password is wrong');
  }
}

/** The second factor said no (`INVALID_CODE`), or the code was already used (`REPLAYED_CODE`); the failure was counted. */
export class InvalidCodeError extends LoginError {
  override readonly name = 'InvalidCodeError';
  constructor(code: 'INVALID_CODE' | 'REPLAYED_CODE') {
    super(code, code === 'REPLAYED_CODE' ? 'this code was already used; wait for the next one' : 'the code is wrong');
  }
}

/** Too many failures for this account or this source IP; `retryAfterSeconds` says when the lockout ends. */
export class LockedOutError extends LoginError {
  override readonly name = 'LockedOutError';
  constructor(
    readonly scope: 'user' | 'ip',
    readonly lockedUntil: number,
    readonly retryAfterSeconds: number,
  ) {
    super('LOCKED_OUT', `too many failed attempts for this ${scope === 'user' ? 'account' : 'address'}; retry in ${retryAfterSeconds} s`);
  }
}

/** No such flow: never started, already completed or failed. */
export class FlowNotFoundError extends LoginError {
  override readonly name = 'FlowNotFoundError';
  constructor(readonly flowId: string) {
    super('FLOW_NOT_FOUND', `no login in progress with flow id ${flowId}`);
  }
}

/** The flow (or its parent login flow) is past its expiry; it was removed. */
export class FlowExpiredError extends LoginError {
  override readonly name = 'FlowExpiredError';
  constructor(readonly flowId: string) {
    super('FLOW_EXPIRED', `the login flow ${flowId} has expired; start again`);
  }
}

/** `completeMfa` before a code was verified for this flow. */
export class MfaNotVerifiedError extends LoginError {
  override readonly name = 'MfaNotVerifiedError';
  constructor(readonly flowId: string) {
    super('MFA_NOT_VERIFIED', `the MFA flow ${flowId} has no verified code yet`);
  }
}
