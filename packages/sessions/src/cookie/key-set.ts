import { createSecretKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../../../contract/src/config-error';

/** A key id: 1–32 characters of A–Z a–z 0–9 . _ - (it travels in every cookie, in clear). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;
/** AES-256 takes a 32-byte key. */
export const KEY_BYTES = 32;
/**
 * 32 random bytes hold 30 distinct values on average; fewer than 12 happens by chance with odds far
 * below 1 in 10^20, so it means a pattern (a repeated word, a counter), not randomness.
 */
const MIN_DISTINCT_BYTES = 12;
const MAX_KEYS = 16;
const MAX_KEY_SET_CHARS = 8192;
const BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Secrets published as examples (COOKIE.md): anyone can read them, so a key set holding one is a
 * configuration error. A test checks that every secret in COOKIE.md is listed here.
 */
export const EXAMPLE_SECRETS: readonly string[] = ['xMQpytaDyb7XHDxRy/uJKhDlkh+stOMJFM4WRDNDuGI=', '+kquQ8/jJXLAWTQdtcfw+xFGBeSdPhtM3z48021vQZU='];

/** One AES-256-GCM key of the set. */
export interface CookieKey {
  id: string;
  key: KeyObject;
}

/** The keys cookies are sealed and opened with: `current` seals new cookies, every key opens. */
export interface CookieKeySet {
  current: CookieKey;
  byId: ReadonlyMap<string, CookieKey>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why a secret is weak (the rule it breaks), or undefined when it is a usable key. */
function weakSecretRule(secret: string): string | undefined {
  if (EXAMPLE_SECRETS.includes(secret)) return 'is a published example value (COOKIE.md); generate your own';
  const bytes = Buffer.from(secret, 'base64');
  // Canonical base64 only: a secret that decodes but re-encodes differently was typed or mangled.
  if (!BASE64.test(secret) || bytes.toString('base64') !== secret) {
    if (/^[A-Za-z0-9+/]*={0,2}$/.test(secret) && bytes.length < KEY_BYTES) return `is too short: it must be the base64 of ${KEY_BYTES} random bytes, got ${bytes.length} bytes`;
    return `must be the base64 (44 characters, standard alphabet, = padded) of exactly ${KEY_BYTES} random bytes`;
  }
  if (bytes.every((byte) => byte === bytes[0])) return 'is one byte repeated: it must be random';
  if (new Set(bytes).size < MIN_DISTINCT_BYTES) return `has fewer than ${MIN_DISTINCT_BYTES} distinct byte values: it must be random`;
  return undefined;
}

/**
 * Parses and checks a key set, given as JSON:
 * `{ "keys": [{ "id": "2026-11", "secret": "<base64 of 32 random bytes>" }, …], "current": "2026-11" }`.
 * Every rule broken is a `ConfigError` naming it: JSON shape, 1–16 keys, id pattern, unique ids,
 * `current` names a key, and no weak secret (not 32 bytes, one byte repeated, a pattern, a published
 * example, or one secret under two ids). Secrets never appear in the messages.
 *
 * @example
 * const keys = parseKeySet(await loadKeyMaterial({ source: 'ssm', id: '/app/prod/cookie-keys' }));
 * keys.current.id; // '2026-11'
 */
export function parseKeySet(json: string): CookieKeySet {
  if (json.length > MAX_KEY_SET_CHARS) throw new ConfigError(`the cookie key set must be at most ${MAX_KEY_SET_CHARS} characters of JSON, got ${json.length}`);
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch (error) {
    throw new ConfigError('the cookie key set is not JSON', { cause: error });
  }
  if (!isRecord(document) || !Array.isArray(document.keys) || typeof document.current !== 'string') {
    throw new ConfigError('the cookie key set must be a JSON object { "keys": [{ "id", "secret" }, …], "current": "<id>" }');
  }
  if (document.keys.length === 0 || document.keys.length > MAX_KEYS) {
    throw new ConfigError(`the cookie key set must hold 1–${MAX_KEYS} keys, got ${document.keys.length}`);
  }
  const byId = new Map<string, CookieKey>();
  const secrets = new Set<string>();
  document.keys.forEach((entry: unknown, index: number) => {
    if (!isRecord(entry) || typeof entry.id !== 'string' || typeof entry.secret !== 'string') {
      throw new ConfigError(`cookie key ${index} must be an object { "id": string, "secret": string }`);
    }
    const { id, secret } = entry;
    if (!KEY_ID_PATTERN.test(id)) throw new ConfigError(`cookie key ${index}'s id must be 1–32 characters of A–Z a–z 0–9 . _ -, got ${JSON.stringify(id)}`);
    if (byId.has(id)) throw new ConfigError(`cookie key id ${id} appears twice: which key a cookie means could not be told`);
    const weak = weakSecretRule(secret);
    if (weak) throw new ConfigError(`the secret of cookie key ${id} ${weak}`);
    if (secrets.has(secret)) throw new ConfigError(`the secret of cookie key ${id} is also another key's: a rotation needs a new secret`);
    secrets.add(secret);
    byId.set(id, { id, key: createSecretKey(Buffer.from(secret, 'base64')) });
  });
  const current = byId.get(document.current);
  if (!current) throw new ConfigError(`the cookie key set's current key ${JSON.stringify(document.current)} is not one of its keys`);
  return { current, byId };
}
