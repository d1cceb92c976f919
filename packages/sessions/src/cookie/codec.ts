import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ID_PATTERN } from '../../../contract/src/identity';
import { KEY_ID_PATTERN, type CookieKeySet } from './key-set';

/**
 * The sealed cookie value, version 2, base64url without padding of:
 *
 * | bytes      | field                                                                                     |
 * |------------|-------------------------------------------------------------------------------------------|
 * | 1          | version, `0x02`                                                                           |
 * | 1          | key id length L, 1–32                                                                     |
 * | L          | key id, ASCII `A–Z a–z 0–9 . _ -`                                                         |
 * | 12         | AES-GCM nonce, random per cookie                                                          |
 * | 10 + U + R | encrypted: issued at, expires at (uint32 big-endian epoch seconds), user id length U      |
 * |            | (uint16 big-endian), user id (UTF-8), session id                                          |
 * | 16         | AES-GCM tag                                                                               |
 *
 * The user id (U = 1–1024 bytes, 1–256 characters, no control characters: the identity's rule) and the
 * session id (R = 1–128 bytes of visible ASCII) are the user session's key, so whoever opens the cookie
 * can read the session without a second index. The additional authenticated data is the cookie name, a
 * zero byte and the header (version, L, key id): a cookie cannot be replayed under another name, another
 * key id or another version. Version 1 (the session id alone) is refused as `unsupported_version`.
 */
export const COOKIE_VERSION = 2;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const TIMES_BYTES = 8;
const USER_LENGTH_BYTES = 2;
export const MAX_REFERENCE_LENGTH = 128;
/** 256 characters of at most 4 UTF-8 bytes each. */
export const MAX_USER_ID_BYTES = 1024;
const MAX_KEY_ID_LENGTH = 32;
const MIN_BYTES = 2 + 1 + NONCE_BYTES + TIMES_BYTES + USER_LENGTH_BYTES + 1 + 1 + TAG_BYTES;
const MAX_BYTES = 2 + MAX_KEY_ID_LENGTH + NONCE_BYTES + TIMES_BYTES + USER_LENGTH_BYTES + MAX_USER_ID_BYTES + MAX_REFERENCE_LENGTH + TAG_BYTES;
/** Bounds of the base64url text (4 characters per 3 bytes, no padding), checked before decoding. */
export const MIN_VALUE_LENGTH = Math.ceil((MIN_BYTES * 4) / 3);
export const MAX_VALUE_LENGTH = Math.ceil((MAX_BYTES * 4) / 3);
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const REFERENCE = /^[\x21-\x7e]+$/;
const MAX_EPOCH_SECONDS = 0xffff_ffff;
/** How far in the future an issue time may be (clocks of two Lambda hosts disagree a little). */
export const CLOCK_SKEW_SECONDS = 60;

/** What a cookie holds once opened. Times are epoch seconds. */
export interface SessionReference {
  /** The user the session belongs to. */
  userId: string;
  /** The user-session id. */
  sessionId: string;
  issuedAt: number;
  expiresAt: number;
  /** The key it was sealed with. */
  keyId: string;
}

/** Why a cookie value can be refused. */
export const OPEN_FAILURES = ['malformed', 'unsupported_version', 'unknown_key', 'tampered', 'expired', 'not_yet_valid'] as const;
export type OpenFailure = (typeof OPEN_FAILURES)[number];

export type OpenResult = { ok: true; session: SessionReference } | { ok: false; reason: OpenFailure };

/** A session reference that cannot be sealed (bad input from the caller's code, not from a request). */
export class SessionCookieInputError extends Error {
  override readonly name = 'SessionCookieInputError';
}

const additionalData = (cookieName: string, header: Buffer): Buffer => Buffer.concat([Buffer.from(cookieName, 'utf8'), Buffer.alloc(1), header]);
const isUserId = (value: string): boolean => ID_PATTERN.test(value);
const isSessionId = (value: string): boolean => value.length <= MAX_REFERENCE_LENGTH && REFERENCE.test(value);

/**
 * Seals a session reference under the key set's current key. `issuedAt` and `expiresAt` are epoch
 * seconds; `expiresAt` must be after `issuedAt`. Throws `SessionCookieInputError` on a user id that is
 * not 1–256 characters without control characters, a session id that is not 1–128 visible ASCII
 * characters, or bad times.
 *
 * @example
 * const value = sealCookie({ keys, cookieName: '__Host-session', userId: 'u-42', sessionId: 'S1', issuedAt: 1_800_000_000, expiresAt: 1_800_086_400 });
 */
export function sealCookie(options: { keys: CookieKeySet; cookieName: string; userId: string; sessionId: string; issuedAt: number; expiresAt: number }): string {
  const { keys, cookieName, userId, sessionId, issuedAt, expiresAt } = options;
  if (typeof userId !== 'string' || !isUserId(userId)) {
    throw new SessionCookieInputError(`the user id must be 1–256 characters, no control characters, got ${JSON.stringify(String(userId).slice(0, 200))}`);
  }
  if (typeof sessionId !== 'string' || !isSessionId(sessionId)) {
    throw new SessionCookieInputError(`the session id must be 1–${MAX_REFERENCE_LENGTH} visible ASCII characters, got ${JSON.stringify(String(sessionId).slice(0, 200))}`);
  }
  for (const [field, value] of [['issuedAt', issuedAt], ['expiresAt', expiresAt]] as const) {
    if (!Number.isSafeInteger(value) || value < 0 || value > MAX_EPOCH_SECONDS) {
      throw new SessionCookieInputError(`${field} must be whole epoch seconds from 0 to ${MAX_EPOCH_SECONDS}, got ${value}`);
    }
  }
  if (expiresAt <= issuedAt) throw new SessionCookieInputError(`expiresAt (${expiresAt}) must be after issuedAt (${issuedAt})`);
  const { id, key } = keys.current;
  const header = Buffer.concat([Buffer.from([COOKIE_VERSION, id.length]), Buffer.from(id, 'ascii')]);
  const user = Buffer.from(userId, 'utf8');
  const fixed = Buffer.alloc(TIMES_BYTES + USER_LENGTH_BYTES);
  fixed.writeUInt32BE(issuedAt, 0);
  fixed.writeUInt32BE(expiresAt, 4);
  fixed.writeUInt16BE(user.length, TIMES_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(cookieName, header));
  const sealed = Buffer.concat([cipher.update(Buffer.concat([fixed, user, Buffer.from(sessionId, 'ascii')])), cipher.final()]);
  return Buffer.concat([header, nonce, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** Decodes base64url strictly: only its alphabet, no padding, and the one canonical text of the bytes. */
function decodeStrict(value: string): Buffer | undefined {
  if (value.length < MIN_VALUE_LENGTH || value.length > MAX_VALUE_LENGTH || !BASE64URL.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  // A last character whose unused low bits are set decodes to the same bytes: such a text is not ours.
  return bytes.toString('base64url') === value ? bytes : undefined;
}

/**
 * Opens a sealed cookie value: the layout is checked strictly (length bounds, version, key id), then
 * the AES-GCM tag, then the times against `nowSeconds`. Never throws on bad input: the reason is
 * returned (`malformed`, `unsupported_version`, `unknown_key`, `tampered`, `expired`, `not_yet_valid`).
 *
 * @example
 * const result = openCookie({ keys, cookieName: '__Host-session', value, nowSeconds: Math.floor(Date.now() / 1000) });
 * if (result.ok) result.session.userId; else result.reason; // 'tampered'
 */
export function openCookie(options: { keys: CookieKeySet; cookieName: string; value: string; nowSeconds: number }): OpenResult {
  const { keys, cookieName, value, nowSeconds } = options;
  const bytes = decodeStrict(value);
  if (!bytes || bytes.length < MIN_BYTES || bytes.length > MAX_BYTES) return { ok: false, reason: 'malformed' };
  if (bytes[0] !== COOKIE_VERSION) return { ok: false, reason: 'unsupported_version' };
  const idLength = bytes[1]!;
  const headerLength = 2 + idLength;
  const plainLength = bytes.length - headerLength - NONCE_BYTES - TAG_BYTES;
  if (idLength < 1 || idLength > MAX_KEY_ID_LENGTH || plainLength < TIMES_BYTES + USER_LENGTH_BYTES + 2) return { ok: false, reason: 'malformed' };
  const keyId = bytes.subarray(2, headerLength).toString('latin1');
  if (!KEY_ID_PATTERN.test(keyId)) return { ok: false, reason: 'malformed' };
  const key = keys.byId.get(keyId);
  if (!key) return { ok: false, reason: 'unknown_key' };
  const nonce = bytes.subarray(headerLength, headerLength + NONCE_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(cookieName, bytes.subarray(0, headerLength)));
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(bytes.subarray(headerLength + NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return { ok: false, reason: 'tampered' };
  }
  const issuedAt = plain.readUInt32BE(0);
  const expiresAt = plain.readUInt32BE(4);
  const userEnd = TIMES_BYTES + USER_LENGTH_BYTES + plain.readUInt16BE(TIMES_BYTES);
  const user = plain.subarray(TIMES_BYTES + USER_LENGTH_BYTES, userEnd);
  const userId = user.toString('utf8');
  const sessionId = plain.subarray(userEnd).toString('latin1');
  // Authentic yet out of shape means a key holder sealed something else: refuse it all the same.
  const userOk = userEnd < plain.length && Buffer.from(userId, 'utf8').equals(user) && isUserId(userId);
  if (expiresAt <= issuedAt || !userOk || !isSessionId(sessionId)) return { ok: false, reason: 'malformed' };
  if (issuedAt > nowSeconds + CLOCK_SKEW_SECONDS) return { ok: false, reason: 'not_yet_valid' };
  if (nowSeconds >= expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, session: { userId, sessionId, issuedAt, expiresAt, keyId } };
}
