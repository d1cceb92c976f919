import { closingFrame } from '../../functions/lib/delivery/disconnect';
import { disconnectCodeOf, disconnectEntry, groupIdOf, parseQueueRecord, type DisconnectRecord } from '../../packages/contract/src/queue-message';

const record = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  v: 1,
  kind: 'disconnect',
  id: 'd-1',
  target: { type: 'user', userId: 'user-7', sessionId: 'sid-1' },
  reason: 'SESSION_EVICTED',
  requestedAt: 1_795_364_742_926,
  ...fields,
});

describe('disconnect records', () => {
  it.each([
    ['a session of a user', { type: 'user', userId: 'user-7', sessionId: 'sid-1' }],
    ['every connection of a user', { type: 'user', userId: 'user-7' }],
    ['one connection', { type: 'connection', connectionId: 'c1=' }],
    ['a session of a user whose id has a space', { type: 'user', userId: 'a b', sessionId: 'sid 1' }],
    ['every connection of a user whose id has accented letters', { type: 'user', userId: 'Zoë Ünïcode' }],
  ])('reads a record closing %s', (_name, target) => {
    expect(parseQueueRecord(JSON.stringify(record({ target })))).toEqual({ ok: true, record: record({ target }) });
  });

  it('reads a backend reason of its own, and sends it as DISCONNECTED beside the reason', () => {
    expect(parseQueueRecord(JSON.stringify(record({ reason: 'ACCOUNT_LOCKED' })))).toMatchObject({ ok: true, record: { reason: 'ACCOUNT_LOCKED' } });
    expect(JSON.parse(closingFrame('ACCOUNT_LOCKED'))).toEqual({ type: 'error', code: 'DISCONNECTED', message: 'the connection is closed (ACCOUNT_LOCKED)', retryable: false, reason: 'ACCOUNT_LOCKED' });
    expect(JSON.parse(closingFrame('SESSION_REVOKED'))).toMatchObject({ code: 'SESSION_REVOKED', retryable: false, reason: 'SESSION_REVOKED' });
    expect(['SESSION_EVICTED', 'SESSION_REVOKED', 'MAINTENANCE'].map(disconnectCodeOf)).toEqual(['SESSION_EVICTED', 'SESSION_REVOKED', 'DISCONNECTED']);
  });

  it('drops fields it does not know rather than carrying them on', () => {
    expect(parseQueueRecord(JSON.stringify(record({ extra: 1, target: { type: 'connection', connectionId: 'c1=', userId: 'u' } })))).toEqual({
      ok: true,
      record: record({ target: { type: 'connection', connectionId: 'c1=' } }),
    });
  });

  const reasonRule = 'reason must be SESSION_EVICTED, SESSION_REVOKED or 1–64 characters of A–Z 0–9 _ starting with a letter';
  it.each([
    ['no target', record({ target: undefined }), 'target must be an object'],
    ['a tenant target', record({ target: { type: 'tenant', tenantId: 't' } }), 'target.type must be connection or user'],
    ['a user id with a control character', record({ target: { type: 'user', userId: 'a\nb' } }), 'target.userId is malformed'],
    ['a user id of 257 characters', record({ target: { type: 'user', userId: 'u'.repeat(257) } }), 'target.userId is malformed'],
    ['a session id with a control character', record({ target: { type: 'user', userId: 'u', sessionId: 's\u0000' } }), 'target.sessionId is malformed'],
    ['a connection id with a space', record({ target: { type: 'connection', connectionId: 'c 1' } }), 'target.connectionId is malformed'],
    ['an empty session id', record({ target: { type: 'user', userId: 'u', sessionId: '' } }), 'target.sessionId is malformed'],
    ['a numeric session id', record({ target: { type: 'user', userId: 'u', sessionId: 7 } }), 'target.sessionId is malformed'],
    ['a connection target without an id', record({ target: { type: 'connection' } }), 'target.connectionId is malformed'],
    ['no reason', record({ reason: undefined }), reasonRule],
    ['a lower-case reason', record({ reason: 'session_evicted' }), reasonRule],
    ['a reason of 65 characters', record({ reason: 'R'.repeat(65) }), reasonRule],
    ['a reason starting with a digit', record({ reason: '1_REASON' }), reasonRule],
    ['a float requestedAt', record({ requestedAt: 1.5 }), 'requestedAt must be epoch milliseconds'],
    ['a malformed id', record({ id: 'a b' }), 'id is malformed'],
  ])('refuses %s as poison', (_name, body, problem) => {
    expect(parseQueueRecord(JSON.stringify(body))).toEqual({ ok: false, problem });
  });

  it("orders a user's disconnect after the user's messages, and one connection's in its own group", () => {
    const user = disconnectEntry(record() as unknown as DisconnectRecord);
    expect(user).toEqual({ body: JSON.stringify(record()), groupId: groupIdOf('user:user-7'), deduplicationId: 'd-1' });
    expect(disconnectEntry(record({ target: { type: 'connection', connectionId: 'c1=' } }) as unknown as DisconnectRecord).groupId).toBe(groupIdOf('connection:c1='));
    const spaced = disconnectEntry(record({ target: { type: 'user', userId: 'Zoë Ünïcode' } }) as unknown as DisconnectRecord);
    expect(spaced.groupId).toBe(groupIdOf('user:Zoë Ünïcode'));
    expect(spaced.groupId).toMatch(/^[0-9a-f]{64}$/);
  });
});
