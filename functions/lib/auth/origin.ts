import { ConfigError } from '../../../packages/contract/src/config-error';

export interface OriginPolicy {
  /** Exact origins (`scheme://host[:port]`), or `*` for any. */
  allowed: ReadonlySet<string>;
  /** Non-browser clients send no `Origin`; browsers always do, so a missing one is not a browser. */
  allowMissing: boolean;
}

/**
 * Normalises a configured origin: lower-case scheme and host, default port dropped. Anything with a
 * path, query, credentials or a non-http(s) scheme is rejected so the allowlist can only hold origins.
 */
export function normalizeOrigin(value: string): string | undefined {
  // Checked as text first: the URL parser forgives an empty query, fragment or userinfo and dot segments.
  if (!/^https?:\/\/[^/?#@\\\s]+$/i.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.origin;
}

/**
 * Builds the policy from `ALLOWED_ORIGINS` entries, failing on any entry that is not an origin.
 *
 * @example
 * const policy = createOriginPolicy(['https://app.example.com'], true);
 */
export function createOriginPolicy(entries: string[], allowMissing: boolean): OriginPolicy {
  const allowed = new Set<string>();
  for (const entry of entries) {
    if (entry === '*') {
      allowed.add('*');
      continue;
    }
    const origin = normalizeOrigin(entry);
    if (!origin) {
      throw new ConfigError(
        `ALLOWED_ORIGINS entries must be origins like https://app.example.com (no path or trailing slash) or "*", got ${JSON.stringify(entry)}`,
      );
    }
    allowed.add(origin);
  }
  return { allowed, allowMissing };
}

/** The origin compared exactly (after normalisation): look-alikes such as `https://app.example.com.evil.com` fail. */
export function isOriginAllowed(origin: string | undefined, policy: OriginPolicy): boolean {
  if (origin === undefined || origin === '') return policy.allowMissing;
  if (policy.allowed.has('*')) return true;
  const normalized = normalizeOrigin(origin);
  return normalized !== undefined && policy.allowed.has(normalized);
}
