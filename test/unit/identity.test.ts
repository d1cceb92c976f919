import { fromAuthorizerContext, toAuthorizerContext } from '../../functions/lib/auth/identity';

describe('authorizer context', () => {
  it('holds only the picked fields', () => {
    const identity = { userId: 'user-0123456789abcdef', authMode: 'anonymous' as const, extra: 'secret' };
    expect(toAuthorizerContext(identity)).toStrictEqual({ userId: 'user-0123456789abcdef', authMode: 'anonymous' });
  });

  it('round-trips an identity', () => {
    const identity = { userId: 'user-0123456789abcdef', authMode: 'anonymous' as const };
    expect(fromAuthorizerContext(toAuthorizerContext(identity))).toStrictEqual(identity);
  });

  it('ignores fields API Gateway adds to the context', () => {
    expect(fromAuthorizerContext({ userId: 'u-1', authMode: 'anonymous', principalId: 'u-1', integrationLatency: 12 })).toStrictEqual({
      userId: 'u-1',
      authMode: 'anonymous',
    });
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an empty context', {}],
    ['an empty userId', { userId: '', authMode: 'anonymous' }],
    ['a numeric userId', { userId: 42, authMode: 'anonymous' }],
    ['a missing authMode', { userId: 'u-1' }],
    ['an unknown authMode', { userId: 'u-1', authMode: 'oauth' }],
    ['an authMode in another case', { userId: 'u-1', authMode: 'Anonymous' }],
  ])('reads no identity from %s', (_label, context) => {
    expect(fromAuthorizerContext(context)).toBeUndefined();
  });

  it('carries a JWT identity\'s tenant, roles and session id as flat strings', () => {
    const identity = { userId: 'u-1', authMode: 'jwt' as const, tenantId: 't-1', roles: ['admin', 'reader'], sessionId: 's-1' };
    expect(toAuthorizerContext(identity)).toStrictEqual({ userId: 'u-1', authMode: 'jwt', tenantId: 't-1', roles: 'admin reader', sessionId: 's-1' });
    expect(fromAuthorizerContext(toAuthorizerContext(identity))).toStrictEqual(identity);
  });

  it('leaves out empty optional fields', () => {
    expect(fromAuthorizerContext({ userId: 'u-1', authMode: 'jwt', tenantId: '', roles: '', sessionId: '' })).toStrictEqual({ userId: 'u-1', authMode: 'jwt' });
  });
});
