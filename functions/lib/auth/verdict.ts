import type { Identity } from '../../../packages/contract/src/identity';

/**
 * What the authorizer decides: allow with an identity, allow a two-phase connection that must still
 * authenticate (`pending`), or reject with a status (401/403) and a reason code.
 */
export type Verdict =
  | { allow: true; identity: Identity; sessionCache?: SessionCacheUse }
  | { allow: true; pending: true }
  | { allow: false; status: 401 | 403; reason: string; sessionCache?: SessionCacheUse };

/** Whether the `sid` check's answer came from the container's cache (logged and counted). */
export type SessionCacheUse = 'hit' | 'miss';

/** Authenticates one `$connect` request; never throws for bad input. */
export type Authenticator = (event: AuthRequest) => Promise<Verdict>;

export interface AuthRequest {
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  multiValueQueryStringParameters?: Record<string, string[] | undefined> | null;
}
