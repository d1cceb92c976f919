import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyJwt, type JwtSettings } from '../../functions/lib/auth/jwt';
import { createJwksResolver, createStaticKeyResolver, KeyMaterialError, loadKeyMaterial } from '../../functions/lib/auth/keys';
import { startKeyStore, type KeyStore } from '../helpers/key-store';
import { craftToken } from '../helpers/tokens';

const NOW = Math.floor(Date.now() / 1000);

const settings: JwtSettings = {
  algorithms: ['HS256', 'RS256', 'ES256'],
  clockToleranceSeconds: 5,
  maxLifetimeSeconds: 3600,
  maxTokenLength: 8192,
  claims: { userId: 'sub' },
};

const token = (header: Record<string, unknown>, key: KeyObject | string): string => craftToken(header, { sub: 'u1', exp: NOW + 600 }, key);

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** The real SDK clients against the local SSM / Secrets Manager endpoint of `startKeyStore` (see there why). */
describe('loadKeyMaterial against a stub SSM / Secrets Manager endpoint', () => {
  let store: KeyStore;
  let values: KeyStore['values'];
  let failOnce: KeyStore['failOnce'];
  let requests: KeyStore['requests'];
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    store = await startKeyStore();
    ({ values, failOnce, requests } = store);
    Object.assign(process.env, store.env);
  });

  afterAll(async () => {
    process.env = savedEnv;
    await store.close();
  });

  const count = (target: string, name: string) => store.count(target, name);

  it('reads an SSM SecureString with decryption, once for two loads (stub endpoint)', async () => {
    values.set('/ws/jwt-secret', 'x'.repeat(40));
    const [first, second] = await Promise.all([loadKeyMaterial({ source: 'ssm', id: '/ws/jwt-secret' }), loadKeyMaterial({ source: 'ssm', id: '/ws/jwt-secret' })]);
    expect(first).toBe('x'.repeat(40));
    expect(second).toBe(first);
    await expect(loadKeyMaterial({ source: 'ssm', id: '/ws/jwt-secret' })).resolves.toBe(first);
    expect(count('AmazonSSM.GetParameter', '/ws/jwt-secret')).toBe(1);
    expect(requests.find((r) => r.body.Name === '/ws/jwt-secret')?.body.WithDecryption).toBe(true);
  });

  it('reads a Secrets Manager SecretString once for two loads (stub endpoint)', async () => {
    values.set('ws/jwt-public-key', '-----BEGIN PUBLIC KEY-----\n…');
    await loadKeyMaterial({ source: 'secretsmanager', id: 'ws/jwt-public-key' });
    await expect(loadKeyMaterial({ source: 'secretsmanager', id: 'ws/jwt-public-key' })).resolves.toBe('-----BEGIN PUBLIC KEY-----\n…');
    expect(count('secretsmanager.GetSecretValue', 'ws/jwt-public-key')).toBe(1);
  });

  it('retries on the next load after the stub endpoint answers 500 once', async () => {
    values.set('/ws/flaky', 'y'.repeat(40));
    failOnce.add('/ws/flaky');
    await expect(loadKeyMaterial({ source: 'ssm', id: '/ws/flaky' })).rejects.toThrow(KeyMaterialError);
    await expect(loadKeyMaterial({ source: 'ssm', id: '/ws/flaky' })).resolves.toBe('y'.repeat(40));
    await expect(loadKeyMaterial({ source: 'ssm', id: '/ws/flaky' })).resolves.toBe('y'.repeat(40));
    expect(count('AmazonSSM.GetParameter', '/ws/flaky')).toBe(2);
  });

  it('reports a missing secret as a KeyMaterialError naming it, and does not cache the failure', async () => {
    const load = () => loadKeyMaterial({ source: 'secretsmanager', id: 'ws/missing' });
    await expect(load()).rejects.toThrow('could not read secret ws/missing from Secrets Manager');
    await expect(load()).rejects.toThrow(KeyMaterialError);
    expect(count('secretsmanager.GetSecretValue', 'ws/missing')).toBe(2);
  });

  it('feeds a static key resolver that verifies tokens signed with the loaded secret', async () => {
    const secret = 'z'.repeat(48);
    values.set('/ws/hs-secret', secret);
    const keys = createStaticKeyResolver({ algorithm: 'HS256', material: await loadKeyMaterial({ source: 'ssm', id: '/ws/hs-secret' }) });
    await expect(verifyJwt(token({ alg: 'HS256' }, secret), settings, keys)).resolves.toMatchObject({ ok: true, identity: { userId: 'u1' } });
  });
});

describe('the JWKS resolver against a local HTTP server', () => {
  const keyA = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyB = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwkA = { ...keyA.publicKey.export({ format: 'jwk' }), kid: 'key-a', use: 'sig', alg: 'ES256' };
  const jwkB = { ...keyB.publicKey.export({ format: 'jwk' }), kid: 'key-b', use: 'sig', alg: 'RS256' };
  const state = { document: { keys: [jwkA] } as unknown, fetches: 0 };
  let jwks: { server: Server; url: string };
  let clock = Date.now();
  const resolver = (url = `${jwks.url}/jwks.json`) => createJwksResolver({ url, refreshIntervalSeconds: 60, now: () => clock });

  beforeAll(async () => {
    jwks = await listen((request, response) => {
      if (request.url === '/hang') return; // never answers: the default fetch must give up on its own
      state.fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(state.document));
    });
  });
  afterAll(() => close(jwks.server));
  beforeEach(() => {
    state.document = { keys: [jwkA] };
    state.fetches = 0;
  });

  it('picks up a rotated key with a single fetch once the interval has passed', async () => {
    const keys = resolver();
    await expect(verifyJwt(token({ alg: 'ES256', kid: 'key-a' }, keyA.privateKey), settings, keys)).resolves.toMatchObject({ ok: true });
    state.document = { keys: [jwkA, jwkB] };
    clock += 61_000;
    const rotated = token({ alg: 'RS256', kid: 'key-b' }, keyB.privateKey);
    await expect(verifyJwt(rotated, settings, keys)).resolves.toMatchObject({ ok: true });
    await expect(verifyJwt(rotated, settings, keys)).resolves.toMatchObject({ ok: true });
    await expect(verifyJwt(token({ alg: 'ES256', kid: 'key-a' }, keyA.privateKey), settings, keys)).resolves.toMatchObject({ ok: true });
    expect(state.fetches).toBe(2);
  });

  it('fetches once for an unknown kid seen twice within the interval', async () => {
    const keys = resolver();
    const unknown = token({ alg: 'RS256', kid: 'key-z' }, keyB.privateKey);
    await expect(verifyJwt(unknown, settings, keys)).resolves.toEqual({ ok: false, reason: 'kid_unknown' });
    await expect(verifyJwt(unknown, settings, keys)).resolves.toEqual({ ok: false, reason: 'kid_unknown' });
    expect(state.fetches).toBe(1);
  });

  it('shares one fetch among concurrent verifications', async () => {
    const keys = resolver();
    const good = token({ alg: 'ES256', kid: 'key-a' }, keyA.privateKey);
    const results = await Promise.all(Array.from({ length: 10 }, () => verifyJwt(good, settings, keys)));
    expect(results.every((result) => result.ok)).toBe(true);
    expect(state.fetches).toBe(1);
  });

  it('fails closed when the server is down', async () => {
    const { server, url } = await listen(() => undefined);
    await close(server);
    const keys = resolver(`${url}/jwks.json`);
    await expect(verifyJwt(token({ alg: 'ES256', kid: 'key-a' }, keyA.privateKey), settings, keys)).resolves.toEqual({ ok: false, reason: 'key_unavailable' });
  });

  it('keeps verifying with cached keys after the server goes down', async () => {
    const { server, url } = await listen((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwkA] }));
    });
    const keys = resolver(`${url}/jwks.json`);
    const good = token({ alg: 'ES256', kid: 'key-a' }, keyA.privateKey);
    await expect(verifyJwt(good, settings, keys)).resolves.toMatchObject({ ok: true });
    await close(server);
    clock += 61_000;
    await expect(verifyJwt(good, settings, keys)).resolves.toMatchObject({ ok: true });
    await expect(verifyJwt(token({ alg: 'RS256', kid: 'key-b' }, keyB.privateKey), settings, keys)).resolves.toEqual({ ok: false, reason: 'kid_unknown' });
  });

  it('fails closed when the server answers an error status or something that is not a JWKS', async () => {
    state.document = '<html>maintenance</html>';
    await expect(verifyJwt(token({ alg: 'ES256', kid: 'key-a' }, keyA.privateKey), settings, resolver())).resolves.toEqual({ ok: false, reason: 'key_unavailable' });
    const { server, url } = await listen((_request, response) => {
      response.writeHead(503);
      response.end();
    });
    await expect(verifyJwt(token({ alg: 'ES256', kid: 'key-a' }, keyA.privateKey), settings, resolver(`${url}/jwks.json`))).resolves.toEqual({
      ok: false,
      reason: 'key_unavailable',
    });
    await close(server);
  });

  it('gives up on a server that never answers after its 3 s timeout', async () => {
    const started = Date.now();
    await expect(verifyJwt(token({ alg: 'ES256', kid: 'key-a' }, keyA.privateKey), settings, resolver(`${jwks.url}/hang`))).resolves.toEqual({
      ok: false,
      reason: 'key_unavailable',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(Date.now() - started).toBeLessThan(6000);
  });
});
