import type { LoginErrorCode } from './errors';

/**
 * The coordinator's event names, as constants.
 *
 * @example
 * logins.on(LoginEvent.LOCKED_OUT, ({ scope, lockedUntil }) => metrics.addMetric('Lockouts', 1, { scope }));
 */
export const LoginEvent = {
  LOGIN_STARTED: 'LOGIN_STARTED',
  MFA_REQUIRED: 'MFA_REQUIRED',
  MFA_VERIFIED: 'MFA_VERIFIED',
  MFA_COMPLETED: 'MFA_COMPLETED',
  AUTH_FAILED: 'AUTH_FAILED',
  LOCKED_OUT: 'LOCKED_OUT',
  FLOW_EXPIRED: 'FLOW_EXPIRED',
  SESSION_CREATED: 'SESSION_CREATED',
  SESSION_EVICTED: 'SESSION_EVICTED',
} as const;

/**
 * Each event's payload. Times are epoch ms. Events are emitted after the state they report is
 * durable in the table; a listener runs synchronously inside the coordinator's call, so one that
 * throws makes that call reject although the state has changed: keep listeners to logging and
 * metrics, or catch inside them.
 */
export interface LoginEvents {
  /** Credentials are about to be checked for a new login flow. */
  LOGIN_STARTED: [{ flowId: string; email: string; ip: string; expiresAtMs: number }];
  /** The credentials were right and the account needs a second factor: an MFA flow was opened. */
  MFA_REQUIRED: [{ flowId: string; mfaFlowId: string; userId: string; email: string; method: string; expiresAtMs: number }];
  /** A right code was given for the MFA flow; `completeMfa` may now end it. */
  MFA_VERIFIED: [{ flowId: string; mfaFlowId: string; userId: string; method: string }];
  /** Both flows were removed by a completion; the session is being created. */
  MFA_COMPLETED: [{ flowId: string; mfaFlowId: string; userId: string; method: string }];
  /** A login or a code was refused; `flowEnded` says whether its flows were removed. */
  AUTH_FAILED: [{ flowId?: string; mfaFlowId?: string; email: string; ip: string; userId?: string; reason: LoginErrorCode; flowEnded: boolean }];
  /** This failure locked the account (`scope: 'user'`) or the source IP out until `lockedUntil` (epoch s). */
  LOCKED_OUT: [{ scope: 'user' | 'ip'; email: string; ip: string; lockedUntil: number }];
  /** A flow was found past its expiry when read, and removed with its parent or child. */
  FLOW_EXPIRED: [{ flowId: string; mfaFlowId?: string; email: string }];
  /** The session service created the user's session. */
  SESSION_CREATED: [{ flowId: string; userId: string; sessionId: string; expiresAt: number; mfa: boolean }];
  /** The session service evicted one of the user's sessions to make room for the new one. */
  SESSION_EVICTED: [{ userId: string; sessionId: string }];
}
