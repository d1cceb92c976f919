import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../packages/contract/src/config-error';
import { LOGIN_FLOW_TTL_SECONDS, LOGIN_SETTINGS, LoginEvent, loginSettings, readLoginSettings, readTotpWindowSteps } from '../../packages/sessions/src/login';

describe('login settings', () => {
  it('default to their declarations', () => {
    expect(readLoginSettings({})).toEqual({ loginFlowTtlSeconds: 600, maxFailuresPerUser: 5, maxFailuresPerIp: 50, failureWindowSeconds: 900, lockoutSeconds: 900 });
    expect(readTotpWindowSteps({})).toBe(1);
  });

  it('hold a login flow to 5–10 minutes', () => {
    expect([LOGIN_FLOW_TTL_SECONDS.min, LOGIN_FLOW_TTL_SECONDS.max]).toEqual([300, 600]);
    expect(readLoginSettings({ LOGIN_FLOW_TTL_SECONDS: '300' }).loginFlowTtlSeconds).toBe(300);
  });

  it.each([
    [{ LOGIN_FLOW_TTL_SECONDS: '299' }, 'LOGIN_FLOW_TTL_SECONDS must be a whole number from 300 to 600, got 299'],
    [{ LOGIN_FLOW_TTL_SECONDS: '10m' }, 'LOGIN_FLOW_TTL_SECONDS must be a whole number from 300 to 600, got "10m"'],
    [{ LOGIN_MAX_FAILURES_PER_USER: '0' }, 'LOGIN_MAX_FAILURES_PER_USER must be a whole number from 1 to 100, got 0'],
    [{ LOGIN_LOCKOUT_SECONDS: '' + 86_401 }, 'LOGIN_LOCKOUT_SECONDS must be a whole number from 60 to 86400, got 86401'],
  ])('refuse %j from the environment with a ConfigError naming the setting and its rule', (env, message) => {
    expect(() => readLoginSettings(env)).toThrow(ConfigError);
    expect(() => readLoginSettings(env)).toThrow(message);
  });

  it('refuse the same values given in code', () => {
    expect(() => loginSettings({ loginFlowTtlSeconds: 900 }, {})).toThrow('LOGIN_FLOW_TTL_SECONDS must be a whole number from 300 to 600, got 900');
    expect(() => loginSettings({ maxFailuresPerIp: 2.5 }, {})).toThrow('LOGIN_MAX_FAILURES_PER_IP must be a whole number');
    expect(loginSettings({ maxFailuresPerUser: 3 }, { LOGIN_MAX_FAILURES_PER_USER: '7', LOGIN_LOCKOUT_SECONDS: '60' })).toMatchObject({ maxFailuresPerUser: 3, lockoutSeconds: 60 });
  });

  it('refuse a TOTP window past two steps', () => {
    expect(() => readTotpWindowSteps({ TOTP_WINDOW_STEPS: '3' })).toThrow('TOTP_WINDOW_STEPS must be a whole number from 0 to 2, got 3');
  });

  it('are each declared once, by a distinct name', () => {
    expect(new Set(LOGIN_SETTINGS.map((s) => s.name)).size).toBe(LOGIN_SETTINGS.length);
  });
});

describe('packages/sessions/LOGIN.md', () => {
  const doc = readFileSync(path.resolve(__dirname, '..', '..', 'packages', 'sessions', 'LOGIN.md'), 'utf8');
  const rows = (section: string) => {
    const body = doc.slice(doc.indexOf(`### ${section}`)).split('\n### ')[0]!;
    return body.split('\n').filter((line) => /^\| `/.test(line));
  };

  it('lists every setting with its declared bounds and default, and no other', () => {
    const expected = LOGIN_SETTINGS.map((s) => `| \`${s.name}\` | integer; ${s.min}–${s.max}; default \`${s.default}\` |`);
    expect(rows('Settings').map((row) => row.slice(0, row.indexOf(' |', row.indexOf('default')) + 2))).toEqual(expected);
  });

  it('lists every event, and no other', () => {
    expect(rows('Events').map((row) => row.split('`')[1])).toEqual(Object.values(LoginEvent));
  });
});
