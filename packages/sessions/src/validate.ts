import { isIP } from 'node:net';
import { ID_PATTERN } from '../../contract/src/identity';
import { SessionValidationError } from './errors';
import { REFRESH_TOKEN_PATTERN, SESSION_ID_PATTERN } from './tokens';
import type { CreateSessionInput, DeviceInfo, MfaState, MfaStatus, SessionRef } from './types';

const MAX_EMAIL_LENGTH = 254;
const EMAIL_PATTERN = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;
const DEVICE_TEXT_PATTERN = /^[^\p{Cc}\p{Cs}\uFFFE\uFFFF]{1,128}$/u;
const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const MFA_METHOD_PATTERN = /^[a-z0-9_-]{1,32}$/;
const MFA_STATUSES: readonly MfaStatus[] = ['not_required', 'pending', 'verified'];
const DEVICE_FIELDS = ['browser', 'os', 'ip', 'deviceId'] as const;

const fail = (field: string, message: string): never => {
  throw new SessionValidationError(field, message);
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function onlyKeys(field: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(value).filter((key) => !allowed.includes(key));
  if (extra.length > 0) fail(field, `unknown field(s) ${extra.join(', ')} (allowed: ${allowed.join(', ')})`);
}

export function checkUserId(value: unknown, field = 'userId'): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) fail(field, 'must be a string of 1–256 characters, no control characters');
  return value as string;
}

export function checkSessionId(value: unknown, field = 'sessionId'): string {
  if (typeof value !== 'string' || !SESSION_ID_PATTERN.test(value)) fail(field, 'must be a session id as create returned it (a lower-case UUID)');
  return value as string;
}

export function checkRef(value: unknown): SessionRef {
  if (!isRecord(value)) return fail('session', 'must be an object with userId and sessionId');
  return { userId: checkUserId(value.userId), sessionId: checkSessionId(value.sessionId) };
}

export function checkRefreshToken(value: unknown): string {
  if (typeof value !== 'string' || !REFRESH_TOKEN_PATTERN.test(value)) fail('refreshToken', 'must be a refresh token as the service issued it (43 characters of base64url)');
  return value as string;
}

export function checkEmail(value: unknown): string {
  if (typeof value !== 'string') return fail('email', `must be a string, got ${value === null ? 'null' : typeof value}`);
  if (value.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(value)) fail('email', `must be an address like name@example.com, at most ${MAX_EMAIL_LENGTH} characters`);
  return value;
}

export function checkDevice(value: unknown): DeviceInfo {
  if (value === undefined) return {};
  if (!isRecord(value)) return fail('device', 'must be an object');
  onlyKeys('device', value, DEVICE_FIELDS);
  const device: DeviceInfo = {};
  for (const key of ['browser', 'os'] as const) {
    const text = value[key];
    if (text === undefined) continue;
    if (typeof text !== 'string' || !DEVICE_TEXT_PATTERN.test(text)) fail(`device.${key}`, 'must be a string of 1–128 characters, no control characters');
    device[key] = text as string;
  }
  if (value.ip !== undefined) {
    if (typeof value.ip !== 'string' || isIP(value.ip) === 0) fail('device.ip', 'must be an IPv4 or IPv6 address');
    device.ip = value.ip as string;
  }
  if (value.deviceId !== undefined) {
    if (typeof value.deviceId !== 'string' || !DEVICE_ID_PATTERN.test(value.deviceId)) fail('device.deviceId', 'must be 1–128 of A–Z a–z 0–9 _ -');
    device.deviceId = value.deviceId as string;
  }
  return device;
}

export function checkMfa(value: unknown, field = 'mfa'): MfaState {
  if (!isRecord(value)) return fail(field, 'must be an object with a status');
  onlyKeys(field, value, ['status', 'method', 'verifiedAt']);
  if (!MFA_STATUSES.includes(value.status as MfaStatus)) fail(`${field}.status`, `must be one of ${MFA_STATUSES.join(', ')}`);
  const mfa: MfaState = { status: value.status as MfaStatus };
  if (value.method !== undefined) {
    if (typeof value.method !== 'string' || !MFA_METHOD_PATTERN.test(value.method)) fail(`${field}.method`, 'must be 1–32 of a–z 0–9 _ -');
    mfa.method = value.method as string;
  }
  if (value.verifiedAt !== undefined) {
    if (!Number.isSafeInteger(value.verifiedAt) || (value.verifiedAt as number) < 0) fail(`${field}.verifiedAt`, 'must be epoch milliseconds');
    mfa.verifiedAt = value.verifiedAt as number;
  }
  return mfa;
}

export function checkBoolean(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') fail(field, 'must be true or false');
  return value as boolean;
}

export function checkExpectedVersion(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 1) fail('expectedVersion', 'must be a whole number from 1');
  return value as number;
}

/** The create input, checked whole and normalised (unknown fields refused). */
export function checkCreateInput(value: unknown): Required<Omit<CreateSessionInput, 'mfa'>> & { mfa: MfaState } {
  if (!isRecord(value)) return fail('input', 'must be an object');
  onlyKeys('input', value, ['userId', 'email', 'device', 'staySignedIn', 'trusted', 'mfa']);
  return {
    userId: checkUserId(value.userId),
    email: checkEmail(value.email),
    device: checkDevice(value.device),
    staySignedIn: checkBoolean(value.staySignedIn, 'staySignedIn'),
    trusted: checkBoolean(value.trusted, 'trusted'),
    mfa: value.mfa === undefined ? { status: 'not_required' } : checkMfa(value.mfa),
  };
}
