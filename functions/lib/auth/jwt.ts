import type { KeyObject } from 'node:crypto';
import { JsonWebTokenError, NotBeforeError, TokenExpiredError, verify, type VerifyOptions } from 'jsonwebtoken';
import { readList, readOptionalString } from '../../../packages/contract/src/readers';
import { readIntegerSetting, readOptionalIntegerSetting } from '../../../packages/contract/src/settings';
import { JWT_CLOCK_TOLERANCE_SECONDS, JWT_MAX_AGE_SECONDS, JWT_MAX_LIFETIME_SECONDS, JWT_MAX_TOKEN_LENGTH } from '../../settings/shared';
import { ConfigError } from '../../../packages/contract/src/config-error';
import { GUEST_USER_PREFIX, ID_PATTERN, MAX_ROLES, ROLE_PATTERN } from '../../../packages/contract/src/identity';

type Env = Record<string, string | undefined>;

export const JWT_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** Verification rules for one stage, read once at init by {@link readJwtSettings}. */
export interface JwtSettings {
  /** Exact, case-sensitive allowlist; a token's `alg` must be one of these. */
  algorithms: JwtAlgorithm[];
  issuer?: string;
  /** A token is accepted when its `aud` names any of these. */
  audience?: string[];
  /** Leeway, in seconds, for `exp`, `nbf` and an `iat` in the future. */
  clockToleranceSeconds: number;
  /** When set, `now - iat` must be at most this many seconds, and `iat` becomes required. */
  maxAgeSeconds?: number;
  /** `exp - (iat ?? now)` must be at most this many seconds: no near-eternal tokens. */
  maxLifetimeSeconds: number;
  /** Checked before any decoding, so a huge header costs nothing. */
  maxTokenLength: number;
  /** When set, the header's `typ` must equal it exactly; when unset, `typ` must be absent or `"JWT"`. */
  typ?: string;
  /** Names of the claims the identity is picked from. */
  claims: { userId: string; tenantId?: string; roles?: string; sessionId?: string };
}

/** Who a verified token speaks for: picked, validated fields only, never a copy of the payload. */
export interface JwtIdentity {
  userId: string;
  tenantId?: string;
  roles: string[];
  sessionId?: string;
  /** The token's `exp`, epoch seconds. */
  expiresAt: number;
}

/** Every reason a token is refused; each is a metric dimension, so the set stays small and stable. */
export type JwtRejection =
  | 'token_too_long'
  | 'malformed'
  | 'header_invalid'
  | 'alg_not_allowed'
  | 'typ_invalid'
  | 'crit_unsupported'
  | 'kid_invalid'
  | 'kid_unknown'
  | 'key_unavailable'
  | 'key_mismatch'
  | 'signature_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'issuer_invalid'
  | 'audience_invalid'
  | 'token_invalid'
  | 'payload_invalid'
  | 'exp_missing'
  | 'exp_invalid'
  | 'iat_invalid'
  | 'iat_missing'
  | 'issued_in_future'
  | 'lifetime_too_long'
  | 'token_too_old'
  | 'user_id_invalid'
  | 'tenant_id_invalid'
  | 'roles_invalid'
  | 'session_id_invalid';

export type JwtResult = { ok: true; identity: JwtIdentity } | { ok: false; reason: JwtRejection };

/**
 * Finds the verification key for a token. It sees only the pinned `alg` and the validated `kid`, never
 * the rest of the header, so embedded `jwk`/`jku`/`x5u`/`x5c` can never choose a key. Returns undefined
 * for an unknown key; throws only when keys cannot be had at all (reported as `key_unavailable`).
 */
export interface KeyResolver {
  resolve(header: { alg: JwtAlgorithm; kid?: string }): Promise<KeyObject | undefined>;
}

/** Compact serialization: three non-empty base64url segments. An unsigned (`alg: none`) token fails here. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** What a key id may look like: enough for UUIDs, thumbprints and dates, nothing a path or a query could use. */
export const KID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const DEFAULT_CLAIMS = { userId: 'sub', tenantId: 'tenant_id', roles: 'roles', sessionId: 'sid' } as const;
/** Reading these by name would reach Object.prototype instead of the token's claims. */
const UNSAFE_CLAIM_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Reads the verifier's settings from the environment once at init. Every malformed or out-of-range value
 * is a {@link ConfigError} naming its variable, never a silent default.
 *
 * @example
 * const settings = readJwtSettings(); // JWT_ALGORITHMS=RS256 JWT_ISSUER=https://id.example.com/
 */
export function readJwtSettings(env: Env = process.env): JwtSettings {
  const algorithms = readList('JWT_ALGORITHMS', env);
  if (algorithms.length === 0) {
    throw new ConfigError(`JWT_ALGORITHMS is required (a comma-separated list of ${JWT_ALGORITHMS.join(', ')})`);
  }
  for (const algorithm of algorithms) {
    if (!isAlgorithm(algorithm)) {
      throw new ConfigError(`JWT_ALGORITHMS entries must be ${JWT_ALGORITHMS.join(', ')} (exact case), got ${JSON.stringify(algorithm)}`);
    }
  }
  const audience = readList('JWT_AUDIENCE', env);
  const settings: JwtSettings = {
    algorithms: [...new Set(algorithms as JwtAlgorithm[])],
    clockToleranceSeconds: readIntegerSetting(JWT_CLOCK_TOLERANCE_SECONDS, env),
    maxLifetimeSeconds: readIntegerSetting(JWT_MAX_LIFETIME_SECONDS, env),
    maxTokenLength: readIntegerSetting(JWT_MAX_TOKEN_LENGTH, env),
    claims: {
      userId: readClaimName('JWT_USER_ID_CLAIM', DEFAULT_CLAIMS.userId, env),
      tenantId: readClaimName('JWT_TENANT_ID_CLAIM', DEFAULT_CLAIMS.tenantId, env),
      roles: readClaimName('JWT_ROLES_CLAIM', DEFAULT_CLAIMS.roles, env),
      sessionId: readClaimName('JWT_SESSION_ID_CLAIM', DEFAULT_CLAIMS.sessionId, env),
    },
  };
  const issuer = readOptionalString('JWT_ISSUER', env);
  if (issuer !== undefined) settings.issuer = issuer;
  if (audience.length > 0) settings.audience = audience;
  const maxAgeSeconds = readOptionalIntegerSetting(JWT_MAX_AGE_SECONDS, env);
  if (maxAgeSeconds !== undefined) settings.maxAgeSeconds = maxAgeSeconds;
  const typ = env.JWT_TYP;
  if (typ !== undefined && typ !== '') {
    if (typ.trim() !== typ) throw new ConfigError(`JWT_TYP must not have surrounding blanks, got ${JSON.stringify(typ)}`);
    settings.typ = typ;
  }
  return settings;
}

function readClaimName(name: string, defaultValue: string, env: Env): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return defaultValue;
  if (raw.trim() !== raw || raw.length > 256) {
    throw new ConfigError(`${name} must be a claim name without surrounding blanks (at most 256 characters), got ${JSON.stringify(raw)}`);
  }
  if (UNSAFE_CLAIM_NAMES.has(raw)) throw new ConfigError(`${name} must not be ${JSON.stringify(raw)}`);
  return raw;
}

const isAlgorithm = (value: unknown): value is JwtAlgorithm => (JWT_ALGORITHMS as readonly unknown[]).includes(value);

const reject = (reason: JwtRejection): JwtResult => ({ ok: false, reason });

/**
 * Verifies a compact JWT and picks the identity from it. Cheap checks run first and the signature last,
 * so garbage costs no crypto. Never throws for bad input, and never puts the token in a result.
 *
 * @example
 * const keys = createStaticKeyResolver({ algorithm: 'RS256', material: publicKeyPem });
 * const result = await verifyJwt(token, readJwtSettings(), keys);
 * if (!result.ok) log({ event: 'reject', level: 'warn', reason: result.reason });
 */
export async function verifyJwt(
  token: string,
  settings: JwtSettings,
  keys: KeyResolver,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<JwtResult> {
  try {
    return await verifyOrReject(token, settings, keys, nowSeconds);
  } catch {
    // Only a bug could land here; an authorizer fails closed rather than letting the error escape.
    return reject('token_invalid');
  }
}

async function verifyOrReject(token: string, settings: JwtSettings, keys: KeyResolver, now: number): Promise<JwtResult> {
  if (typeof token !== 'string') return reject('malformed');
  if (token.length > settings.maxTokenLength) return reject('token_too_long');
  if (!TOKEN_PATTERN.test(token)) return reject('malformed');
  const [headerSegment, payloadSegment, signatureSegment] = token.split('.') as [string, string, string];
  // Node decodes base64url leniently; a signature with altered padding bits would otherwise still verify.
  if (!isCanonicalBase64url(headerSegment) || !isCanonicalBase64url(payloadSegment) || !isCanonicalBase64url(signatureSegment)) {
    return reject('malformed');
  }

  const header = parseJsonObject(headerSegment);
  if (header === undefined) return reject('header_invalid');
  const alg = ownValue(header, 'alg');
  if (!isAlgorithm(alg) || !settings.algorithms.includes(alg)) return reject('alg_not_allowed');
  const typ = ownValue(header, 'typ');
  if (settings.typ !== undefined ? typ !== settings.typ : typ !== undefined && typ !== 'JWT') return reject('typ_invalid');
  // We understand no extension header, so RFC 7515 §4.1.11 obliges us to refuse any token that lists one.
  if (Object.hasOwn(header, 'crit')) return reject('crit_unsupported');
  const kid = ownValue(header, 'kid');
  if (kid !== undefined && (typeof kid !== 'string' || !KID_PATTERN.test(kid))) return reject('kid_invalid');

  let key: KeyObject | undefined;
  try {
    key = await keys.resolve(kid === undefined ? { alg } : { alg, kid });
  } catch {
    return reject('key_unavailable');
  }
  if (key === undefined) return reject('kid_unknown');
  if (!keyFits(alg, key)) return reject('key_mismatch');

  let payload: unknown;
  try {
    const options: VerifyOptions & { complete: true } = {
      algorithms: [alg],
      clockTolerance: settings.clockToleranceSeconds,
      clockTimestamp: now,
      complete: true,
    };
    if (settings.issuer !== undefined) options.issuer = settings.issuer;
    const [firstAudience, ...otherAudiences] = settings.audience ?? [];
    // An empty list would make jsonwebtoken refuse every token; it means "no audience check".
    if (firstAudience !== undefined) options.audience = [firstAudience, ...otherAudiences];
    payload = verify(token, key, options).payload;
  } catch (error) {
    return reject(rejectionFor(error));
  }

  if (!isPlainObject(payload)) return reject('payload_invalid');
  return checkClaims(payload, settings, now);
}

function checkClaims(payload: Record<string, unknown>, settings: JwtSettings, now: number): JwtResult {
  const exp = ownValue(payload, 'exp');
  if (exp === undefined) return reject('exp_missing');
  // JSON can say 1e400, which parses to Infinity and would pass every comparison.
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return reject('exp_invalid');
  const iat = ownValue(payload, 'iat');
  if (iat !== undefined) {
    if (typeof iat !== 'number' || !Number.isFinite(iat)) return reject('iat_invalid');
    if (iat > now + settings.clockToleranceSeconds) return reject('issued_in_future');
  }
  if (exp - (iat ?? now) > settings.maxLifetimeSeconds) return reject('lifetime_too_long');
  if (settings.maxAgeSeconds !== undefined) {
    if (iat === undefined) return reject('iat_missing');
    if (now - iat > settings.maxAgeSeconds) return reject('token_too_old');
  }

  const { claims } = settings;
  const userId = ownValue(payload, claims.userId);
  // `guest:` names guests (ALLOW_GUESTS): a signed-in user named so could be reached as one.
  if (!isId(userId) || userId.startsWith(GUEST_USER_PREFIX)) return reject('user_id_invalid');
  const identity: JwtIdentity = { userId, roles: [], expiresAt: Math.floor(exp) };

  if (claims.tenantId !== undefined) {
    const tenantId = ownValue(payload, claims.tenantId);
    if (tenantId !== undefined) {
      if (!isId(tenantId)) return reject('tenant_id_invalid');
      identity.tenantId = tenantId;
    }
  }
  if (claims.roles !== undefined) {
    const roles = readRoles(ownValue(payload, claims.roles));
    if (roles === undefined) return reject('roles_invalid');
    identity.roles = roles;
  }
  if (claims.sessionId !== undefined) {
    const sessionId = ownValue(payload, claims.sessionId);
    if (sessionId !== undefined) {
      if (!isId(sessionId)) return reject('session_id_invalid');
      identity.sessionId = sessionId;
    }
  }
  return { ok: true, identity };
}

/**
 * Roles come as a JSON array, or as an OAuth-style `scope` string whose entries are separated by
 * spaces. Every role must keep the role rule (packages/contract/src/identity.ts): a token with a role
 * such as `"team admin"` in an array is refused, never split or trimmed into other roles.
 */
function readRoles(value: unknown): string[] | undefined {
  if (value === undefined) return [];
  let entries: unknown[];
  if (typeof value === 'string') entries = value.split(' ').filter((entry) => entry !== '');
  else if (Array.isArray(value)) entries = value;
  else return undefined;
  if (entries.length > MAX_ROLES) return undefined;
  if (!entries.every((entry) => typeof entry === 'string' && ROLE_PATTERN.test(entry))) return undefined;
  return [...new Set(entries as string[])];
}

function rejectionFor(error: unknown): JwtRejection {
  if (error instanceof TokenExpiredError) return 'token_expired';
  if (error instanceof NotBeforeError) return 'token_not_yet_valid';
  if (error instanceof JsonWebTokenError) {
    if (error.message === 'invalid signature') return 'signature_invalid';
    if (error.message.startsWith('jwt issuer invalid')) return 'issuer_invalid';
    if (error.message.startsWith('jwt audience invalid')) return 'audience_invalid';
    if (error.message === 'invalid exp value') return 'exp_invalid';
  }
  // jws parses the payload of a typ "JWT" token itself, before the signature check, and throws on bad JSON.
  if (error instanceof SyntaxError) return 'payload_invalid';
  return 'token_invalid';
}

/**
 * The key must be of the kind the token's algorithm needs. jsonwebtoken checks this too; checking here
 * as well keeps HS/RS key confusion impossible even if a resolver hands back the wrong key, and gives
 * the mistake its own reason.
 */
function keyFits(alg: JwtAlgorithm, key: KeyObject): boolean {
  switch (alg) {
    case 'HS256':
      return key.type === 'secret';
    case 'RS256':
      return key.type === 'public' && key.asymmetricKeyType === 'rsa';
    case 'ES256':
      return key.type === 'public' && key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  }
}

function isCanonicalBase64url(segment: string): boolean {
  if (segment.length % 4 === 1) return false;
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

function parseJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** An own property only: `payload.constructor` or `payload.__proto__` would otherwise read the prototype chain. */
function ownValue(object: Record<string, unknown>, name: string): unknown {
  return Object.getOwnPropertyDescriptor(object, name)?.value;
}

/** User, tenant and session ids: the id rule of packages/contract/src/identity.ts (1–256 code points, no control character). */
const isId = (value: unknown): value is string => typeof value === 'string' && ID_PATTERN.test(value);
