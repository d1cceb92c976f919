import { randomBytes } from 'node:crypto';
import { parseKeySet, type CookieKeySet } from '../../packages/sessions/src/cookie';

/** A fresh random secret in the key set's format (base64 of 32 bytes). */
export const randomSecret = (): string => randomBytes(32).toString('base64');

/** A key set document with fresh random secrets under `ids`, the last one current. */
export function keySetJson(ids: readonly string[], current = ids[ids.length - 1]!): string {
  return JSON.stringify({ keys: ids.map((id) => ({ id, secret: randomSecret() })), current });
}

/** A rotation: the same keys plus a fresh one under `id`, which becomes current. */
export function rotate(json: string, id: string): string {
  const document = JSON.parse(json) as { keys: { id: string; secret: string }[] };
  return JSON.stringify({ keys: [...document.keys, { id, secret: randomSecret() }], current: id });
}

/** A parsed key set of fresh random keys, the last one current. */
export const keySet = (...ids: string[]): CookieKeySet => parseKeySet(keySetJson(ids.length > 0 ? ids : ['k1']));
