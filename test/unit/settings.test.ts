import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FUNCTION_SETTINGS } from '../../functions/settings';
import { SESSION_RESUME_WINDOW_SECONDS } from '../../functions/settings/shared';
import { readIntegerSetting, type Setting } from '../../packages/contract/src/settings';
import { ConfigError } from '../../packages/contract/src/config-error';
import { DOC, withTable } from '../../scripts/settings-docs';
import { settings as sessionSettings } from '../../packages/sessions/src/settings';
import { LOGIN_SETTINGS } from '../../packages/sessions/src/login/settings';

const ROOT = path.resolve(__dirname, '..', '..');
const STACK = ['authorizer', 'connect', 'disconnect', 'message', 'sweeper', 'fanout'] as const;
const ORIGINAL_ENV = process.env;

describe('settings declarations', () => {
  it('generate the settings table of docs/terraform.md (run `npm run docs` after changing a declaration)', () => {
    const doc = readFileSync(DOC, 'utf8');
    expect(withTable(doc)).toBe(doc);
  });

  const declared = (functions: readonly (keyof typeof FUNCTION_SETTINGS)[]) =>
    functions.flatMap((fn) => (FUNCTION_SETTINGS[fn] as readonly Setting[]).map((setting) => [`${setting.name} (${fn})`, setting] as const));

  it.each([
    ['variables.tf', 'the functions', declared(STACK)],
    ['examples/anonymous-resume/variables.tf', 'the teleprinter', declared(['teleprinter'])],
    ['variables.tf', 'the user sessions library', [...sessionSettings, ...LOGIN_SETTINGS].map((setting) => [setting.name, setting] as const)],
  ] as const)('hold the bounds of the %s validations that feed %s', (file, _reader, settings) => {
    const variables = readFileSync(path.join(ROOT, file), 'utf8');
    const mismatches: string[] = [];
    for (const [label, setting] of settings) {
      if (setting.type !== 'integer' || !setting.terraform?.variable) continue;
      const variable = `var\\.${setting.terraform.variable.replace(/\./g, '\\.')}`;
      const bounds = (operator: string) => [...variables.matchAll(new RegExp(`${variable}\\s*${operator}\\s*(\\d+)`, 'g'))].map((match) => Number(match[1]));
      const [min, max] = [bounds('>='), bounds('<=')];
      if (min.length !== 1 || min[0] !== setting.min || max.length !== 1 || max[0] !== setting.max) {
        mismatches.push(`${label} is ${setting.min}–${setting.max}; ${setting.terraform.variable} in ${file} is ${min.join(',') || '?'}–${max.join(',') || '?'}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  // The user sessions' fields have no Terraform default (null leaves the library's own).
  it.each([['variables.tf', declared(STACK)]] as const)('hold the defaults of the %s variables that feed the functions (a field `optional(number, N)`, a variable `default = N`)', (file, settings) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const blockOf = (name: string): string => {
      const start = text.indexOf(`variable "${name}" {`);
      if (start < 0) return '';
      const next = text.indexOf('\nvariable "', start + 1);
      return text.slice(start, next < 0 ? undefined : next);
    };
    const mismatches: string[] = [];
    let compared = 0;
    for (const [label, setting] of settings) {
      if (setting.type !== 'integer' || !setting.terraform?.variable || setting.default === undefined) continue;
      const [name, field] = setting.terraform.variable.split('.') as [string, string | undefined];
      const block = blockOf(name);
      const found = field
        ? new RegExp(`\\n\\s*${field}\\s*=\\s*optional\\(number,\\s*(\\d+)\\)`).exec(block)
        : /\n\s*default\s*=\s*(\d+)\s*\n/.exec(block);
      if (!found) {
        mismatches.push(`${setting.terraform.variable} in ${file} has no default this test can read (\`${field ?? 'default'} = optional(number, N)\` or \`default = N\`)`);
        continue;
      }
      compared++;
      if (Number(found[1]) !== setting.default) mismatches.push(`${label} defaults to ${setting.default}; ${setting.terraform.variable} in ${file} to ${found[1]}`);
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(3);
  });

  it("let the teleprinter take every CONNECTION_TTL_SECONDS the module's connect function can pass it", () => {
    const passed = FUNCTION_SETTINGS.connect.find((setting) => setting.name === 'CONNECTION_TTL_SECONDS');
    const taken = FUNCTION_SETTINGS.teleprinter.find((setting) => setting.name === 'CONNECTION_TTL_SECONDS');
    expect(taken).toMatchObject({ type: 'integer', min: (passed as { min: number }).min, max: (passed as { max: number }).max, default: (passed as { default: number }).default });
  });

  it('read a bad value as a ConfigError naming the setting and its rule', () => {
    expect(() => readIntegerSetting(SESSION_RESUME_WINDOW_SECONDS, { SESSION_RESUME_WINDOW_SECONDS: '0' })).toThrow(ConfigError);
    expect(() => readIntegerSetting(SESSION_RESUME_WINDOW_SECONDS, { SESSION_RESUME_WINDOW_SECONDS: '0' })).toThrow('SESSION_RESUME_WINDOW_SECONDS must be a whole number from 1 to 86400, got 0');
    expect(readIntegerSetting(SESSION_RESUME_WINDOW_SECONDS, {})).toBe(120);
  });
});

describe('each function reads at init only the settings it declares', () => {
  // What every handler needs to start; AWS_* (the SDK's own), NODE_* and Lambda's variables are not ours.
  const BASE = {
    TABLE_NAME: 'connections',
    FANOUT_QUEUE_URL: 'http://localhost:1/q.fifo',
    FANOUT_DLQ_URL: 'http://localhost:1/dlq.fifo',
    MANAGEMENT_ENDPOINT: 'http://localhost:1/dev',
    SESSION_KEY: 'k'.repeat(32),
  };
  const JWT = { JWT_ALGORITHMS: 'RS256', JWT_JWKS_URL: 'https://id.example.com/jwks.json' };
  const ours = (name: string) => /^[A-Z][A-Z0-9_]*$/.test(name) && (!/^(AWS_|NODE_|LAMBDA_|_)/.test(name) || name === 'AWS_REQUEST_TIMEOUT_MS');

  afterEach(() => {
    process.env = ORIGINAL_ENV;
    jest.restoreAllMocks();
  });

  it.each([
    ['authorizer', 'anonymous'],
    ['authorizer', 'jwt'],
    ['connect', 'two-phase'],
    ['disconnect', 'anonymous'],
    ['message', 'anonymous'],
    ['message', 'two-phase'],
    ['sweeper', 'jwt'],
    ['fanout', 'anonymous'],
  ] as const)('%s (%s mode)', async (fn, authMode) => {
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const read = new Set<string>();
    const env: Record<string, string | undefined> = { ...ORIGINAL_ENV, ...BASE, AUTH_MODE: authMode, ...(authMode === 'anonymous' ? {} : JWT) };
    process.env = new Proxy(env, {
      get(target, name) {
        if (typeof name === 'string') read.add(name);
        return Reflect.get(target, name);
      },
    });
    await jest.isolateModulesAsync(async () => {
      await import(`../../functions/${fn}`);
    });
    const declared = new Set((FUNCTION_SETTINGS[fn] as readonly Setting[]).map((setting) => setting.name));
    expect([...read].filter((name) => ours(name) && !declared.has(name))).toEqual([]);
  });
});
