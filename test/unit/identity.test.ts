import { fromAuthorizerContext, identityProblem, IdentityError, MAX_ROLES, toAuthorizerContext, type Identity } from '../../packages/contract/src/identity';

describe('authorizer context', () => {
  it('holds only the picked fields', () => {
    const identity = { userId: 'user-0123456789abcdef', authMode: 'anonymous' as const, extra: 'secret' };
    expect(toAuthorizerContext(identity)).toStrictEqual({ userId: 'user-0123456789abcdef', authMode: 'anonymous' });
  });

  it('round-trips an identity', () => {
    const identity = { userId: 'user-0123456789abcdef', authMode: 'anonymous' as const };
    expect(fromAuthorizerContext(toAuthorizerContext(identity))).toStrictEqual({ ok: true, identity });
  });

  it('ignores fields API Gateway adds to the context', () => {
    expect(fromAuthorizerContext({ userId: 'u-1', authMode: 'anonymous', principalId: 'sha256:0123', integrationLatency: 12 })).toStrictEqual({
      ok: true,
      identity: { userId: 'u-1', authMode: 'anonymous' },
    });
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an empty context', {}],
    ['a pending two-phase context', { authMode: 'two-phase' }],
    ['API Gateway\'s fields alone', { principalId: 'pending', integrationLatency: 3 }],
  ])('reads no identity from %s', (_label, context) => {
    expect(fromAuthorizerContext(context)).toStrictEqual({ ok: true });
  });

  it.each([
    ['an empty userId', { userId: '', authMode: 'anonymous' }, 'user_id_invalid'],
    ['a numeric userId', { userId: 42, authMode: 'anonymous' }, 'user_id_invalid'],
    ['a userId with a control character', { userId: 'u-1\n', authMode: 'jwt' }, 'user_id_invalid'],
    ['a userId of 257 characters', { userId: 'u'.repeat(257), authMode: 'jwt' }, 'user_id_invalid'],
    ['a missing authMode', { userId: 'u-1' }, 'auth_mode_invalid'],
    ['an unknown authMode', { userId: 'u-1', authMode: 'oauth' }, 'auth_mode_invalid'],
    ['an authMode in another case', { userId: 'u-1', authMode: 'Anonymous' }, 'auth_mode_invalid'],
    ['roles without a user', { authMode: 'jwt', roles: '["admin"]' }, 'user_id_invalid'],
    ['roles joined with spaces', { userId: 'u-1', authMode: 'jwt', roles: 'reader admin' }, 'roles_invalid'],
    ['an empty roles string', { userId: 'u-1', authMode: 'jwt', roles: '' }, 'roles_invalid'],
    ['an empty roles array', { userId: 'u-1', authMode: 'jwt', roles: '[]' }, 'roles_invalid'],
    ['roles that are not an array', { userId: 'u-1', authMode: 'jwt', roles: '{"0":"admin"}' }, 'roles_invalid'],
    ['a role with a space', { userId: 'u-1', authMode: 'jwt', roles: '["team admin"]' }, 'roles_invalid'],
    ['a role with a leading blank', { userId: 'u-1', authMode: 'jwt', roles: '[" admin"]' }, 'roles_invalid'],
    ['an empty tenant', { userId: 'u-1', authMode: 'jwt', tenantId: '' }, 'tenant_id_invalid'],
    ['an empty session id', { userId: 'u-1', authMode: 'jwt', sessionId: '' }, 'session_id_invalid'],
    ['an expiry that is not a whole number', { userId: 'u-1', authMode: 'jwt', tokenExpiresAt: '1e9' }, 'exp_invalid'],
    ['a negative expiry', { userId: 'u-1', authMode: 'jwt', tokenExpiresAt: '-1' }, 'exp_invalid'],
  ])('refuses a context with %s rather than guess', (_label, context, reason) => {
    expect(fromAuthorizerContext(context)).toStrictEqual({ ok: false, reason });
  });

  it('carries a JWT identity\'s tenant, session id and expiry as strings and its roles as a JSON array', () => {
    const identity: Identity = { userId: 'u-1', authMode: 'jwt', tenantId: 't-1', roles: ['admin', 'reader'], sessionId: 's-1', tokenExpiresAt: 1_700_000_000 };
    expect(toAuthorizerContext(identity)).toStrictEqual({
      userId: 'u-1',
      authMode: 'jwt',
      tenantId: 't-1',
      roles: '["admin","reader"]',
      sessionId: 's-1',
      tokenExpiresAt: '1700000000',
    });
    expect(fromAuthorizerContext(toAuthorizerContext(identity))).toStrictEqual({ ok: true, identity });
  });

  it('never turns one role into two, or a role into another, on the way', () => {
    for (const roles of [['team', 'admin'], ['team.admin'], ['a/b', 'c:d', 'e@f']]) {
      const read = fromAuthorizerContext(toAuthorizerContext({ userId: 'u-1', authMode: 'jwt', roles }));
      expect(read).toStrictEqual({ ok: true, identity: { userId: 'u-1', authMode: 'jwt', roles } });
    }
  });

  it('refuses to write an identity that breaks the rules', () => {
    expect(() => toAuthorizerContext({ userId: 'u-1', authMode: 'jwt', roles: ['team admin'] })).toThrow(IdentityError);
  });

  it('fits the largest identity the rules allow into the 8 KB context, as API Gateway measures it', () => {
    const id = '\u{1F600}'.repeat(255) + '"';
    const identity: Identity = {
      userId: id,
      authMode: 'two-phase',
      tenantId: id,
      sessionId: id,
      roles: Array.from({ length: MAX_ROLES }, (_, i) => `${String(i).padStart(2, '0')}${'r'.repeat(62)}`),
      tokenExpiresAt: 9_999_999_999,
    };
    expect(identityProblem(identity)).toBeUndefined();
    const context = { ...toAuthorizerContext(identity), principalId: 'sha256:0123456789ab' };
    expect(Buffer.byteLength(JSON.stringify(context))).toBeLessThanOrEqual(8 * 1024);
  });
});

describe('identity rules', () => {
  it.each([
    [['admin'], undefined],
    [['team-admin', 'org:acme/admins', 'ops@example.com', 'v1.reader_2'], undefined],
    [['team admin'], 'roles_invalid'],
    [[' admin'], 'roles_invalid'],
    [['admin '], 'roles_invalid'],
    [['ad\tmin'], 'roles_invalid'],
    [['admin\u0000'], 'roles_invalid'],
    [['a,b'], 'roles_invalid'],
    [['"admin"'], 'roles_invalid'],
    [['r'.repeat(65)], 'roles_invalid'],
    [[''], 'roles_invalid'],
    [Array.from({ length: MAX_ROLES + 1 }, (_, i) => `role-${i}`), 'roles_invalid'],
  ])('roles %j: %s', (roles, problem) => {
    expect(identityProblem({ userId: 'u-1', roles })).toBe(problem);
  });

  it.each([
    ['user-1', undefined],
    ['Jörg Müller', undefined],
    ['\u{1F600}'.repeat(256), undefined],
    ['', 'user_id_invalid'],
    ['u'.repeat(257), 'user_id_invalid'],
    ['u\u0007', 'user_id_invalid'],
    ['u\u007F', 'user_id_invalid'],
    ['u\u0085', 'user_id_invalid'],
    ['u\uD800', 'user_id_invalid'],
    ['u\uFFFF', 'user_id_invalid'],
  ])('user id %j: %s', (userId, problem) => {
    expect(identityProblem({ userId })).toBe(problem);
  });
});
