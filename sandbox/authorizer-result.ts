import type { InvokeOutcome } from './lambda';

export type AuthorizerVerdict =
  | { status: 200; principalId: string; context: Record<string, string> }
  | { status: 401 | 403 | 500; error: string };

const MAX_CONTEXT_BYTES = 8 * 1024;

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** IAM-style wildcard match (`*` any run, `?` one character). */
function arnMatches(pattern: string, arn: string): boolean {
  const regex = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return regex.test(arn);
}

const invokes = (action: unknown): boolean =>
  asList(action).some((a) => typeof a === 'string' && ['execute-api:invoke', 'execute-api:*', '*'].includes(a.toLowerCase()));

/**
 * Reads a REQUEST authorizer's answer as API Gateway does: a thrown `Unauthorized` is 401, a Deny (or no
 * matching Allow) is 403, anything malformed or a crash is 500. Context values are stringified.
 */
export function evaluateAuthorizerResult(outcome: InvokeOutcome, methodArn: string): AuthorizerVerdict {
  if (outcome.status === 'timeout') return { status: 500, error: 'authorizer timed out' };
  if (outcome.status === 'error') {
    if (outcome.errorMessage === 'Unauthorized') return { status: 401, error: 'Unauthorized' };
    return { status: 500, error: `${outcome.errorType}: ${outcome.errorMessage}` };
  }
  const result = outcome.result as Record<string, unknown> | null;
  if (typeof result !== 'object' || result === null) return { status: 500, error: 'authorizer returned no object' };
  const { principalId, policyDocument, context } = result;
  if (typeof principalId !== 'string' || principalId === '') return { status: 500, error: 'principalId missing' };
  const statements = (policyDocument as { Statement?: unknown } | undefined)?.Statement;
  if (!statements) return { status: 500, error: 'policyDocument.Statement missing' };

  let allowed = false;
  for (const statement of asList(statements)) {
    if (typeof statement !== 'object' || statement === null) return { status: 500, error: 'malformed statement' };
    const { Effect, Action, Resource } = statement as Record<string, unknown>;
    if ((Effect !== 'Allow' && Effect !== 'Deny') || Action === undefined || Resource === undefined) {
      return { status: 500, error: 'malformed statement' };
    }
    const applies = invokes(Action) && asList(Resource).some((r) => typeof r === 'string' && arnMatches(r, methodArn));
    if (!applies) continue;
    if (Effect === 'Deny') return { status: 403, error: 'denied by policy' };
    allowed = true;
  }
  if (!allowed) return { status: 403, error: 'no statement allows the request' };

  const flat: Record<string, string> = {};
  if (context !== undefined && context !== null) {
    if (typeof context !== 'object' || Array.isArray(context)) return { status: 500, error: 'context must be an object' };
    for (const [key, value] of Object.entries(context)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) return { status: 500, error: `context.${key} must be a string, number or boolean` };
      flat[key] = String(value);
    }
    if (Buffer.byteLength(JSON.stringify(flat)) > MAX_CONTEXT_BYTES) return { status: 500, error: 'context exceeds 8 KB' };
  }
  return { status: 200, principalId, context: flat };
}
