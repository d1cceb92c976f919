import { ConfigError } from './config-error';

type Env = Record<string, string | undefined>;

/**
 * Reads a required, non-empty string setting.
 *
 * @example
 * const tableName = readString('TABLE_NAME');
 */
export function readString(name: string, env: Env = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(`${name} is required and must be a non-empty string`);
  }
  return value;
}

/** Reads an optional string setting; empty counts as absent. */
export function readOptionalString(name: string, env: Env = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * Reads a whole-number setting within `[min, max]`. Anything that is not a plain base-10 integer
 * (`"12abc"`, `"1e3"`, `"NaN"`, `" "`) is a configuration error, never a silent default.
 *
 * @example
 * const ttlSeconds = readInteger('CONNECTION_TTL_SECONDS', { default: 7800, min: 60, max: 86_400 });
 */
export function readInteger(
  name: string,
  rule: { default?: number; min: number; max: number },
  env: Env = process.env,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    if (rule.default === undefined) throw new ConfigError(`${name} is required (a whole number from ${rule.min} to ${rule.max})`);
    return rule.default;
  }
  if (!/^-?\d+$/.test(raw)) {
    throw new ConfigError(`${name} must be a whole number from ${rule.min} to ${rule.max}, got ${JSON.stringify(raw)}`);
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < rule.min || value > rule.max) {
    throw new ConfigError(`${name} must be a whole number from ${rule.min} to ${rule.max}, got ${raw}`);
  }
  return value;
}

/** Reads `"true"` or `"false"`; anything else is a configuration error. */
export function readBoolean(name: string, defaultValue: boolean, env: Env = process.env): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return defaultValue;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(`${name} must be "true" or "false", got ${JSON.stringify(raw)}`);
}

/** Reads one of a fixed set of values. */
export function readChoice<T extends string>(
  name: string,
  choices: readonly T[],
  defaultValue: T | undefined,
  env: Env = process.env,
): T {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    if (defaultValue === undefined) throw new ConfigError(`${name} is required (one of ${choices.join(', ')})`);
    return defaultValue;
  }
  if (!(choices as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

/** Reads a comma-separated list; blanks around entries are trimmed and empty entries dropped. */
export function readList(name: string, env: Env = process.env): string[] {
  const raw = env[name];
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
