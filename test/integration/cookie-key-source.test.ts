import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { KeyMaterialError } from '../../functions/lib/auth/keys';
import { ConfigError } from '../../packages/contract/src/config-error';
import type * as CookieModule from '../../packages/sessions/src/cookie';
import { sessionCookies } from '../../packages/sessions/src/cookie';
import sample from '../fixtures/events/http-api-v2.json';
import { keySetJson, rotate } from '../helpers/cookie-keys';
import { startKeyStore, type KeyStore } from '../helpers/key-store';
import { parseSetCookie } from '../helpers/set-cookie';

const GET_PARAMETER = 'AmazonSSM.GetParameter';
const GET_SECRET = 'secretsmanager.GetSecretValue';
const request = (header: string): APIGatewayProxyEventV2 => ({ ...sample, cookies: [`${parseSetCookie(header).name}=${parseSetCookie(header).value}`] }) as APIGatewayProxyEventV2;
const expiresAt = () => Math.floor(Date.now() / 1000) + 3600;

/** Each `jest.isolateModules` registry is a fresh Lambda container: new SDK clients, empty caches. */
async function inNewContainer<T>(use: (cookie: typeof CookieModule) => Promise<T>): Promise<T> {
  let result!: T;
  await jest.isolateModulesAsync(async () => {
    result = await use(await import('../../packages/sessions/src/cookie'));
  });
  return result;
}

/** The real SSM and Secrets Manager SDK clients against the local key store endpoint (no emulator runs here). */
describe('session cookie keys from SSM and Secrets Manager (local key store endpoint)', () => {
  let store: KeyStore;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    store = await startKeyStore();
    Object.assign(process.env, store.env);
  });
  afterAll(async () => {
    process.env = savedEnv;
    await store.close();
  });

  it('reads the key set from an SSM SecureString once per container, concurrent first reads sharing the request', async () => {
    store.values.set('/app/cookie-keys', keySetJson(['k1']));
    const cookies = sessionCookies({ env: { SESSION_COOKIE_KEYS_SSM_PARAMETER: '/app/cookie-keys' } });
    const [written, garbage] = await Promise.all([cookies.write({ userId: 'u-1', sessionId: 'us_1', expiresAt: expiresAt() }), cookies.read({ cookies: ['__Host-session=garbage'] })]);
    expect(garbage).toEqual({ ok: false, reason: 'malformed' });
    await expect(cookies.read(request(written))).resolves.toMatchObject({ ok: true, session: { sessionId: 'us_1', keyId: 'k1' } });
    expect(store.count(GET_PARAMETER, '/app/cookie-keys')).toBe(1);
    expect(store.requests.find((r) => r.body.Name === '/app/cookie-keys')?.body.WithDecryption).toBe(true);
  });

  it('reads the key set from a Secrets Manager secret by ARN once per container', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:app/cookie-keys-AbCdEf';
    store.values.set(arn, keySetJson(['s1']));
    const cookies = sessionCookies({ env: { SESSION_COOKIE_KEYS_SECRET_ARN: arn } });
    const written = await cookies.write({ userId: 'u-1', sessionId: 'us_2', expiresAt: expiresAt() });
    await expect(cookies.read(request(written))).resolves.toMatchObject({ ok: true, session: { sessionId: 'us_2', keyId: 's1' } });
    expect(store.count(GET_SECRET, arn)).toBe(1);
  });

  it('is a ConfigError naming the rule when the stored key set holds a weak key, and asks once', async () => {
    store.values.set('/app/weak', JSON.stringify({ keys: [{ id: 'k1', secret: Buffer.alloc(32).toString('base64') }], current: 'k1' }));
    const cookies = sessionCookies({ env: { SESSION_COOKIE_KEYS_SSM_PARAMETER: '/app/weak' } });
    await expect(cookies.write({ userId: 'u-1', sessionId: 'us_1', expiresAt: expiresAt() })).rejects.toThrow(ConfigError);
    await expect(cookies.read(request('__Host-session=x'))).rejects.toThrow('the secret of cookie key k1 is one byte repeated');
    expect(store.count(GET_PARAMETER, '/app/weak')).toBe(1);
  });

  it('reads the key set at ready(), so a weak one fails the init and a good one costs no request later', async () => {
    store.values.set('/app/short', JSON.stringify({ keys: [{ id: 'k1', secret: Buffer.alloc(16, 9).fill(4, 8).toString('base64') }], current: 'k1' }));
    await expect(sessionCookies({ env: { SESSION_COOKIE_KEYS_SSM_PARAMETER: '/app/short' } }).ready()).rejects.toThrow('the secret of cookie key k1 is too short');
    store.values.set('/app/ready', keySetJson(['k1']));
    const cookies = sessionCookies({ env: { SESSION_COOKIE_KEYS_SSM_PARAMETER: '/app/ready' } });
    await cookies.ready();
    expect(store.count(GET_PARAMETER, '/app/ready')).toBe(1);
    await cookies.write({ userId: 'u-1', sessionId: 'us_1', expiresAt: expiresAt() });
    expect(store.count(GET_PARAMETER, '/app/ready')).toBe(1);
  });

  it('reports an unreadable key set as a KeyMaterialError and asks again on the next request', async () => {
    store.values.set('/app/flaky', keySetJson(['k1']));
    store.failOnce.add('/app/flaky');
    const cookies = sessionCookies({ env: { SESSION_COOKIE_KEYS_SSM_PARAMETER: '/app/flaky' } });
    await expect(cookies.write({ userId: 'u-1', sessionId: 'us_1', expiresAt: expiresAt() })).rejects.toThrow(KeyMaterialError);
    await expect(cookies.write({ userId: 'u-1', sessionId: 'us_1', expiresAt: expiresAt() })).resolves.toMatch(/^__Host-session=/);
    expect(store.count(GET_PARAMETER, '/app/flaky')).toBe(2);
  });

  it('gives up on a key store that never answers after AWS_REQUEST_TIMEOUT_MS, with a KeyMaterialError', async () => {
    store.values.set('/app/hung', keySetJson(['k1']));
    store.hang.add('/app/hung');
    process.env.AWS_REQUEST_TIMEOUT_MS = '300';
    try {
      // A new container, so the SDK clients are built with this timeout (read once, at init).
      const failure = inNewContainer(async ({ sessionCookies: create }) => create({ env: { SESSION_COOKIE_KEYS_SSM_PARAMETER: '/app/hung' } }).ready());
      await expect(failure).rejects.toThrow('could not read SSM parameter /app/hung');
      await expect(failure).rejects.toMatchObject({ name: 'KeyMaterialError', cause: { name: 'TimeoutError' } });
    } finally {
      delete process.env.AWS_REQUEST_TIMEOUT_MS;
    }
  });

  it('rotates: a container started after the rotation reads old cookies and writes under the newest key; one started before keeps its keys', async () => {
    const before = keySetJson(['2026-10']);
    store.values.set('/app/rotating', before);
    const env = { SESSION_COOKIE_KEYS_SSM_PARAMETER: '/app/rotating' };
    const early = await inNewContainer(async ({ sessionCookies: create }) => create({ env }));
    const old = await early.write({ userId: 'u-1', sessionId: 'us_old', expiresAt: expiresAt() });

    store.values.set('/app/rotating', rotate(before, '2026-11'));
    const [readOld, fresh] = await inNewContainer(async ({ sessionCookies: create }) => {
      const late = create({ env });
      return [await late.read(request(old)), await late.write({ userId: 'u-1', sessionId: 'us_new', expiresAt: expiresAt() })] as const;
    });
    expect(readOld).toMatchObject({ ok: true, session: { sessionId: 'us_old', keyId: '2026-10' } });
    await expect(inNewContainer(async ({ sessionCookies: create }) => create({ env }).read(request(fresh)))).resolves.toMatchObject({ ok: true, session: { keyId: '2026-11' } });
    // The early container read its key set once and does not know the new key until it is recycled.
    await expect(early.read(request(fresh))).resolves.toEqual({ ok: false, reason: 'unknown_key' });
    expect(store.count(GET_PARAMETER, '/app/rotating')).toBe(3);
  });
});
