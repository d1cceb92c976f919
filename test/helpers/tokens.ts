import { createHmac, sign, type KeyObject } from 'node:crypto';

/** base64url of a string as is, or of anything else as JSON. */
export const encode = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/**
 * Signs any header and payload, including ones `jsonwebtoken.sign` refuses to make (hostile `kid`s,
 * `crit`, embedded keys, non-object payloads). A string payload is used verbatim. A string key signs
 * with HMAC-SHA256, a KeyObject with SHA-256 RSA or ECDSA (JOSE's raw r‖s signature form).
 *
 * @example
 * craftToken({ alg: 'HS256', kid: '../../x' }, { sub: 'u1', exp }, secret);
 */
export function craftToken(header: Record<string, unknown>, payload: unknown, key: KeyObject | string): string {
  const input = `${encode(header)}.${encode(payload)}`;
  const signature =
    typeof key === 'string' || key.type === 'secret'
      ? createHmac('sha256', key).update(input).digest()
      : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
