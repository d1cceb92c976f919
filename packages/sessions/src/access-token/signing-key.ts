import { createPrivateKey, createSecretKey, type KeyObject } from 'node:crypto';
import { loadKeyMaterial, type KeyMaterialSource } from '../../../../functions/lib/auth/keys';
import { KID_PATTERN } from '../../../../functions/lib/auth/jwt';
import { ConfigError } from '../../../contract/src/config-error';

/** The algorithms the authorizer verifies (functions/lib/auth/jwt.ts). */
export type AccessTokenAlgorithm = 'HS256' | 'RS256' | 'ES256';

/** A key that signs access tokens: the HS256 secret the authorizer holds, or the private half of its public key. */
export interface SigningKey {
  algorithm: AccessTokenAlgorithm;
  key: KeyObject;
  /** Written as the token's `kid`: the authorizer's `JWT_KEY_ID`, or the key's `kid` in its JWKS. */
  kid?: string;
}

/** The authorizer's minimums (functions/lib/auth/keys.ts), so no key signs what it would refuse. */
const MIN_SECRET_BYTES = 32;
const MIN_RSA_BITS = 2048;

/**
 * Builds a signing key from its material: for HS256 the same secret the authorizer verifies with (at
 * least 32 bytes), for RS256 / ES256 a PEM private key (RSA of at least 2048 bits, EC on P-256) whose
 * public half the authorizer holds (its SSM parameter or secret, or its JWKS under `kid`). A weak or
 * mismatched key is a `ConfigError`.
 *
 * @example
 * const key = signingKey({ algorithm: 'ES256', material: privateKeyPem, kid: 'ec-2026-11' });
 */
export function signingKey(options: { algorithm: AccessTokenAlgorithm; material: string; kid?: string }): SigningKey {
  const { algorithm, material, kid } = options;
  if (kid !== undefined && !KID_PATTERN.test(kid)) throw new ConfigError(`the signing key id must be 1–128 characters of A–Z a–z 0–9 . _ : -, got ${JSON.stringify(kid)}`);
  const withKid = (key: KeyObject): SigningKey => (kid === undefined ? { algorithm, key } : { algorithm, key, kid });
  if (algorithm === 'HS256') {
    const bytes = Buffer.from(material, 'utf8');
    if (bytes.length < MIN_SECRET_BYTES) throw new ConfigError(`the HS256 secret must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes.length}`);
    return withKid(createSecretKey(bytes));
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(material);
  } catch (error) {
    throw new ConfigError(`the ${algorithm} signing key is not a valid PEM private key`, { cause: error });
  }
  if (algorithm === 'RS256' && (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS)) {
    throw new ConfigError(`the RS256 signing key must be an RSA key of at least ${MIN_RSA_BITS} bits`);
  }
  if (algorithm === 'ES256' && (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')) {
    throw new ConfigError('the ES256 signing key must be an EC key on P-256');
  }
  return withKid(key);
}

/** Parsed signing keys by where they come from, algorithm and kid: parsed once per container. */
const loaded = new Map<string, Promise<SigningKey>>();

/**
 * Reads the signing key's material from an SSM SecureString parameter or a Secrets Manager secret,
 * once per container (`loadKeyMaterial`, the loader the authorizer reads its key with: a failure is a
 * `KeyMaterialError` and is not kept), then checks it as {@link signingKey} does. The checked key is
 * kept too, so issuing a token never parses a PEM again.
 *
 * @example
 * const key = () => loadSigningKey({ source: 'ssm', id: '/chat/prod/jwt-key', algorithm: 'HS256', kid: 'k1' });
 * const tokens = createAccessTokens({ sessions, key, issuer: 'https://chat.example.com', audience: 'chat-ws' });
 */
export function loadSigningKey(options: { source: KeyMaterialSource; id: string; algorithm: AccessTokenAlgorithm; kid?: string }): Promise<SigningKey> {
  const cacheKey = JSON.stringify([options.source, options.id, options.algorithm, options.kid ?? null]);
  let key = loaded.get(cacheKey);
  if (!key) {
    key = loadKeyMaterial({ source: options.source, id: options.id }).then((material) =>
      signingKey({ algorithm: options.algorithm, material, ...(options.kid === undefined ? {} : { kid: options.kid }) }),
    );
    // A failure is not kept: the next call reads again.
    key.catch(() => loaded.delete(cacheKey));
    loaded.set(cacheKey, key);
  }
  return key;
}
