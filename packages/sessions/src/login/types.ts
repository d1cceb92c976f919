import type { CreateSessionInput, DeviceInfo } from '../types';

/** The device a login comes from, as the session service stores it. */
export type Device = DeviceInfo;

/** What the coordinator asks the session service to create once a login has succeeded: its `create` input. */
export type SessionCreateInput = CreateSessionInput;

/** What the coordinator needs of the session service's answer: the new session, its refresh token, and the sessions it evicted. */
export interface SessionCreateResult {
  session: { sessionId: string; userId: string; expiresAt: number };
  refreshToken: string;
  evicted: Array<{ sessionId: string }>;
}

/**
 * Creates the user session at the end of a login; the session service provides it.
 *
 * @example
 * const sessions: SessionCreator = createSessionService({ tableName }); // the service is one
 */
export interface SessionCreator {
  create(input: SessionCreateInput): Promise<SessionCreateResult>;
}

/** The verdict of the caller's credential check: the account (and whether it needs a second factor), or undefined for wrong credentials. */
export interface CredentialMatch {
  userId: string;
  /** The account's email as the caller stores it (the login's email when absent). */
  email?: string;
  /** Whether this account must pass the second factor. */
  mfaRequired: boolean;
}

/**
 * The caller's credential check (a password hash comparison, an upstream identity provider, …).
 * Resolve undefined for wrong credentials; a rejection is an outage, not a failed attempt, and is
 * passed on to the caller without being counted.
 *
 * @example
 * const checkCredentials: CredentialCheck = async ({ email, password }) => {
 *   const user = await users.byEmail(email);
 *   return user && (await argon2.verify(user.hash, password)) ? { userId: user.id, mfaRequired: user.totp !== undefined } : undefined;
 * };
 */
export type CredentialCheck = (input: { email: string; password: string; ip: string }) => Promise<CredentialMatch | undefined>;

/** A second factor's verdict: `ok`, a wrong code, or a code already used. */
export type SecondFactorVerdict = { ok: true } | { ok: false; reason: 'INVALID_CODE' | 'REPLAYED_CODE' };

/**
 * A second factor (TOTP is shipped: `createTotpFactor`). `verify` must refuse a code it has accepted
 * before for that user.
 *
 * @example
 * const factor: SecondFactor = { method: 'sms', verify: async ({ userId, code }) => (await otps.consume(userId, code)) ? { ok: true } : { ok: false, reason: 'INVALID_CODE' } };
 */
export interface SecondFactor {
  /** Recorded as the session's `mfa.method` and in the events. */
  readonly method: string;
  /** Checks the code for a user at a time (epoch ms). */
  verify(input: { userId: string; code: string; nowMs: number }): Promise<SecondFactorVerdict>;
}
