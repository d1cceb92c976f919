import type { AuthMode } from './identity';
import { readBoolean, readChoice, readInteger, readList, readOptionalString, readString } from './readers';

type Env = Record<string, string | undefined>;

/** The auth modes a setting may be passed in only (see `terraform.modes`). */
export type AuthModeName = AuthMode;

/**
 * Where the Terraform module takes a setting's value from. `variable` names the root module's
 * variable (or attribute of one) whose validation holds the same bounds; `source` says in words what
 * the value is; `modes` limits the auth modes it is passed in; `when` says on what else passing it
 * depends (then its absence in a plan is no drift).
 */
export interface TerraformSource {
  source: string;
  variable?: string;
  modes?: readonly AuthModeName[];
  when?: string;
}

interface Common {
  name: string;
  description: string;
  /** Absent: the Terraform module never passes it (the handler's default applies on AWS). */
  terraform?: TerraformSource;
}

export interface IntegerSetting extends Common {
  type: 'integer';
  default?: number;
  min: number;
  max: number;
  /** Unset is allowed and means "off" (no default value). */
  optional?: boolean;
}
export interface StringSetting extends Common {
  type: 'string';
  default?: string;
  required?: boolean;
}
export interface BooleanSetting extends Common {
  type: 'boolean';
  default: boolean;
}
export interface ChoiceSetting<T extends string = string> extends Common {
  type: 'choice';
  choices: readonly T[];
  default?: T;
}
export interface ListSetting extends Common {
  type: 'list';
  required?: boolean;
}
export interface JsonSetting extends Common {
  type: 'json';
}
export type Setting = IntegerSetting | StringSetting | BooleanSetting | ChoiceSetting | ListSetting | JsonSetting;

export const integer = (setting: Omit<IntegerSetting, 'type'>): IntegerSetting => ({ type: 'integer', ...setting });
export const string = <S extends Omit<StringSetting, 'type'>>(setting: S): S & { type: 'string' } => ({ type: 'string', ...setting });
export const boolean = (setting: Omit<BooleanSetting, 'type'>): BooleanSetting => ({ type: 'boolean', ...setting });
export const choice = <T extends string>(setting: Omit<ChoiceSetting<T>, 'type'>): ChoiceSetting<T> => ({ type: 'choice', ...setting });
export const list = (setting: Omit<ListSetting, 'type'>): ListSetting => ({ type: 'list', ...setting });
export const json = (setting: Omit<JsonSetting, 'type'>): JsonSetting => ({ type: 'json', ...setting });

/** The same settings, passed by Terraform in the given auth modes only (for one function's declaration). */
export function inModes<S extends Setting>(modes: readonly AuthModeName[], settings: readonly S[]): S[] {
  return settings.map((setting) => (setting.terraform ? { ...setting, terraform: { ...setting.terraform, modes } } : setting));
}

/** Whether a setting must be set (no default, not optional). */
export function isRequired(setting: Setting): boolean {
  switch (setting.type) {
    case 'integer':
      return setting.default === undefined && !setting.optional;
    case 'string':
    case 'list':
      return setting.required === true;
    case 'choice':
      return setting.default === undefined;
    default:
      return false;
  }
}

/** Reads a declared integer setting with its declared default and bounds (`ConfigError` names it and its rule). */
export function readIntegerSetting(setting: IntegerSetting, env: Env = process.env): number {
  return readInteger(setting.name, setting, env);
}

/** Reads an integer setting that may be unset (`optional`): undefined when unset, checked against its bounds otherwise. */
export function readOptionalIntegerSetting(setting: IntegerSetting, env: Env = process.env): number | undefined {
  const raw = env[setting.name];
  return raw === undefined || raw === '' ? undefined : readInteger(setting.name, setting, env);
}

export function readStringSetting(setting: StringSetting & { required: true }, env?: Env): string;
export function readStringSetting(setting: StringSetting & { default: string }, env?: Env): string;
export function readStringSetting(setting: StringSetting, env?: Env): string | undefined;
/** Reads a declared string setting: required ones must be non-empty; optional ones fall back to their default. */
export function readStringSetting(setting: StringSetting, env: Env = process.env): string | undefined {
  if (setting.required) return readString(setting.name, env);
  return readOptionalString(setting.name, env) ?? setting.default;
}

export function readBooleanSetting(setting: BooleanSetting, env: Env = process.env): boolean {
  return readBoolean(setting.name, setting.default, env);
}

export function readChoiceSetting<T extends string>(setting: ChoiceSetting<T>, env: Env = process.env): T {
  return readChoice(setting.name, setting.choices, setting.default, env);
}

export function readListSetting(setting: ListSetting, env: Env = process.env): string[] {
  return readList(setting.name, env);
}

/** One entry of dist/manifest.json's `settings`: what a function reads and where Terraform takes it from. */
export interface SettingManifest {
  name: string;
  type: Setting['type'];
  default: number | string | boolean | null;
  min: number | null;
  max: number | null;
  choices: readonly string[] | null;
  required: boolean;
  description: string;
  /** The Terraform variable holding its bounds, or null. */
  variable: string | null;
  /** Whether the Terraform module passes it; `modes`/`when` narrow when. */
  terraform: boolean;
  source: string | null;
  modes: readonly AuthModeName[] | null;
  when: string | null;
}

export function manifestOf(settings: readonly Setting[]): SettingManifest[] {
  return settings.map((setting) => ({
    name: setting.name,
    type: setting.type,
    default: 'default' in setting && setting.default !== undefined ? setting.default : null,
    min: setting.type === 'integer' ? setting.min : null,
    max: setting.type === 'integer' ? setting.max : null,
    choices: setting.type === 'choice' ? setting.choices : null,
    required: isRequired(setting),
    description: setting.description,
    variable: setting.terraform?.variable ?? null,
    terraform: setting.terraform !== undefined,
    source: setting.terraform?.source ?? null,
    modes: setting.terraform?.modes ?? null,
    when: setting.terraform?.when ?? null,
  }));
}
