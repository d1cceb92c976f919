import { ConfigError } from '../../packages/contract/src/config-error';
import { missingRoles, readPermissions } from '../../functions/lib/auth/permissions';

describe('permission map', () => {
  it('reads action → roles', () => {
    expect(readPermissions('{"broadcast":["admin"],"publish":["writer","admin"]}')).toEqual(
      new Map([
        ['broadcast', new Set(['admin'])],
        ['publish', new Set(['writer', 'admin'])],
      ]),
    );
  });

  it.each([undefined, '', '  '])('is empty when ACTION_PERMISSIONS is %j', (raw) => {
    expect(readPermissions(raw).size).toBe(0);
  });

  it.each([
    ['not JSON', '{broadcast:admin}'],
    ['an array', '[["broadcast",["admin"]]]'],
    ['a string', '"admin"'],
    ['null', 'null'],
    ['a malformed action', '{"../x":["admin"]}'],
    ['an empty role list', '{"broadcast":[]}'],
    ['a role that is not a string', '{"broadcast":[1]}'],
    ['a role with a space', '{"broadcast":["super admin"]}'],
    ['roles given as a string', '{"broadcast":"admin"}'],
  ])('rejects %s with a ConfigError', (_what, raw) => {
    expect(() => readPermissions(raw)).toThrow(ConfigError);
    expect(() => readPermissions(raw)).toThrow(/^ACTION_PERMISSIONS/);
  });

  it('asks for the roles an identity lacks, and nothing for an open action', () => {
    const permissions = readPermissions('{"broadcast":["admin","ops"]}');
    expect(missingRoles(permissions, 'broadcast', { userId: 'u', authMode: 'jwt', roles: ['reader'] })).toEqual(['admin', 'ops']);
    expect(missingRoles(permissions, 'broadcast', { userId: 'u', authMode: 'anonymous' })).toEqual(['admin', 'ops']);
    expect(missingRoles(permissions, 'broadcast', undefined)).toEqual(['admin', 'ops']);
    expect(missingRoles(permissions, 'broadcast', { userId: 'u', authMode: 'jwt', roles: ['ops'] })).toBeUndefined();
    expect(missingRoles(permissions, 'ping', undefined)).toBeUndefined();
  });
});
