import { setSessionStateInput } from '../../packages/contract/src/session-item';

describe('session item: writing state', () => {
  const params = { sessionId: 's'.repeat(22), expectedVersion: 4, state: { a: 1 }, nowSeconds: 1_700_000_000 };

  it.each([
    ['without a write id', params],
    ['with a write id', { ...params, writeId: 'w-1' }],
  ])('refuses an adopted or a closed session (%s), on the expected version of an unexpired one', (_label, input) => {
    expect(setSessionStateInput('t', input)).toMatchObject({
      Key: { PK: `SESSION#${params.sessionId}` },
      ConditionExpression: 'attribute_exists(PK) AND version = :expected AND #ttl > :now AND NOT (#status IN (:adopted, :closed))',
      ExpressionAttributeValues: { ':adopted': 'adopted', ':closed': 'closed', ':expected': 4, ':next': 5, ':now': 1_700_000_000, ':state': '{"a":1}' },
    });
  });
});
