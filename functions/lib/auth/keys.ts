import { createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { withRequestTimeouts } from '../config/aws-client';
import { ConfigError } from '../../../packages/contract/src/config-error';
import { log } from '../log';
import { KID_PATTERN, type JwtAlgorithm, type KeyResolver } from './jwt';

/** Shorter HMAC secrets can be brute-forced offline from a single token (RFC 7518 §3.2 asks for ≥ 256 bits). */
const MIN_SECRET_BYTES = 32;
const MIN_RSA_BITS = 2048;
const JWKS_TIMEOUT_MS = 3000;
const MAX_JWKS_CHARS = 1_000_000;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The key store could not be reached or answered nonsense, and no cached key can stand in. */
export class KeyUnavailableError extends Error {
  override readonly name = 'KeyUnavailableError';
}

/** Key material could not be read from SSM or Secrets Manager. */
export class KeyMaterialError extends Error {
  override readonly name = 'KeyMaterialError';
}

/**
 * One key, given as configuration: an HS256 secret, or an RS256/ES256 public key in PEM. The KeyObject is
 * built once here, so no token pays for parsing key material, and a bad key fails the cold start instead
 * of every request.
 *
 * @example
 * const keys = createStaticKeyResolver({ algorithm: 'ES256', material: publicKeyPem, kid: '2024-06' });
 */
export function createStaticKeyResolver(options: { algorithm: JwtAlgorithm; material: string; kid?: string }): KeyResolver {
  const { algorithm, material, kid: configuredKid } = options;
  if (configuredKid !== undefined && !KID_PATTERN.test(configuredKid)) {
    throw new ConfigError(`the configured key id must be 1–128 characters of A–Z a–z 0–9 . _ : -, got ${JSON.stringify(configuredKid)}`);
  }
  const key = algorithm === 'HS256' ? secretKey(material) : publicKey(algorithm, material);
  return {
    resolve: async ({ alg, kid }) => {
      if (alg !== algorithm) return undefined;
      // With no kid configured there is only one key, so a token's kid (or its absence) changes nothing.
      if (configuredKid !== undefined && kid !== configuredKid) return undefined;
      return key;
    },
  };
}

function secretKey(material: string): KeyObject {
  const bytes = Buffer.from(material, 'utf8');
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new ConfigError(`the HS256 secret must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes.length}`);
  }
  return createSecretKey(bytes);
}

function publicKey(algorithm: 'RS256' | 'ES256', material: string): KeyObject {
  // A verifier never needs the signing key; refusing it keeps a private key out of the authorizer's config.
  if (/PRIVATE KEY-----/.test(material)) {
    throw new ConfigError(`the ${algorithm} key must be a public key, got a private key`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey(material);
  } catch (error) {
    throw new ConfigError(`the ${algorithm} key is not a valid PEM public key`, { cause: error });
  }
  const problem = publicKeyProblem(algorithm, key);
  if (problem) throw new ConfigError(`the ${algorithm} key ${problem}`);
  return key;
}

/** Why a public key cannot verify `algorithm`, or undefined when it can. */
function publicKeyProblem(algorithm: 'RS256' | 'ES256', key: KeyObject): string | undefined {
  if (algorithm === 'RS256') {
    if (key.asymmetricKeyType !== 'rsa') return `must be an RSA key, got ${key.asymmetricKeyType ?? 'unknown'}`;
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) return `must have at least ${MIN_RSA_BITS} bits, got ${bits}`;
    return undefined;
  }
  if (key.asymmetricKeyType !== 'ec') return `must be an EC key, got ${key.asymmetricKeyType ?? 'unknown'}`;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve !== 'prime256v1') return `must be on curve P-256, got ${curve ?? 'unknown'}`;
  return undefined;
}

/**
 * The least time between two fetches of the JWKS, whatever asks for them: an unknown kid (a key the
 * identity provider just rotated in) or a failed fetch. A flood of made-up kids costs one fetch per
 * this interval, and a rotation takes effect at the first token that uses the new key.
 */
export const JWKS_MIN_REFETCH_SECONDS = 10;

type KeySet = Map<string, Partial<Record<JwtAlgorithm, KeyObject>>>;

/**
 * Keys from a JWKS URL, cached by `kid`. An unknown kid triggers a refetch at once, but at most one per
 * `minRefetchSeconds` (10 s; concurrent callers share it), so a rotated-in key works at once and a
 * flood of made-up kids cannot hammer the identity provider. Cached keys are refetched after
 * `refreshIntervalSeconds`, which bounds how long a key removed from the JWKS is still honoured.
 * A failed or malformed fetch keeps the cached keys and is retried after `minRefetchSeconds`; with
 * nothing cached, resolving throws {@link KeyUnavailableError} (fail closed). A JWKS listing two usable
 * keys under one kid is malformed: which one a token means cannot be told, so it is not used.
 *
 * @example
 * const keys = createJwksResolver({ url: 'https://id.example.com/.well-known/jwks.json', refreshIntervalSeconds: 300 });
 */
export function createJwksResolver(options: {
  url: string;
  refreshIntervalSeconds: number;
  /** The least time between two fetches; defaults to {@link JWKS_MIN_REFETCH_SECONDS}, at most the refresh interval. */
  minRefetchSeconds?: number;
  fetchJwks?: (url: string) => Promise<unknown>;
  /** Clock in epoch milliseconds; tests move it. */
  now?: () => number;
}): KeyResolver {
  const { url, refreshIntervalSeconds } = options;
  checkJwksUrl(url);
  if (!Number.isFinite(refreshIntervalSeconds) || refreshIntervalSeconds <= 0) {
    throw new ConfigError(`the JWKS refresh interval must be a positive number of seconds, got ${refreshIntervalSeconds}`);
  }
  const fetchJwks = options.fetchJwks ?? fetchJwksOverHttp;
  const now = options.now ?? Date.now;
  const intervalMs = refreshIntervalSeconds * 1000;
  const minRefetchMs = Math.min(options.minRefetchSeconds ?? JWKS_MIN_REFETCH_SECONDS, refreshIntervalSeconds) * 1000;

  let keys: KeySet | undefined;
  let loadedAt = 0;
  let attemptedAt: number | undefined;
  let inFlight: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    attemptedAt = now();
    inFlight = (async () => {
      try {
        const parsed = parseJwks(await fetchJwks(url));
        if (parsed === 'duplicate_kid') {
          log({ event: 'jwks_rejected', level: 'error', reason: 'duplicate_kid', url });
        } else if (parsed) {
          keys = parsed;
          loadedAt = now();
        }
      } catch {
        // Fail closed: keep serving what was cached; an empty cache makes resolve throw below.
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  return {
    resolve: async ({ alg, kid }) => {
      // Without a kid there is no exact match to make, and HS256 secrets are never published in a JWKS.
      if (kid === undefined || alg === 'HS256') return undefined;
      const cached = keys?.get(kid)?.[alg];
      const stale = keys !== undefined && now() - loadedAt >= intervalMs;
      if (cached && !stale) return cached;
      if (inFlight) await inFlight;
      else if (attemptedAt === undefined || now() - attemptedAt >= minRefetchMs) await refresh();
      if (keys === undefined) throw new KeyUnavailableError('no JWKS has been loaded yet');
      return keys.get(kid)?.[alg];
    },
  };
}

function checkJwksUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`the JWKS URL is not a valid URL, got ${JSON.stringify(url)}`);
  }
  const local = parsed.protocol === 'http:' && LOCAL_HOSTS.has(parsed.hostname);
  if (parsed.protocol !== 'https:' && !local) {
    throw new ConfigError(`the JWKS URL must use https (plain http only for 127.0.0.1 or localhost), got ${JSON.stringify(url)}`);
  }
}

async function fetchJwksOverHttp(url: string): Promise<unknown> {
  // No redirects: a redirect could hand the key set to a host (or a scheme) we did not vet.
  const response = await fetch(url, { signal: AbortSignal.timeout(JWKS_TIMEOUT_MS), redirect: 'error', headers: { accept: 'application/json' } });
  if (!response.ok) throw new KeyUnavailableError(`the JWKS URL answered HTTP ${response.status}`);
  const text = await response.text();
  if (text.length > MAX_JWKS_CHARS) throw new KeyUnavailableError('the JWKS is too large');
  return JSON.parse(text) as unknown;
}

/**
 * The usable signing keys of a JWKS, undefined when the document is malformed or holds none, or
 * `duplicate_kid` when two usable keys share a kid (never "the last one wins").
 */
function parseJwks(document: unknown): KeySet | 'duplicate_kid' | undefined {
  if (!isRecord(document) || !Array.isArray(document.keys)) return undefined;
  const set: KeySet = new Map();
  for (const entry of document.keys) {
    const imported = importJwk(entry);
    if (!imported) continue;
    if (set.has(imported.kid)) return 'duplicate_kid';
    const forKid: Partial<Record<JwtAlgorithm, KeyObject>> = {};
    forKid[imported.alg] = imported.key;
    set.set(imported.kid, forKid);
  }
  return set.size > 0 ? set : undefined;
}

function importJwk(jwk: unknown): { kid: string; alg: JwtAlgorithm; key: KeyObject } | undefined {
  if (!isRecord(jwk)) return undefined;
  const { kid, use, kty, alg } = jwk;
  if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) return undefined;
  if (use !== undefined && use !== 'sig') return undefined;
  // Only the public fields are passed on, so a JWKS that leaks `d` still yields a public key.
  let picked: JsonWebKey;
  let algorithm: 'RS256' | 'ES256';
  if (kty === 'RSA' && typeof jwk.n === 'string' && typeof jwk.e === 'string') {
    algorithm = 'RS256';
    picked = { kty, n: jwk.n, e: jwk.e };
  } else if (kty === 'EC' && jwk.crv === 'P-256' && typeof jwk.x === 'string' && typeof jwk.y === 'string') {
    algorithm = 'ES256';
    picked = { kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
  } else {
    return undefined;
  }
  if (alg !== undefined && alg !== algorithm) return undefined;
  try {
    const key = createPublicKey({ key: picked, format: 'jwk' });
    return publicKeyProblem(algorithm, key) ? undefined : { kid, alg: algorithm, key };
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export type KeyMaterialSource = 'ssm' | 'secretsmanager';

let ssm: SSMClient | undefined;
let secretsManager: SecretsManagerClient | undefined;
const materials = new Map<string, Promise<string>>();

/**
 * Reads key material (an HS256 secret or a PEM public key) from an SSM SecureString parameter or a
 * Secrets Manager secret, once per container: later calls share the first call's promise. A failure is
 * not cached, so the next invocation tries again.
 *
 * @example
 * const material = await loadKeyMaterial({ source: 'ssm', id: '/websocket-sessions/prod/jwt-key' });
 */
export function loadKeyMaterial(options: { source: KeyMaterialSource; id: string }): Promise<string> {
  const cacheKey = `${options.source}\n${options.id}`;
  const cached = materials.get(cacheKey);
  if (cached) return cached;
  const pending = readKeyMaterial(options);
  materials.set(cacheKey, pending);
  pending.catch(() => {
    if (materials.get(cacheKey) === pending) materials.delete(cacheKey);
  });
  return pending;
}

async function readKeyMaterial({ source, id }: { source: KeyMaterialSource; id: string }): Promise<string> {
  if (source === 'ssm') {
    ssm ??= new SSMClient(withRequestTimeouts({}));
    let value: string | undefined;
    try {
      value = (await ssm.send(new GetParameterCommand({ Name: id, WithDecryption: true }))).Parameter?.Value;
    } catch (error) {
      throw new KeyMaterialError(`could not read SSM parameter ${id}`, { cause: error });
    }
    if (!value) throw new KeyMaterialError(`SSM parameter ${id} has no value`);
    return value;
  }
  secretsManager ??= new SecretsManagerClient(withRequestTimeouts({}));
  let value: string | undefined;
  try {
    value = (await secretsManager.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
  } catch (error) {
    throw new KeyMaterialError(`could not read secret ${id} from Secrets Manager`, { cause: error });
  }
  if (!value) throw new KeyMaterialError(`secret ${id} has no SecretString (binary secrets are not supported)`);
  return value;
}
