/**
 * The login and MFA coordinator of the user-session library: `LoginCoordinator` with its events and
 * errors, the shipped TOTP second factor, and the settings it reads.
 */
export { LoginCoordinator, type CompletedLogin, type LoginCoordinatorOptions, type LoginResult } from './coordinator';
export { LoginEvent, type LoginEvents } from './events';
export {
  FlowExpiredError,
  FlowNotFoundError,
  InvalidCodeError,
  InvalidCredentialsError,
  LockedOutError,
  LoginError,
  LoginInputError,
  MfaNotVerifiedError,
  type LoginErrorCode,
} from './errors';
export type { AttemptStatus, CounterStatus } from './attempts';
export type { CredentialCheck, CredentialMatch, Device, SecondFactor, SecondFactorVerdict, SessionCreateInput, SessionCreateResult, SessionCreator } from './types';
export type { StartLoginInput } from './input';
export { createTotpFactor } from './totp-factor';
export { decodeBase32, encodeBase32, hotp, timeStepAt, totp, verifyTotp, type TotpAlgorithm, type TotpOptions } from './totp';
export {
  LOGIN_FAILURE_WINDOW_SECONDS,
  LOGIN_FLOW_TTL_SECONDS,
  LOGIN_LOCKOUT_SECONDS,
  LOGIN_MAX_FAILURES_PER_IP,
  LOGIN_MAX_FAILURES_PER_USER,
  LOGIN_SETTINGS,
  MFA_FLOW_TTL_SECONDS,
  TOTP_WINDOW_STEPS,
  loginSettings,
  readLoginSettings,
  readTotpWindowSteps,
  type LoginSettings,
} from './settings';
