/**
 * Checks of everything a caller hands the coordinator, before anything is read or written: a bad
 * value is a `LoginInputError` naming the field and its rule.
 */
import { isIP } from 'node:net';
import { SessionValidationError } from '../errors';
import { checkDevice, checkEmail as checkSessionEmail } from '../validate';
import { LoginInputError } from './errors';

export const MAX_PASSWORD_LENGTH = 1024;
const FLOW_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CODE = /^[A-Za-z0-9]{4,16}$/;
const USER_ID = /^[^\s\p{Cc}]{1,256}$/u;

/**
 * The session service's own check (validate.ts) as a `LoginInputError`: what the coordinator accepts
 * is exactly what the service will store, so a login is never refused after its credentials checked out.
 */
function asLoginInput<T>(check: () => T, field?: string): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof SessionValidationError) throw new LoginInputError(field ?? error.field, error.message.slice(error.field.length + 2));
    throw error;
  }
}

/** What `startLogin` takes. */
export interface StartLoginInput {
  email: string;
  password: string;
  /** The caller's source IP (v4 or v6): counted for lockouts, recorded as the session's device IP. */
  ip: string;
  device?: { browser?: string; os?: string; deviceId?: string };
  staySignedIn?: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], field: string): void {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new LoginInputError(field, `has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => JSON.stringify(key)).join(', ')}`);
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') throw new LoginInputError(field, `must be a string, got ${value === null ? 'null' : typeof value}`);
  if (value.length === 0 || value.length > max) throw new LoginInputError(field, `must be 1 to ${max} characters, got ${value.length}`);
  return value;
}

/** An email address as given, held to the session service's rule for a session's email. */
export function checkAccountEmail(value: unknown, field = 'email'): string {
  return asLoginInput(() => checkSessionEmail(value), field);
}

/** The email, lower-cased (the account key failures are counted under). */
export const checkEmail = (value: unknown, field = 'email'): string => checkAccountEmail(value, field).toLowerCase();

export function checkIp(value: unknown): string {
  if (typeof value !== 'string' || isIP(value) === 0) throw new LoginInputError('ip', 'must be an IPv4 or IPv6 address');
  return value;
}

export function checkUserId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !USER_ID.test(value)) throw new LoginInputError(field, 'must be 1 to 256 characters without spaces or control characters');
  return value;
}

/** `startLogin`'s input, checked; the email lower-cased. */
export function checkStartLogin(input: unknown): Required<Pick<StartLoginInput, 'email' | 'password' | 'ip' | 'device' | 'staySignedIn'>> {
  if (!isRecord(input)) throw new LoginInputError('input', 'must be an object');
  onlyKeys(input, ['email', 'password', 'ip', 'device', 'staySignedIn'], 'input');
  const email = checkEmail(input.email);
  const password = text(input.password, 'password', MAX_PASSWORD_LENGTH);
  const ip = checkIp(input.ip);
  if (input.staySignedIn !== undefined && typeof input.staySignedIn !== 'boolean') throw new LoginInputError('staySignedIn', 'must be a boolean when given');
  const device: StartLoginInput['device'] & object = {};
  if (input.device !== undefined) {
    if (!isRecord(input.device)) throw new LoginInputError('device', 'must be an object when given');
    onlyKeys(input.device, ['browser', 'os', 'deviceId'], 'device');
    Object.assign(device, asLoginInput(() => checkDevice(input.device)));
  }
  return { email, password, ip, device, staySignedIn: input.staySignedIn ?? false };
}

/** A flow id as `startLogin` hands it out (a UUID). */
export function checkFlowId(value: unknown, field = 'flowId'): string {
  if (typeof value !== 'string' || !FLOW_ID.test(value)) throw new LoginInputError(field, 'must be a flow id as startLogin returned it (a lower-case UUID)');
  return value;
}

/** A second-factor code: 4 to 16 letters or digits (the factor judges the rest). */
export function checkCode(value: unknown): string {
  if (typeof value !== 'string' || !CODE.test(value)) throw new LoginInputError('code', 'must be 4 to 16 letters or digits');
  return value;
}

/** An object argument with exactly these fields. */
export function checkObject(input: unknown, fields: readonly string[]): Record<string, unknown> {
  if (!isRecord(input)) throw new LoginInputError('input', 'must be an object');
  onlyKeys(input, fields, 'input');
  return input;
}
