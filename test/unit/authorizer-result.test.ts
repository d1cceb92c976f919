import { evaluateAuthorizerResult } from '../../sandbox/authorizer-result';
import type { InvokeOutcome } from '../../sandbox/lambda';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/dev/$connect';

const statement = (Effect: string, Resource: unknown = METHOD_ARN, Action: unknown = 'execute-api:Invoke') => ({ Effect, Action, Resource });
const ok = (result: unknown): InvokeOutcome => ({ status: 'ok', result });
const answer = (statements: unknown, context?: unknown, principalId: unknown = 'user-1'): InvokeOutcome =>
  ok({ principalId, policyDocument: { Version: '2012-10-17', Statement: statements }, ...(context === undefined ? {} : { context }) });

describe('authorizer result', () => {
  it('allows with the principal and an empty context', () => {
    expect(evaluateAuthorizerResult(answer([statement('Allow')]), METHOD_ARN)).toStrictEqual({ status: 200, principalId: 'user-1', context: {} });
  });

  it('reads a single statement given as an object', () => {
    expect(evaluateAuthorizerResult(answer(statement('Allow')), METHOD_ARN)).toMatchObject({ status: 200 });
  });

  it('answers 401 when the authorizer throws Unauthorized', () => {
    expect(evaluateAuthorizerResult({ status: 'error', errorType: 'Error', errorMessage: 'Unauthorized' }, METHOD_ARN)).toStrictEqual({
      status: 401,
      error: 'Unauthorized',
    });
  });

  it.each(['unauthorized', 'Unauthorized ', 'Forbidden'])('answers 500 for any other thrown message such as %j', (errorMessage) => {
    expect(evaluateAuthorizerResult({ status: 'error', errorType: 'Error', errorMessage }, METHOD_ARN)).toStrictEqual({
      status: 500,
      error: `Error: ${errorMessage}`,
    });
  });

  it('answers 500 on a timeout', () => {
    expect(evaluateAuthorizerResult({ status: 'timeout' }, METHOD_ARN)).toStrictEqual({ status: 500, error: 'authorizer timed out' });
  });

  it('answers 403 for a Deny', () => {
    expect(evaluateAuthorizerResult(answer([statement('Deny')]), METHOD_ARN)).toStrictEqual({ status: 403, error: 'denied by policy' });
  });

  it.each([
    ['Allow then Deny', [statement('Allow'), statement('Deny')]],
    ['Deny then Allow', [statement('Deny'), statement('Allow')]],
    ['Allow then a wildcard Deny', [statement('Allow'), statement('Deny', '*')]],
  ])('lets a Deny win over an Allow (%s)', (_label, statements) => {
    expect(evaluateAuthorizerResult(answer(statements), METHOD_ARN)).toStrictEqual({ status: 403, error: 'denied by policy' });
  });

  it.each([
    ['another API', statement('Allow', 'arn:aws:execute-api:us-east-1:123456789012:other/dev/$connect')],
    ['another stage', statement('Allow', 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/$connect')],
    ['another route', statement('Allow', 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/dev/$default')],
    ['another action', statement('Allow', METHOD_ARN, 'execute-api:ManageConnections')],
    ['a prefix without wildcard', statement('Allow', 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/dev')],
    ['a non-string resource', statement('Allow', 42)],
    ['a dot that must not act as a regex wildcard', statement('Allow', 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/dev.$connect')],
  ])('answers 403 when no statement allows the request (%s)', (_label, s) => {
    expect(evaluateAuthorizerResult(answer([s]), METHOD_ARN)).toStrictEqual({ status: 403, error: 'no statement allows the request' });
  });

  it('answers 403 for an empty statement list', () => {
    expect(evaluateAuthorizerResult(answer([]), METHOD_ARN)).toStrictEqual({ status: 403, error: 'no statement allows the request' });
  });

  it('ignores a Deny for another resource', () => {
    const statements = [statement('Deny', 'arn:aws:execute-api:us-east-1:123456789012:other/*'), statement('Allow')];
    expect(evaluateAuthorizerResult(answer(statements), METHOD_ARN)).toMatchObject({ status: 200 });
  });

  it.each([
    ['*'],
    ['arn:aws:execute-api:*'],
    ['arn:aws:execute-api:us-east-1:123456789012:abcdef123/*'],
    ['arn:aws:execute-api:us-east-1:123456789012:abcdef123/dev/*'],
    ['arn:aws:execute-api:us-east-1:123456789012:abcdef123/*/$connect'],
    ['arn:aws:execute-api:us-east-1:123456789012:abcdef12?/dev/$connect'],
    [['arn:aws:execute-api:us-east-1:123456789012:other/*', 'arn:aws:execute-api:us-east-1:*:abcdef123/dev/$connect']],
  ])('matches the wildcard resource %j', (resource) => {
    expect(evaluateAuthorizerResult(answer([statement('Allow', resource)]), METHOD_ARN)).toMatchObject({ status: 200 });
  });

  it.each([['execute-api:invoke'], ['EXECUTE-API:INVOKE'], ['execute-api:*'], ['*'], [['execute-api:ManageConnections', 'execute-api:Invoke']]])(
    'accepts the action %j',
    (action) => {
      expect(evaluateAuthorizerResult(answer([statement('Allow', METHOD_ARN, action)]), METHOD_ARN)).toMatchObject({ status: 200 });
    },
  );

  it.each([
    ['no result', null],
    ['a string result', 'Allow'],
    ['a number result', 200],
  ])('answers 500 for %s', (_label, result) => {
    expect(evaluateAuthorizerResult(ok(result), METHOD_ARN)).toStrictEqual({ status: 500, error: 'authorizer returned no object' });
  });

  it.each([
    ['a missing principalId', {}],
    ['an undefined principalId', { principalId: undefined }],
    ['an empty principalId', { principalId: '' }],
    ['a numeric principalId', { principalId: 42 }],
  ])('answers 500 for %s', (_label, principal) => {
    const result = { ...principal, policyDocument: { Version: '2012-10-17', Statement: [statement('Allow')] } };
    expect(evaluateAuthorizerResult(ok(result), METHOD_ARN)).toStrictEqual({
      status: 500,
      error: 'principalId missing',
    });
  });

  it('answers 500 without a policy document', () => {
    expect(evaluateAuthorizerResult(ok({ principalId: 'u' }), METHOD_ARN)).toStrictEqual({ status: 500, error: 'policyDocument.Statement missing' });
  });

  it.each([
    ['a null statement', [null]],
    ['a string statement', ['Allow']],
    ['a lower-case effect', [statement('allow')]],
    ['an unknown effect', [statement('Permit')]],
    ['no Action', [{ Effect: 'Allow', Resource: METHOD_ARN }]],
    ['no Resource', [{ Effect: 'Allow', Action: 'execute-api:Invoke' }]],
    ['a malformed statement after an Allow', [statement('Allow'), { Effect: 'Allow' }]],
  ])('answers 500 for %s', (_label, statements) => {
    expect(evaluateAuthorizerResult(answer(statements), METHOD_ARN)).toStrictEqual({ status: 500, error: 'malformed statement' });
  });

  it('stringifies context values', () => {
    const verdict = evaluateAuthorizerResult(answer([statement('Allow')], { userId: 'u-1', count: 3, admin: false, ratio: 0.5 }), METHOD_ARN);
    expect(verdict).toStrictEqual({ status: 200, principalId: 'user-1', context: { userId: 'u-1', count: '3', admin: 'false', ratio: '0.5' } });
  });

  it('treats a null context as empty', () => {
    expect(evaluateAuthorizerResult(answer([statement('Allow')], null), METHOD_ARN)).toStrictEqual({ status: 200, principalId: 'user-1', context: {} });
  });

  it.each([
    ['a nested object', { user: { id: 'u-1' } }, 'context.user must be a string, number or boolean'],
    ['an array value', { roles: ['a'] }, 'context.roles must be a string, number or boolean'],
    ['a null value', { userId: null }, 'context.userId must be a string, number or boolean'],
  ])('answers 500 for a context with %s', (_label, context, error) => {
    expect(evaluateAuthorizerResult(answer([statement('Allow')], context), METHOD_ARN)).toStrictEqual({ status: 500, error });
  });

  it.each([
    ['an array', ['u-1']],
    ['a string', 'u-1'],
    ['a number', 1],
  ])('answers 500 for a context that is %s', (_label, context) => {
    expect(evaluateAuthorizerResult(answer([statement('Allow')], context), METHOD_ARN)).toStrictEqual({ status: 500, error: 'context must be an object' });
  });

  it('accepts a context of exactly 8 KB once serialised', () => {
    // {"a":"…"} is 8 bytes of JSON around the value.
    const context = { a: 'x'.repeat(8 * 1024 - 8) };
    expect(evaluateAuthorizerResult(answer([statement('Allow')], context), METHOD_ARN)).toMatchObject({ status: 200 });
  });

  it('answers 500 for a context over 8 KB', () => {
    const context = { a: 'x'.repeat(8 * 1024 - 7) };
    expect(evaluateAuthorizerResult(answer([statement('Allow')], context), METHOD_ARN)).toStrictEqual({ status: 500, error: 'context exceeds 8 KB' });
  });

  it('counts bytes, not characters, towards the 8 KB', () => {
    const context = { a: 'é'.repeat(4100) };
    expect(evaluateAuthorizerResult(answer([statement('Allow')], context), METHOD_ARN)).toStrictEqual({ status: 500, error: 'context exceeds 8 KB' });
  });
});
