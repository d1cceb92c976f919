import { readBoolean, readChoice, readInteger, readList, readOptionalString, readString } from '../../packages/contract/src/readers';
import { ConfigError } from '../../packages/contract/src/config-error';

const TTL_RULE = { default: 7800, min: 60, max: 86_400 };

describe('readString', () => {
  it('returns the value as given', () => {
    expect(readString('TABLE_NAME', { TABLE_NAME: 'connections' })).toBe('connections');
  });

  it('keeps surrounding blanks of a non-blank value', () => {
    expect(readString('TABLE_NAME', { TABLE_NAME: ' connections ' })).toBe(' connections ');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['a tab', '\t'],
  ])('rejects a %s value with a ConfigError naming the variable', (_label, value) => {
    const read = () => readString('TABLE_NAME', { TABLE_NAME: value });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow('TABLE_NAME is required and must be a non-empty string');
  });
});

describe('readOptionalString', () => {
  it('returns the value when set', () => {
    expect(readOptionalString('METRICS_NAMESPACE', { METRICS_NAMESPACE: 'Chat' })).toBe('Chat');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '  '],
  ])('treats a %s value as absent', (_label, value) => {
    expect(readOptionalString('METRICS_NAMESPACE', { METRICS_NAMESPACE: value })).toBeUndefined();
  });
});

describe('readInteger', () => {
  it.each([
    ['60', 60],
    ['7800', 7800],
    ['86400', 86_400],
    ['0060', 60],
  ])('reads %j as %d', (raw, expected) => {
    expect(readInteger('CONNECTION_TTL_SECONDS', TTL_RULE, { CONNECTION_TTL_SECONDS: raw })).toBe(expected);
  });

  it('reads a negative number inside a range that allows it', () => {
    expect(readInteger('OFFSET', { min: -10, max: 10 }, { OFFSET: '-1' })).toBe(-1);
  });

  it.each([undefined, ''])('returns the default for %j', (raw) => {
    expect(readInteger('CONNECTION_TTL_SECONDS', TTL_RULE, { CONNECTION_TTL_SECONDS: raw })).toBe(7800);
  });

  it('requires a value when there is no default', () => {
    const read = () => readInteger('MAX_CONNECTIONS', { min: 1, max: 10 }, {});
    expect(read).toThrow(ConfigError);
    expect(read).toThrow('MAX_CONNECTIONS is required (a whole number from 1 to 10)');
  });

  it.each(['12abc', '1e3', ' ', ' 60', '60 ', 'NaN', 'Infinity', '-Infinity', '0x10', '+60', '60.0', '60.5', '1_000', 'sixty'])(
    'rejects %j as not a whole number',
    (raw) => {
      const read = () => readInteger('CONNECTION_TTL_SECONDS', TTL_RULE, { CONNECTION_TTL_SECONDS: raw });
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(`CONNECTION_TTL_SECONDS must be a whole number from 60 to 86400, got ${JSON.stringify(raw)}`);
    },
  );

  it.each(['-1', '0', '59', '86401', '9007199254740993', '99999999999999999999'])('rejects %j as out of range', (raw) => {
    const read = () => readInteger('CONNECTION_TTL_SECONDS', TTL_RULE, { CONNECTION_TTL_SECONDS: raw });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(`CONNECTION_TTL_SECONDS must be a whole number from 60 to 86400, got ${raw}`);
  });
});

describe('readBoolean', () => {
  it.each([
    ['true', false, true],
    ['false', true, false],
    [undefined, true, true],
    [undefined, false, false],
    ['', true, true],
  ])('reads %j (default %j) as %j', (raw, defaultValue, expected) => {
    expect(readBoolean('ALLOW_MISSING_ORIGIN', defaultValue, { ALLOW_MISSING_ORIGIN: raw })).toBe(expected);
  });

  it.each(['yes', 'no', 'TRUE', 'True', '1', '0', ' true', 'false '])('rejects %j', (raw) => {
    const read = () => readBoolean('ALLOW_MISSING_ORIGIN', true, { ALLOW_MISSING_ORIGIN: raw });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(`ALLOW_MISSING_ORIGIN must be "true" or "false", got ${JSON.stringify(raw)}`);
  });
});

describe('readChoice', () => {
  const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

  it('returns a listed value', () => {
    expect(readChoice('LOG_LEVEL', LEVELS, 'info', { LOG_LEVEL: 'warn' })).toBe('warn');
  });

  it.each([undefined, ''])('returns the default for %j', (raw) => {
    expect(readChoice('LOG_LEVEL', LEVELS, 'info', { LOG_LEVEL: raw })).toBe('info');
  });

  it('requires a value when there is no default', () => {
    const read = () => readChoice('AUTH_MODE', ['anonymous'] as const, undefined, {});
    expect(read).toThrow(ConfigError);
    expect(read).toThrow('AUTH_MODE is required (one of anonymous)');
  });

  it.each(['WARN', 'verbose', ' info', 'toString', '__proto__', 'constructor'])('rejects %j', (raw) => {
    const read = () => readChoice('LOG_LEVEL', LEVELS, 'info', { LOG_LEVEL: raw });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(`LOG_LEVEL must be one of debug, info, warn, error, got ${JSON.stringify(raw)}`);
  });
});

describe('readList', () => {
  it.each([
    [undefined, []],
    ['', []],
    [' , ,', []],
    ['https://a.com', ['https://a.com']],
    [' https://a.com , https://b.com ', ['https://a.com', 'https://b.com']],
    ['a,,b,', ['a', 'b']],
  ])('reads %j as %j', (raw, expected) => {
    expect(readList('ALLOWED_ORIGINS', { ALLOWED_ORIGINS: raw })).toEqual(expected);
  });
});

describe('ConfigError', () => {
  it('is an Error named ConfigError', () => {
    const error = new ConfigError('x');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
  });
});
