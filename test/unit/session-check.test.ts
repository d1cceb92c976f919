import { readSessionCheck } from '../../functions/lib/auth/session-check';
import { ConfigError } from '../../packages/contract/src/config-error';

describe('the sid check settings', () => {
  it('are off by default and then accept a token without sid, reading no table', async () => {
    const check = readSessionCheck({});
    expect(await check({ userId: 'user-1' })).toEqual({ ok: true, cache: 'off' });
    expect(await check({ userId: 'user-1', sessionId: '3f0c4a52-8d7e-4b1a-9c2d-5e6f7a8b9c0d' })).toEqual({ ok: true, cache: 'off' });
    expect(check.stats()).toEqual({ hits: 0, misses: 0, size: 0 });
  });

  it('refuse a token without sid when JWT_REQUIRE_SESSION_ID is true, even with the check off', async () => {
    expect(await readSessionCheck({ JWT_REQUIRE_SESSION_ID: 'true' })({ userId: 'user-1' })).toEqual({ ok: false, reason: 'session_id_missing' });
  });

  it.each([
    [{ JWT_SESSION_CACHE_SECONDS: '6' }, 'JWT_SESSION_CACHE_SECONDS must be a whole number from 0 to 5, got 6'],
    [{ JWT_SESSION_CACHE_SIZE: '0' }, 'JWT_SESSION_CACHE_SIZE must be a whole number from 1 to 100000, got 0'],
    [{ JWT_SESSION_CHECK: 'yes' }, 'JWT_SESSION_CHECK'],
    [{ JWT_SESSION_CHECK: 'true' }, 'TABLE_NAME is required when JWT_SESSION_CHECK is true'],
    [{ SESSION_COOKIE_CONNECT: 'true' }, 'TABLE_NAME is required when SESSION_COOKIE_CONNECT is true'],
  ])('refuse %j with a ConfigError naming the setting', (env, message) => {
    expect(() => readSessionCheck(env)).toThrow(ConfigError);
    expect(() => readSessionCheck(env)).toThrow(message);
  });
});
