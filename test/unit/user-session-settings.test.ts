import { readFileSync } from 'node:fs';
import schema from '../../modules/connection-store/schema.json';
import { ConfigError } from '../../packages/contract/src/config-error';
import { refreshTokenKey, userSessionKey, userSessionRosterKey } from '../../packages/contract/src/table-keys';
import { readSessionSettings, settings } from '../../packages/sessions/src';
import { TTL_ATTRIBUTE, refreshItem, toSessionItem } from '../../packages/sessions/src/store/items';
import { REFRESH_TOKEN_PATTERN, hashRefreshToken, newRefreshToken } from '../../packages/sessions/src/tokens';
import { SESSION_DOC, withSessionTable } from '../../scripts/settings-docs';

describe('user-session settings', () => {
  it('generate the settings table of packages/sessions/README.md (run `npm run docs` after changing one)', () => {
    const doc = readFileSync(SESSION_DOC, 'utf8');
    expect(withSessionTable(doc)).toBe(doc);
  });

  it('read their defaults from an empty environment', () => {
    expect(readSessionSettings({})).toEqual({
      maxSessionsPerUser: 5,
      ttlSeconds: 86_400,
      staySignedInTtlSeconds: 2_592_000,
      refreshGraceSeconds: 10,
      cache: 'dynamodb',
      redisUrl: undefined,
      redisTimeoutMs: 100,
      cacheTtlSeconds: 300,
    });
    expect(settings.map((setting) => setting.name).every((name) => name.startsWith('SESSION_'))).toBe(true);
  });

  it.each([
    [{ SESSION_MAX_PER_USER: '0' }, /SESSION_MAX_PER_USER must be a whole number from 1 to 20/],
    [{ SESSION_MAX_PER_USER: '5x' }, /SESSION_MAX_PER_USER must be a whole number/],
    [{ SESSION_REDIS_TIMEOUT_MS: '1' }, /SESSION_REDIS_TIMEOUT_MS must be a whole number from 5 to 5000/],
    [{ SESSION_CACHE: 'memcached' }, /SESSION_CACHE must be one of dynamodb, redis/],
    [{ SESSION_CACHE: 'redis' }, /SESSION_REDIS_URL is required when SESSION_CACHE is "redis"/],
  ])('refuse %j with a ConfigError naming the setting and its rule', (env, message) => {
    expect(() => readSessionSettings(env)).toThrow(ConfigError);
    expect(() => readSessionSettings(env)).toThrow(message);
  });
});

describe('user-session items', () => {
  const session = {
    sessionId: '0b8f5c1e-7a4d-4c2b-9e1f-3d2a1b0c9f8e',
    userId: 'user-1',
    email: 'a@example.com',
    refreshTokenHash: hashRefreshToken('t'),
    expiresAt: 1_800_000_000_500,
    device: {},
    staySignedIn: false,
    trusted: false,
    mfa: { status: 'not_required' as const },
    createdAt: 1,
    lastUsedAt: 1,
    version: 1,
  };

  it('use the table schema\'s key names and TTL attribute (epoch seconds, rounded up)', () => {
    for (const key of [userSessionKey('u', 's'), userSessionRosterKey('u'), refreshTokenKey('h')]) {
      expect(Object.keys(key).sort()).toEqual([schema.hashKey, schema.rangeKey].sort());
    }
    expect(TTL_ATTRIBUTE).toBe(schema.ttlAttribute);
    expect(toSessionItem(session, [])[schema.ttlAttribute]).toBe(1_800_000_001);
    expect(refreshItem(session.refreshTokenHash, session)[schema.ttlAttribute]).toBe(1_800_000_001);
  });

  it('share the user partition with the connection counter but stay out of every index', () => {
    expect(userSessionKey('u', 's')).toEqual({ PK: 'USER#u', SK: 'USERSESSION#s' });
    expect(userSessionRosterKey('u')).toEqual({ PK: 'USER#u', SK: 'USERSESSIONS' });
    const indexKeys = schema.globalSecondaryIndexes.flatMap((index) => [index.hashKey, index.rangeKey]);
    for (const item of [toSessionItem(session, []), refreshItem('h', session)]) {
      expect(Object.keys(item).filter((name) => indexKeys.includes(name))).toEqual([]);
    }
  });

  it('store a refresh token only as its SHA-256', () => {
    const token = newRefreshToken();
    expect(token).toMatch(REFRESH_TOKEN_PATTERN);
    expect(hashRefreshToken(token)).toBe(hashRefreshToken(token));
    expect(hashRefreshToken(token)).not.toContain(token);
    expect(JSON.stringify(refreshItem(hashRefreshToken(token), session))).not.toContain(token);
  });
});
