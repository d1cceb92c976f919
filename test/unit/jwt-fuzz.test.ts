import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { verifyJwt, type JwtResult, type JwtSettings, type KeyResolver } from '../../functions/lib/auth/jwt';
import { createStaticKeyResolver } from '../../functions/lib/auth/keys';

/**
 * Property: starting from one valid HS256 token, no mutation of it and no random input makes verifyJwt
 * throw or accept, except the untouched token itself. fast-check prints the seed and path of a failure;
 * rerun it with FUZZ_SEED=<seed>.
 */
const seed = process.env.FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED);
const NOW = 1_700_000_000;
const SECRET = randomBytes(32).toString('hex');
const WRONG_SECRET = randomBytes(32).toString('hex');
const ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];

const encode = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const hmac = (input: string, secret: string): string => createHmac('sha256', secret).update(input).digest('base64url');
const signed = (header: string, payload: string, secret: string): string => `${header}.${payload}.${hmac(`${header}.${payload}`, secret)}`;

const HEADER = encode({ alg: 'HS256', typ: 'JWT' });
const PAYLOAD = encode({ sub: 'user-1', tenant_id: 'acme', roles: ['reader'], sid: 's-1', iat: NOW - 10, exp: NOW + 600 });
const TOKEN = signed(HEADER, PAYLOAD, SECRET);
const SIGNATURE = TOKEN.split('.')[2]!;

const settings: JwtSettings = {
  algorithms: ['HS256'],
  clockToleranceSeconds: 5,
  maxLifetimeSeconds: 86_400,
  maxTokenLength: 8192,
  claims: { userId: 'sub', tenantId: 'tenant_id', roles: 'roles', sessionId: 'sid' },
};
// No kid configured: the resolver answers any kid, so the signature alone has to hold the line.
const keys: KeyResolver = createStaticKeyResolver({ algorithm: 'HS256', material: SECRET });

async function holds(candidate: string): Promise<boolean> {
  let result: JwtResult;
  try {
    result = await verifyJwt(candidate, settings, keys, NOW);
  } catch {
    return false;
  }
  if (result.ok) return candidate === TOKEN;
  return /^[a-z_]+$/.test(result.reason) && Object.keys(result).length === 2;
}

type Mutation = { kind: 'replace' | 'insert'; at: number; char: string } | { kind: 'delete'; at: number; length: number };

const anyChar = fc.oneof(fc.constantFrom(...ALPHABET, '.', '=', '+', '/', ' ', '\n', '\u0000', 'é'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: fc.constantFrom(...ALPHABET) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: anyChar }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: anyChar }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
);

function mutate(token: string, mutations: Mutation[]): string {
  return mutations.reduce((text, change) => {
    const at = change.at % (text.length + 1);
    if (change.kind === 'delete') return text.slice(0, at) + text.slice(at + change.length);
    if (change.kind === 'insert') return text.slice(0, at) + change.char + text.slice(at);
    return text.slice(0, at) + change.char + text.slice(at + 1);
  }, token);
}

const algs = fc.oneof(fc.constantFrom('HS256', 'hs256', 'HS384', 'HS512', 'RS256', 'ES256', 'PS256', 'none', 'NONE', 'nOnE', ''), fc.string(), fc.integer());
const kids = fc.oneof(fc.constantFrom('k1', '../../x', "' OR 1=1", 'k'.repeat(129)), fc.string({ maxLength: 140 }), fc.integer(), fc.constant(null));
const typs = fc.oneof(fc.constantFrom('JWT', 'jwt', 'at+jwt', 'JOSE'), fc.string(), fc.integer());
const headers = fc.record(
  { alg: algs, kid: kids, typ: typs, crit: fc.oneof(fc.constant([]), fc.array(fc.string())), jwk: fc.constant({ kty: 'oct', k: encode(WRONG_SECRET) }), jku: fc.webUrl() },
  { requiredKeys: [] },
);

const claimValue = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 }));
const payloads = fc.oneof(
  fc.record(
    { sub: claimValue, exp: fc.oneof(fc.constant(NOW + 600), claimValue), iat: claimValue, nbf: claimValue, roles: claimValue, tenant_id: claimValue, ['__proto__']: claimValue },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

const SEGMENTS = [HEADER, PAYLOAD, SIGNATURE];

describe('verifyJwt under fuzzing', () => {
  it('accepts the untouched token', async () => {
    await expect(verifyJwt(TOKEN, settings, keys, NOW)).resolves.toMatchObject({ ok: true });
  });

  it('never throws and never accepts a token with characters replaced, inserted or deleted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => holds(mutate(TOKEN, mutations))),
      { numRuns: 4000, seed },
    );
  });

  it('never accepts the segments swapped, repeated or dropped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }), (order) =>
        holds(order.map((index) => SEGMENTS[index]).join('.')),
      ),
      { numRuns: 500, seed },
    );
  });

  it('never accepts a re-encoded header with a random alg, kid, typ, crit or embedded key', async () => {
    await fc.assert(
      fc.asyncProperty(headers, fc.boolean(), async (header, resign) => {
        const encoded = encode(header);
        return holds(resign ? signed(encoded, PAYLOAD, WRONG_SECRET) : `${encoded}.${PAYLOAD}.${SIGNATURE}`);
      }),
      { numRuns: 2000, seed },
    );
  });

  it('never accepts a random payload signed with a wrong key', async () => {
    await fc.assert(
      fc.asyncProperty(payloads, (payload) => holds(signed(HEADER, encode(payload), WRONG_SECRET))),
      { numRuns: 2000, seed },
    );
  });

  it('never throws on random strings, token-shaped or not', async () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/);
    const inputs = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.tuple(segment, segment, segment).map((parts) => parts.join('.')),
      fc.tuple(segment, segment).map(([payload, signature]) => `${HEADER}.${payload}.${signature}`),
      segment.map((signature) => `${HEADER}.${PAYLOAD}.${signature}`),
    );
    await fc.assert(
      fc.asyncProperty(inputs, (input) => holds(input)),
      { numRuns: 2000, seed },
    );
  });
});
