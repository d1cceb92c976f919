/** Auth modes a stage can run in. Only `anonymous` is implemented so far. */
export const AUTH_MODES = ['anonymous'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Who is on the connection, as the authorizer established it. */
export interface Identity {
  userId: string;
  authMode: AuthMode;
}

/**
 * The authorizer's context: flat, picked fields only (API Gateway stringifies every value and caps the
 * context at 8 KB), never a copy of a token's payload.
 */
export type AuthorizerContext = Record<'userId' | 'authMode', string>;

export const toAuthorizerContext = (identity: Identity): AuthorizerContext => ({
  userId: identity.userId,
  authMode: identity.authMode,
});

/** Reads the identity back from `requestContext.authorizer` on `$connect` and later routes. */
export function fromAuthorizerContext(context: Record<string, unknown> | null | undefined): Identity | undefined {
  if (!context) return undefined;
  const { userId, authMode } = context;
  if (typeof userId !== 'string' || userId === '' || authMode !== 'anonymous') return undefined;
  return { userId, authMode };
}
