/**
 * TOTP (RFC 6238) over HOTP (RFC 4226) on `node:crypto` only: HMAC of the time step, dynamic
 * truncation, `digits` decimal digits. Secrets are bytes; `decodeBase32` reads the base32 text
 * (RFC 4648) that authenticator apps are given.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpOptions {
  /** HMAC hash; authenticator apps use SHA-1. */
  algorithm?: TotpAlgorithm;
  /** 6 to 8. */
  digits?: number;
  /** The time step X (RFC 6238 §4.1). */
  stepSeconds?: number;
  /** T0, the Unix time steps count from. */
  t0Seconds?: number;
}

const DEFAULTS = { algorithm: 'sha1', digits: 6, stepSeconds: 30, t0Seconds: 0 } as const satisfies Required<TotpOptions>;

/** The options with their defaults, checked (a `RangeError` names the bad one). */
export function totpOptions(options: TotpOptions = {}): Required<TotpOptions> {
  const resolved = { ...DEFAULTS, ...options };
  if (!['sha1', 'sha256', 'sha512'].includes(resolved.algorithm)) throw new RangeError(`algorithm must be sha1, sha256 or sha512, got ${String(resolved.algorithm)}`);
  if (!Number.isInteger(resolved.digits) || resolved.digits < 6 || resolved.digits > 8) throw new RangeError(`digits must be 6, 7 or 8, got ${resolved.digits}`);
  if (!Number.isInteger(resolved.stepSeconds) || resolved.stepSeconds < 1) throw new RangeError(`stepSeconds must be a whole number of seconds ≥ 1, got ${resolved.stepSeconds}`);
  if (!Number.isInteger(resolved.t0Seconds) || resolved.t0Seconds < 0) throw new RangeError(`t0Seconds must be a whole number of seconds ≥ 0, got ${resolved.t0Seconds}`);
  return resolved;
}

/**
 * The time step T a Unix time (seconds) falls in.
 *
 * @example
 * timeStepAt(59); // 1
 */
export const timeStepAt = (unixSeconds: number, options: TotpOptions = {}): number => {
  const { stepSeconds, t0Seconds } = totpOptions(options);
  return Math.floor((unixSeconds - t0Seconds) / stepSeconds);
};

/**
 * The HOTP value of one counter (RFC 4226 §5.3): the code for time step `counter`.
 *
 * @example
 * hotp(Buffer.from('12345678901234567890'), 1); // '287082' (RFC 4226 Appendix D)
 */
export function hotp(secret: Uint8Array, counter: number, options: Pick<TotpOptions, 'algorithm' | 'digits'> = {}): string {
  const { algorithm, digits } = totpOptions(options);
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError(`counter must be a whole number ≥ 0, got ${counter}`);
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/**
 * The TOTP code at a Unix time (seconds).
 *
 * @example
 * totp(Buffer.from('12345678901234567890'), 59, { digits: 8 }); // '94287082' (RFC 6238 Appendix B)
 */
export const totp = (secret: Uint8Array, unixSeconds: number, options: TotpOptions = {}): string =>
  hotp(secret, timeStepAt(unixSeconds, options), options);

/**
 * The time step a code matches within `windowSteps` steps either side of `unixSeconds`, nearest
 * first, or undefined. Compares in constant time. Whether the step was used before is the caller's
 * business (`createTotpFactor` remembers the last one per user).
 *
 * @example
 * const step = verifyTotp({ secret, code: '287082', unixSeconds: Date.now() / 1000, windowSteps: 1 });
 * if (step === undefined) throw new Error('wrong code');
 */
export function verifyTotp({
  secret,
  code,
  unixSeconds,
  windowSteps = 1,
  options = {},
}: {
  secret: Uint8Array;
  code: string;
  unixSeconds: number;
  windowSteps?: number;
  options?: TotpOptions;
}): number | undefined {
  const resolved = totpOptions(options);
  if (!Number.isInteger(windowSteps) || windowSteps < 0) throw new RangeError(`windowSteps must be a whole number ≥ 0, got ${windowSteps}`);
  if (code.length !== resolved.digits || !/^\d+$/.test(code)) return undefined;
  const current = timeStepAt(unixSeconds, resolved);
  const given = Buffer.from(code);
  const offsets = [0, ...Array.from({ length: windowSteps }, (_, i) => [-(i + 1), i + 1]).flat()];
  for (const offset of offsets) {
    const step = current + offset;
    if (step >= 0 && timingSafeEqual(Buffer.from(hotp(secret, step, resolved)), given)) return step;
  }
  return undefined;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Decodes RFC 4648 base32 (case-insensitive, spaces and `=` padding ignored), the form TOTP secrets
 * are handed to authenticator apps in. Any other character is a `RangeError`.
 *
 * @example
 * decodeBase32('GEZDGNBVGY3TQOJQ'); // Buffer '1234567890'
 */
export function decodeBase32(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32.indexOf(char);
    if (value < 0) throw new RangeError(`not base32: ${JSON.stringify(char)}`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/**
 * Encodes bytes as base32 without padding (for an `otpauth://` URI).
 *
 * @example
 * encodeBase32(randomBytes(20)); // 32 characters of A–Z 2–7
 */
export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}
