/** What a session records about the device it was created on. Every field is optional. */
export interface DeviceInfo {
  /** The browser, e.g. `Firefox 133` (at most 128 characters). */
  browser?: string;
  /** The operating system, e.g. `macOS 15.1` (at most 128 characters). */
  os?: string;
  /** The client's IP address, IPv4 or IPv6. */
  ip?: string;
  /** A stable id the client keeps for the device (1–128 of `A–Z a–z 0–9 _ -`). */
  deviceId?: string;
}

/** Where a session stands with its second factor. */
export type MfaStatus = 'not_required' | 'pending' | 'verified';
export interface MfaState {
  status: MfaStatus;
  /** The factor used, e.g. `totp` (1–32 of `a–z 0–9 _ -`). */
  method?: string;
  /** When the factor was verified, epoch milliseconds. */
  verifiedAt?: number;
}

/** A user session as the service returns it. Times are epoch milliseconds. */
export interface UserSession {
  sessionId: string;
  userId: string;
  email: string;
  /** SHA-256 of the current refresh token, base64url; the token itself is never stored. */
  refreshTokenHash: string;
  expiresAt: number;
  device: DeviceInfo;
  staySignedIn: boolean;
  trusted: boolean;
  /** When the device was last trusted; absent while untrusted. */
  trustedAt?: number;
  mfa: MfaState;
  createdAt: number;
  lastUsedAt: number;
  /** Bumped by every change; updates are conditional on it (optimistic locking). */
  version: number;
}

export interface CreateSessionInput {
  userId: string;
  email: string;
  device?: DeviceInfo;
  staySignedIn?: boolean;
  /** Trust the device from the start (e.g. the user ticked "trust this device" after MFA). */
  trusted?: boolean;
  mfa?: MfaState;
}

/** What `create` returns: the new session, its refresh token (shown once, never stored) and the sessions it evicted. */
export interface CreateSessionResult {
  session: UserSession;
  refreshToken: string;
  evicted: UserSession[];
}

/** What `refresh` returns: the session (renewed) and the token that replaces the one presented. */
export interface RefreshResult {
  session: UserSession;
  refreshToken: string;
}

export interface SessionRef {
  userId: string;
  sessionId: string;
}

/** An update's precondition: when given, a session at another version is a `SessionConflictError`, never retried. */
export interface Expected {
  expectedVersion?: number;
}
