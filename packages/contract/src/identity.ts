/** Auth modes a stage can run in. */
export const AUTH_MODES = ['anonymous', 'jwt', 'two-phase'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/**
 * Who is on the connection, as the authorizer (or, in `two-phase` mode, the `auth` action)
 * established it. A two-phase connection that has not authenticated yet has no identity.
 */
export interface Identity {
  userId: string;
  authMode: AuthMode;
  tenantId?: string;
  roles?: string[];
  sessionId?: string;
  /** When the token the identity came from expires (its `exp`), epoch seconds; absent in `anonymous` mode. */
  tokenExpiresAt?: number;
}

/**
 * What a role name may be: 1–64 characters of `A–Z a–z 0–9 _ . : @ / -`. No blank, no control
 * character, no comma or quote: a role is compared as a whole, and a name that could be split or
 * trimmed into another (`"team admin"`, `" admin"`) is refused with the token, never repaired.
 */
export const ROLE_PATTERN = /^[A-Za-z0-9_.:@/-]{1,64}$/;
/** Roles one identity may hold. */
export const MAX_ROLES = 50;
/**
 * What a user, tenant or session id may be: 1–256 code points, none of them a control character,
 * a lone surrogate or U+FFFE/U+FFFF. Bounded so every field of an identity fits the authorizer
 * context's 8 KB together.
 */
export const ID_PATTERN = /^[^\p{Cc}\p{Cs}\uFFFE\uFFFF]{1,256}$/u;

/**
 * Guests of a token stage (`ALLOW_GUESTS`) are named in their own namespace, `guest:{anonymous id}`,
 * so that an anonymous id equal to a signed-in user's id (a JWT `sub`) never names that user: not on
 * the user channel, not in the user's connections, not under the user's cap.
 */
export const GUEST_USER_PREFIX = 'guest:';
export const guestUserId = (anonymousId: string): string => `${GUEST_USER_PREFIX}${anonymousId}`;

/** Every reason an identity is refused; each is also a rejection reason of the token it came from. */
export type IdentityRejection = 'user_id_invalid' | 'tenant_id_invalid' | 'roles_invalid' | 'session_id_invalid' | 'exp_invalid';

const isId = (value: unknown): value is string => typeof value === 'string' && ID_PATTERN.test(value);
const isRoleList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length <= MAX_ROLES && value.every((role) => typeof role === 'string' && ROLE_PATTERN.test(role));
const isEpochSeconds = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Why an identity breaks the rules above, or undefined when it keeps them. The one check every path
 * applies: token verification (authorizer and `auth`), and both ends of the authorizer context.
 *
 * @example
 * identityProblem({ userId: 'u-1', authMode: 'jwt', roles: ['team admin'] }); // 'roles_invalid'
 */
export function identityProblem(identity: Omit<Identity, 'authMode'>): IdentityRejection | undefined {
  if (!isId(identity.userId)) return 'user_id_invalid';
  if (identity.tenantId !== undefined && !isId(identity.tenantId)) return 'tenant_id_invalid';
  if (identity.roles !== undefined && !isRoleList(identity.roles)) return 'roles_invalid';
  if (identity.sessionId !== undefined && !isId(identity.sessionId)) return 'session_id_invalid';
  if (identity.tokenExpiresAt !== undefined && !isEpochSeconds(identity.tokenExpiresAt)) return 'exp_invalid';
  return undefined;
}

/**
 * The authorizer's context: flat, picked fields only (API Gateway stringifies every value and caps the
 * context at 8 KB), never a copy of a token's payload. Roles travel as a JSON array, so no role can be
 * split or merged on the way; the token's expiry as decimal epoch seconds.
 */
export type AuthorizerContext = { userId: string; authMode: string; tenantId?: string; roles?: string; sessionId?: string; tokenExpiresAt?: string };

/** The identity's fields in the context (API Gateway adds others, such as `principalId`). */
const IDENTITY_FIELDS = ['userId', 'tenantId', 'roles', 'sessionId', 'tokenExpiresAt'] as const;

/** Thrown when an identity breaking the rules is about to cross the authorizer context: a bug, never input. */
export class IdentityError extends Error {
  override readonly name = 'IdentityError';
}

/**
 * @example
 * toAuthorizerContext({ userId: 'u-1', authMode: 'jwt', roles: ['admin'] }); // { userId: 'u-1', authMode: 'jwt', roles: '["admin"]' }
 */
export function toAuthorizerContext(identity: Identity): AuthorizerContext {
  const problem = identityProblem(identity);
  if (problem) throw new IdentityError(`the identity cannot cross the authorizer context (${problem})`);
  const context: AuthorizerContext = { userId: identity.userId, authMode: identity.authMode };
  if (identity.tenantId !== undefined) context.tenantId = identity.tenantId;
  if (identity.roles !== undefined && identity.roles.length > 0) context.roles = JSON.stringify(identity.roles);
  if (identity.sessionId !== undefined) context.sessionId = identity.sessionId;
  if (identity.tokenExpiresAt !== undefined) context.tokenExpiresAt = String(identity.tokenExpiresAt);
  return context;
}

/** No identity (none was given, or a pending two-phase connection), an identity, or a context that does not parse. */
export type ContextResult = { ok: true; identity?: Identity } | { ok: false; reason: IdentityRejection | 'auth_mode_invalid' };

/**
 * Reads the identity back from `requestContext.authorizer` on `$connect` and later routes, strictly:
 * a context with identity fields that do not parse exactly as {@link toAuthorizerContext} wrote them is
 * refused, never guessed at. A context without any identity field carries no identity.
 *
 * @example
 * const read = fromAuthorizerContext(event.requestContext.authorizer);
 * if (!read.ok) return reject(connectionId, read.reason);
 */
export function fromAuthorizerContext(context: Record<string, unknown> | null | undefined): ContextResult {
  if (!context || IDENTITY_FIELDS.every((field) => context[field] === undefined)) return { ok: true };
  const { userId, authMode, tenantId, roles, sessionId, tokenExpiresAt } = context;
  if (!(AUTH_MODES as readonly unknown[]).includes(authMode)) return { ok: false, reason: 'auth_mode_invalid' };
  if (typeof userId !== 'string') return { ok: false, reason: 'user_id_invalid' };
  const identity: Identity = { userId, authMode: authMode as AuthMode };
  if (tenantId !== undefined) {
    if (typeof tenantId !== 'string') return { ok: false, reason: 'tenant_id_invalid' };
    identity.tenantId = tenantId;
  }
  if (roles !== undefined) {
    const parsed = parseRoles(roles);
    if (parsed === undefined) return { ok: false, reason: 'roles_invalid' };
    identity.roles = parsed;
  }
  if (sessionId !== undefined) {
    if (typeof sessionId !== 'string') return { ok: false, reason: 'session_id_invalid' };
    identity.sessionId = sessionId;
  }
  if (tokenExpiresAt !== undefined) {
    if (typeof tokenExpiresAt !== 'string' || !/^(0|[1-9]\d{0,15})$/.test(tokenExpiresAt)) return { ok: false, reason: 'exp_invalid' };
    identity.tokenExpiresAt = Number(tokenExpiresAt);
  }
  const problem = identityProblem(identity);
  return problem ? { ok: false, reason: problem } : { ok: true, identity };
}

/** A JSON array of role names, as the authorizer wrote it; anything else is undefined. */
function parseRoles(value: unknown): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isRoleList(parsed) && parsed.length > 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
}
