import { ConfigError } from '../../../packages/contract/src/config-error';
import { ROLE_PATTERN, type Identity } from '../../../packages/contract/src/identity';
import { ACTION_PATTERN } from '../../../packages/contract/src/frames';

/** Action → the roles allowed to perform it (any one suffices). Actions not listed are open to all. */
export type Permissions = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Reads `ACTION_PERMISSIONS`, a JSON object such as `{"broadcast":["admin"]}`. Anything else (not
 * JSON, an array, a malformed action, an empty or non-string role list) is a configuration error.
 *
 * @example
 * const permissions = readPermissions(process.env.ACTION_PERMISSIONS);
 */
export function readPermissions(raw: string | undefined): Permissions {
  const permissions = new Map<string, ReadonlySet<string>>();
  if (raw === undefined || raw.trim() === '') return permissions;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('ACTION_PERMISSIONS must be a JSON object of action → list of roles');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('ACTION_PERMISSIONS must be a JSON object of action → list of roles');
  }
  for (const [action, roles] of Object.entries(parsed)) {
    if (!ACTION_PATTERN.test(action)) throw new ConfigError(`ACTION_PERMISSIONS has a malformed action ${JSON.stringify(action)}`);
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every((role) => typeof role === 'string' && ROLE_PATTERN.test(role))) {
      // The rule tokens' roles keep: a role no token can hold would silently lock the action.
      throw new ConfigError(`ACTION_PERMISSIONS.${action} must be a non-empty list of roles (1–64 characters of A–Z a–z 0–9 _ . : @ / -)`);
    }
    permissions.set(action, new Set(roles as string[]));
  }
  return permissions;
}

/** The roles an action needs that the identity lacks; undefined when it may proceed. */
export function missingRoles(permissions: Permissions, action: string, identity: Identity | undefined): string[] | undefined {
  const required = permissions.get(action);
  if (!required) return undefined;
  if (identity?.roles?.some((role) => required.has(role))) return undefined;
  return [...required];
}
