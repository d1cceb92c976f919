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
}

/**
 * The authorizer's context: flat, picked fields only (API Gateway stringifies every value and caps the
 * context at 8 KB), never a copy of a token's payload. Roles are joined with spaces (a role never
 * contains one).
 */
export type AuthorizerContext = { userId: string; authMode: string; tenantId?: string; roles?: string; sessionId?: string };

export function toAuthorizerContext(identity: Identity): AuthorizerContext {
  const context: AuthorizerContext = { userId: identity.userId, authMode: identity.authMode };
  if (identity.tenantId !== undefined) context.tenantId = identity.tenantId;
  if (identity.roles !== undefined && identity.roles.length > 0) context.roles = identity.roles.join(' ');
  if (identity.sessionId !== undefined) context.sessionId = identity.sessionId;
  return context;
}

/** Reads the identity back from `requestContext.authorizer` on `$connect` and later routes. */
export function fromAuthorizerContext(context: Record<string, unknown> | null | undefined): Identity | undefined {
  if (!context) return undefined;
  const { userId, authMode, tenantId, roles, sessionId } = context;
  if (typeof userId !== 'string' || userId === '') return undefined;
  if (!(AUTH_MODES as readonly unknown[]).includes(authMode)) return undefined;
  const identity: Identity = { userId, authMode: authMode as AuthMode };
  if (typeof tenantId === 'string' && tenantId !== '') identity.tenantId = tenantId;
  if (typeof roles === 'string' && roles !== '') identity.roles = roles.split(' ').filter((role) => role !== '');
  if (typeof sessionId === 'string' && sessionId !== '') identity.sessionId = sessionId;
  return identity;
}
