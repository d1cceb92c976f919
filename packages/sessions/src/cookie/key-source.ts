import { loadKeyMaterial, type KeyMaterialSource } from '../../../../functions/lib/auth/keys';
import { parseKeySet, type CookieKeySet } from './key-set';

/** Where the key set lives: an SSM SecureString parameter or a Secrets Manager secret (name or ARN). */
export interface KeySetSource {
  source: KeyMaterialSource;
  id: string;
}

const parsed = new Map<string, Promise<CookieKeySet>>();

/**
 * Loads the cookie key set once per container: the parameter or secret is read with one request
 * (concurrent first calls share it, through `loadKeyMaterial` with the functions' AWS client
 * timeouts) and parsed once. A read failure (`KeyMaterialError`) is not kept, so the next request tries
 * again; a weak or malformed key set is a `ConfigError` every time, as no retry can mend it.
 *
 * @example
 * const keys = await loadCookieKeySet({ source: 'ssm', id: '/app/prod/cookie-keys' });
 */
export function loadCookieKeySet(source: KeySetSource): Promise<CookieKeySet> {
  const cacheKey = `${source.source}\n${source.id}`;
  const cached = parsed.get(cacheKey);
  if (cached) return cached;
  const pending = loadKeyMaterial(source).then(parseKeySet);
  parsed.set(cacheKey, pending);
  pending.catch(() => {
    // A ConfigError would recur anyway; dropping it keeps one rule for every failure: nothing failed is cached.
    if (parsed.get(cacheKey) === pending) parsed.delete(cacheKey);
  });
  return pending;
}
