import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Setting } from '../../packages/contract/src/settings';
import { ConfigError } from '../../packages/contract/src/config-error';
import { MAX_VALUE_LENGTH, MIN_VALUE_LENGTH, READ_FAILURES, readKeySetSource, SESSION_COOKIE_SETTINGS } from '../../packages/sessions/src/cookie';

describe('the key set source setting', () => {
  it.each([
    [{ SESSION_COOKIE_KEYS_SSM_PARAMETER: '/app/keys' }, { source: 'ssm', id: '/app/keys' }],
    [{ SESSION_COOKIE_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:k' }, { source: 'secretsmanager', id: 'arn:aws:secretsmanager:eu-west-1:1:secret:k' }],
    [{ SESSION_COOKIE_KEYS_SSM_PARAMETER: '/app/keys', SESSION_COOKIE_KEYS_SECRET_ARN: ' ' }, { source: 'ssm', id: '/app/keys' }],
  ])('reads %j', (env, expected) => {
    expect(readKeySetSource(env)).toEqual(expected);
  });

  it.each([[{}], [{ SESSION_COOKIE_KEYS_SSM_PARAMETER: '/a', SESSION_COOKIE_KEYS_SECRET_ARN: 'b' }]])('is a ConfigError for %j', (env) => {
    expect(() => readKeySetSource(env)).toThrow(ConfigError);
  });
});

describe('packages/sessions/COOKIE.md', () => {
  const doc = readFileSync(path.resolve(__dirname, '..', '..', 'packages', 'sessions', 'COOKIE.md'), 'utf8');
  const rows = (section: string) => {
    const body = doc.slice(doc.indexOf(`### ${section}`)).split('\n### ')[0]!;
    return body.split('\n').filter((line) => /^\| `/.test(line));
  };
  const rule = (setting: Setting): string => {
    const base = setting.type === 'choice' ? `one of ${setting.choices.join(', ')}` : setting.type;
    return 'default' in setting && setting.default !== undefined ? `${base}; default \`${setting.default}\`` : base;
  };

  it('lists every setting with its rule and declared description, and no other', () => {
    expect(rows('Settings')).toEqual(SESSION_COOKIE_SETTINGS.map((s) => `| \`${s.name}\` | ${rule(s)} | ${s.description} |`));
  });

  it('lists every reason a read can fail, and no other', () => {
    expect(rows('Reading').map((row) => row.split('`')[1])).toEqual([...READ_FAILURES]);
  });

  it('gives the length bounds of the cookie value', () => {
    expect(doc).toContain(`${MIN_VALUE_LENGTH}–${MAX_VALUE_LENGTH} characters`);
  });
});
