import { adoptSessionInput, decideAdoption, readResolution, type Resolution } from '../../functions/lib/sessions/adopt';
import type { Session } from '../../packages/contract/src/session-item';

const session = (state: unknown, version: number): Session => ({ sessionId: 's'.repeat(22), userId: 'u', status: 'active', state, version, expiresAt: 2_000_000_000 });

describe('adopt: reading the resolution', () => {
  it.each<[string, Record<string, unknown>, Resolution]>([
    ['none', {}, { kind: 'none' }],
    ['keep guest', { keep: 'guest' }, { kind: 'keep', keep: 'guest' }],
    ['keep mine on versions', { keep: 'mine', versions: { guest: 2, mine: 0 } }, { kind: 'keep', keep: 'mine', versions: { guest: 2, mine: 0 } }],
    ['a merged state (null too)', { state: null, versions: { guest: 1, mine: 1 } }, { kind: 'merge', state: null, versions: { guest: 1, mine: 1 } }],
  ])('reads %s', (_label, fields, resolution) => {
    expect(readResolution({ action: 'adopt', ...fields })).toEqual({ ok: true, resolution });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['keep and state together', { keep: 'guest', state: 1, versions: { guest: 1, mine: 1 } }, 'name one resolution: "keep" or a merged "state", not both'],
    ['an unknown side', { keep: 'theirs' }, '"keep" must be "guest" or "mine"'],
    ['a merged state without versions', { state: { a: 1 } }, 'a merged "state" needs the "versions" it was merged from'],
    ['versions without a resolution', { versions: { guest: 1, mine: 1 } }, '"versions" go with a resolution ("keep" or a merged "state")'],
    ['a negative version', { keep: 'mine', versions: { guest: -1, mine: 1 } }, '"versions" must be {"guest": <version>, "mine": <version>} (whole numbers ≥ 0)'],
    ['a missing side', { state: 1, versions: { guest: 1 } }, '"versions" must be {"guest": <version>, "mine": <version>} (whole numbers ≥ 0)'],
    ['a fractional version', { state: 1, versions: { guest: 1.5, mine: 1 } }, '"versions" must be {"guest": <version>, "mine": <version>} (whole numbers ≥ 0)'],
  ])('refuses %s', (_label, fields, message) => {
    expect(readResolution({ action: 'adopt', ...fields })).toEqual({ ok: false, message });
  });
});

describe('adopt: deciding the state', () => {
  const guest = session({ cart: ['tea'] }, 3);
  const mine = session({ cart: ['cake'] }, 5);
  const conflict = { ok: false, guest: { state: { cart: ['tea'] }, version: 3 }, mine: { state: { cart: ['cake'] }, version: 5 } };

  it('takes the guest state when the signed-in session has none', () => {
    expect(decideAdoption({ guest, mine: session(null, 0), resolution: { kind: 'none' } })).toEqual({ ok: true, state: { value: { cart: ['tea'] } }, expected: { guest: 3, mine: 0 } });
  });

  it('keeps its own state when the guest has none', () => {
    expect(decideAdoption({ guest: session(null, 0), mine, resolution: { kind: 'none' } })).toEqual({ ok: true, state: undefined, expected: { guest: 0, mine: 5 } });
  });

  it('never overwrites silently: both states and no resolution is a conflict carrying both versions', () => {
    expect(decideAdoption({ guest, mine, resolution: { kind: 'none' } })).toEqual(conflict);
  });

  it.each<[Resolution, unknown]>([
    [{ kind: 'keep', keep: 'guest' }, { value: { cart: ['tea'] } }],
    [{ kind: 'keep', keep: 'mine' }, undefined],
    [{ kind: 'merge', state: { cart: ['cake', 'tea'] }, versions: { guest: 3, mine: 5 } }, { value: { cart: ['cake', 'tea'] } }],
  ])('settles a conflict by the resolution %j', (resolution, state) => {
    expect(decideAdoption({ guest, mine, resolution })).toEqual({ ok: true, state, expected: { guest: 3, mine: 5 } });
  });

  it.each<Resolution>([
    { kind: 'merge', state: 1, versions: { guest: 2, mine: 5 } },
    { kind: 'keep', keep: 'guest', versions: { guest: 3, mine: 4 } },
  ])('refuses a resolution made against versions that moved (%j)', (resolution) => {
    expect(decideAdoption({ guest, mine, resolution })).toEqual(conflict);
  });
});

describe('adopt: the transaction', () => {
  const params = { guest: 'g'.repeat(22), guestUserId: 'anon-1', mine: 'm'.repeat(22), userId: 'user-1', connectionId: 'c-1', expected: { guest: 3, mine: 5 }, nowSeconds: 1_700_000_000 };

  it('closes the guest session on its version and writes the state on the signed-in version, in one transaction', () => {
    const input = adoptSessionInput('t', { ...params, state: { value: { a: 1 } } });
    expect(input.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    const [guest, mine] = input.TransactItems!;
    expect(guest!.Update).toMatchObject({
      Key: { PK: `SESSION#${params.guest}` },
      ConditionExpression: 'guest = :true AND userId = :guestUser AND version = :expected AND #ttl > :now AND NOT (#status IN (:adopted, :closed))',
      ExpressionAttributeValues: { ':guestUser': 'anon-1', ':expected': 3, ':adopted': 'adopted', ':closed': 'closed', ':mine': params.mine },
    });
    expect(mine!.Update).toMatchObject({
      Key: { PK: `SESSION#${params.mine}` },
      ExpressionAttributeValues: { ':user': 'user-1', ':connection': 'c-1', ':expected': 5, ':next': 6, ':state': '{"a":1}' },
    });
  });

  it('only checks the signed-in session when its state stays', () => {
    const [, mine] = adoptSessionInput('t', { ...params, state: undefined }).TransactItems!;
    expect(mine).toEqual({ ConditionCheck: expect.objectContaining({ ExpressionAttributeValues: { ':user': 'user-1', ':connection': 'c-1', ':expected': 5, ':now': 1_700_000_000 } }) });
  });
});
