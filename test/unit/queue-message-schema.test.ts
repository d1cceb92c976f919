import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import {
  CLIENT_CHANNEL_PATTERN,
  CONNECTION_ID_PATTERN,
  DISCONNECT_REASON_PATTERN,
  ID_PATTERN,
  MAX_FRAME_DEPTH,
  MAX_PUBLISHES_PER_RECORD,
  MAX_REPLAY,
  MESSAGE_ID_PATTERN,
  parseQueueRecord,
} from '../../packages/contract/src';
import schema from '../../packages/publisher/queue-message.schema.json';

const validate = new Ajv2020({ strict: true }).compile(schema);

/** What a reader in another language would see: the record as JSON text, parsed. */
const schemaAccepts = (record: unknown): boolean => validate(JSON.parse(JSON.stringify(record)));
const readerAccepts = (record: unknown): boolean => parseQueueRecord(JSON.stringify(record)).ok;

/** Mostly valid values, sometimes a bad one; `undefined` leaves the field out. */
const field = <T>(valid: fc.Arbitrary<T>, ...bad: unknown[]): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: fc.constantFrom(undefined, null, ...bad) });

const SAFE = Number.MAX_SAFE_INTEGER;
const messageId = field(fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/), '', 'has space', 'a'.repeat(129), 7);
const connectionIdField = field(fc.oneof(fc.stringMatching(/^[!-~]{1,24}$/), fc.constant('x'.repeat(256))), '', 'a b', 'é', 'x'.repeat(257), 7);
/** Any text but non-characters, which every string of a record refuses (a rule the schema names rather than states). */
const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }).filter((s) => !/\p{Noncharacter_Code_Point}/u.test(s));
/** User, tenant and session ids: the identity's rule, spaces and any letter allowed; lengths in code points. */
const id = field(
  fc.oneof(fc.stringMatching(/^[!-~]{1,24}$/), text, fc.constantFrom('a b', 'Zoë Ünïcode', 'x'.repeat(256), '😀'.repeat(256))),
  '',
  'a\nb',
  '\u0000',
  'x\u007f',
  '\ud800',
  'a\udc00b',
  'x'.repeat(257),
  '😀'.repeat(257),
  7,
);
/** Ids without the strings every record refuses: valid ones, and ones only the id rules refuse. */
const loneFreeId = field(fc.oneof(fc.stringMatching(/^[!-~]{1,24}$/), text, fc.constant('a b')), '', 'a\nb', 'x'.repeat(257), 7);
const whole = field(fc.oneof(fc.nat(), fc.constantFrom(0, SAFE)), -1, 1.5, '3', SAFE + 1, true);
const channelName = field(fc.oneof(fc.stringMatching(CLIENT_CHANNEL_PATTERN), fc.constant(`a${'b'.repeat(127)}`)), '', '-lead', 'has space', 'a'.repeat(129), 'user:1');
const target = fc.oneof(
  fc.record({ type: fc.constant('channel'), channel: channelName }),
  fc.record({ type: fc.constant('user'), userId: id }),
  fc.record({ type: fc.constant('tenant'), tenantId: id }),
  fc.record({ type: fc.constant('broadcast') }),
  fc.record({ type: fc.constant('connection'), connectionId: connectionIdField }),
  fc.record({ type: fc.constantFrom('group', 'USER', undefined), userId: id }),
  fc.constantFrom(null, 'user', []),
);
const data = field(fc.jsonValue({ maxDepth: 3 }));
const requestId = field(fc.oneof(fc.string({ minLength: 1, maxLength: 130 }), fc.integer(), fc.constantFrom(SAFE, -SAFE, 'r'.repeat(128))), '', SAFE + 1, 1.5, true, 'r'.repeat(129));
const frame = field(fc.string({ minLength: 1, maxLength: 8 }), '', 5, ['f']);
const frames = field(fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }), [], ['f', ''], 'f', [1]);
const joinFields = (connectionId: fc.Arbitrary<unknown>) =>
  fc.record(
    {
      kind: field(fc.constant('join'), 'publish'),
      id: messageId,
      connectionId,
      channel: field(fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom('c'.repeat(300))), '', 'c'.repeat(301), 4),
      after: whole,
      subscribe: field(fc.boolean(), 'true', 1),
      expiresAt: whole,
      maxSubscriptions: whole,
      limit: field(fc.oneof(fc.integer({ min: 0, max: MAX_REPLAY }), fc.constant(MAX_REPLAY)), MAX_REPLAY + 1, -1, 2.5),
      ack: field(fc.record({ id: requestId }, { requiredKeys: [] }), 'ack', []),
    },
    { requiredKeys: ['kind', 'id', 'connectionId', 'channel', 'subscribe', 'expiresAt', 'maxSubscriptions'] },
  );
const disconnectTarget = fc.oneof(
  fc.record({ type: fc.constant('connection'), connectionId: connectionIdField }),
  fc.record({ type: fc.constant('user'), userId: id }),
  fc.record({ type: fc.constant('user'), userId: id, sessionId: field(id) }),
  // Mixed targets: a field the type ignores may hold anything but what every string of a record refuses
  // (lone surrogates, non-characters: reader-wide rules the schema names rather than states).
  fc.record({ type: fc.constantFrom('connection', 'user'), userId: loneFreeId, connectionId: connectionIdField, sessionId: loneFreeId }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constantFrom('tenant', 'broadcast', 'channel', 'USER', undefined), userId: id, tenantId: id, channel: channelName }),
  fc.constantFrom(null, 'user', []),
);
const reason = field(
  fc.oneof(fc.constantFrom('SESSION_EVICTED', 'SESSION_REVOKED', `R${'_'.repeat(63)}`), fc.stringMatching(DISCONNECT_REASON_PATTERN)),
  '',
  'session_evicted',
  'R'.repeat(65),
  '1_REASON',
  '_REASON',
  'ACCOUNT LOCKED',
  'ÉTAT',
  'SESSION_EVICTED\n',
  7,
);
const header = { v: field(fc.constant(1), 2, '1'), id: messageId };
/** A `publishes` record's messages: distinct ids (a rule the schema names rather than states), each field sometimes bad. */
const publishedMessages = field(
  fc.uniqueArray(
    fc.oneof(
      { weight: 8, arbitrary: fc.record({ id: fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/), data, publishedAt: whole }, { requiredKeys: ['id'] }) },
      { weight: 1, arbitrary: fc.record({ id: messageId, data, publishedAt: whole }) },
      { weight: 1, arbitrary: fc.constantFrom(null, 'm', [], 7) },
    ),
    { minLength: 0, maxLength: 4, selector: (message) => (typeof message === 'object' && message !== null && 'id' in message ? message.id : message) },
  ),
  'messages',
  {},
);

/** Records of every kind near the edge of valid: each field sometimes missing, null, mistyped or off by one. */
const records = fc.oneof(
  fc.record({ ...header, kind: fc.constant('publish'), target, data, publishedAt: whole }),
  fc.record({ ...header, kind: fc.constant('publishes'), target, messages: publishedMessages }),
  fc.record({ ...header, kind: fc.constant('deliver'), frame, frames, partition: whole, connectionIds: field(fc.array(connectionIdField, { minLength: 1, maxLength: 3 }), [], 'c') }),
  fc.record({ ...header, kind: fc.constant('join') }).chain((head) => joinFields(connectionIdField).map((join) => ({ ...join, ...head, kind: join.kind }))),
  connectionIdField.chain((connectionId) =>
    fc.record({
      ...header,
      kind: fc.constant('resume'),
      connectionId: fc.constant(connectionId),
      frame: field(fc.string({ minLength: 1, maxLength: 8 }), '', 5),
      joins: field(fc.array(fc.oneof({ weight: 6, arbitrary: joinFields(fc.constant(connectionId)) }, { weight: 1, arbitrary: fc.constantFrom(null, 'join', { kind: 'deliver' }) }), { maxLength: 3 }), 'joins', {}),
    }),
  ),
  fc.record({ ...header, kind: fc.constant('disconnect'), target: disconnectTarget, reason, requestedAt: whole }),
  fc.record({ ...header, kind: field(fc.constantFrom('publish', 'publishes', 'deliver', 'join', 'resume', 'disconnect'), 'ack', 'PUBLISH') }),
);

describe('the queue record JSON Schema', () => {
  it('accepts exactly the records the reader accepts', () => {
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(records, (record) => {
        const accepted = readerAccepts(record);
        seen[accepted ? 'accepted' : 'rejected'] += 1;
        expect({ record, schema: schemaAccepts(record) }).toEqual({ record, schema: accepted });
      }),
      { numRuns: 3000 },
    );
    expect(seen.accepted).toBeGreaterThan(100);
    expect(seen.rejected).toBeGreaterThan(100);
  });

  const publish = { v: 1, kind: 'publish', id: 'm-1', target: { type: 'user', userId: 'user-42' }, data: { hello: 'world' }, publishedAt: 1_767_225_600_000 };
  const join = { kind: 'join', id: 'j-1', connectionId: 'c-1', channel: 'prices', subscribe: true, expiresAt: 1_767_225_600, maxSubscriptions: 20 };

  const publishes = {
    v: 1,
    kind: 'publishes',
    id: 'p-1',
    target: { type: 'channel', channel: 'prices' },
    messages: [
      { id: 'm-1', data: { price: 1 }, publishedAt: 1_767_225_600_000 },
      { id: 'm-2', data: null, publishedAt: 1_767_225_600_001 },
    ],
  };
  const disconnect = { v: 1, kind: 'disconnect', id: 'd-1', target: { type: 'user', userId: 'user-42', sessionId: 'sid-1' }, reason: 'SESSION_EVICTED', requestedAt: 1_767_225_600_000 };

  it.each([
    ['a publish record', publish],
    ['a publishes record', publishes],
    [`a publishes record of ${MAX_PUBLISHES_PER_RECORD} messages`, { ...publishes, messages: Array.from({ length: MAX_PUBLISHES_PER_RECORD }, (_, n) => ({ id: `m-${n}`, data: n, publishedAt: 0 })) }],
    ['a disconnect record', disconnect],
    ['a publish to a user whose id has spaces and accents', { ...publish, target: { type: 'user', userId: 'Zoë Ünïcode' } }],
    ['a disconnect of a session of a user whose id has a space', { ...disconnect, target: { type: 'user', userId: 'a b', sessionId: 'sid 1' } }],
  ])('accepts %s as a backend writes it', (_name, record) => {
    expect([readerAccepts(record), schemaAccepts(record)]).toEqual([true, true]);
  });

  it.each([
    ['a record of another version', { ...publish, v: 2 }],
    ['a publish without data', { ...publish, data: undefined }],
    ['a publish to a channel name clients cannot use', { ...publish, target: { type: 'channel', channel: 'user:42' } }],
    ['a publish dated before 1970', { ...publish, publishedAt: -1 }],
    ['a message id with a dot', { ...publish, id: 'm.1' }],
    ['a deliver with both frame and frames', { v: 1, kind: 'deliver', id: 'd-1', frame: 'a', frames: ['b'], partition: 0, connectionIds: ['c-1'] }],
    ['a deliver to nobody', { v: 1, kind: 'deliver', id: 'd-1', frame: 'a', partition: 0, connectionIds: [] }],
    ['a join replaying more than MAX_REPLAY entries', { v: 1, ...join, limit: MAX_REPLAY + 1 }],
    ['a join acknowledging a fractional request id', { v: 1, ...join, ack: { id: 1.5 } }],
    ['a resume whose joins are not a list', { v: 1, kind: 'resume', id: 'r-1', connectionId: 'c-1', frame: '{}', joins: join }],
    ['a publish to a user id with a control character', { ...publish, target: { type: 'user', userId: 'a\tb' } }],
    ['a publish to a connection id with a space', { ...publish, target: { type: 'connection', connectionId: 'c 1' } }],
    ['a disconnect of a tenant', { ...disconnect, target: { type: 'tenant', tenantId: 't-1' } }],
    ['a disconnect with a lower-case reason', { ...disconnect, reason: 'session_evicted' }],
    ['a record of an unknown kind', { v: 1, kind: 'ack', id: 'a-1' }],
    ['a publishes record of no message', { ...publishes, messages: [] }],
    [`a publishes record of ${MAX_PUBLISHES_PER_RECORD + 1} messages`, { ...publishes, messages: Array.from({ length: MAX_PUBLISHES_PER_RECORD + 1 }, (_, n) => ({ id: `m-${n}`, data: n, publishedAt: 0 })) }],
    ['a publishes record with a message without data', { ...publishes, messages: [{ id: 'm-1', publishedAt: 0 }] }],
    ['a publishes record with a message id with a dot', { ...publishes, messages: [{ id: 'm.1', data: 1, publishedAt: 0 }] }],
  ])('rejects %s, as the reader does', (_name, record) => {
    expect([readerAccepts(record), schemaAccepts(record)]).toEqual([false, false]);
  });

  const deep = (levels: number): unknown => (levels === 0 ? 1 : [deep(levels - 1)]);
  it.each([
    ['lone surrogate', { ...publish, data: '\ud800' }],
    [`${MAX_FRAME_DEPTH} levels`, { ...publish, data: deep(MAX_FRAME_DEPTH) }],
    ['U+FDD0', { ...publish, target: { type: 'user', userId: 'a\uFDD0' } }],
    ["resume's connection", { v: 1, kind: 'resume', id: 'r-1', connectionId: 'c-1', frame: '{}', joins: [{ ...join, connectionId: 'c-2' }] }],
    ['distinct ids', { ...publishes, messages: [publishes.messages[0], { ...publishes.messages[1], id: 'm-1' }] }],
  ])('names in its description the rule it cannot state and only the reader enforces: %s', (rule, record) => {
    expect(schema.description).toContain(rule);
    expect([readerAccepts(record), schemaAccepts(record)]).toEqual([false, true]);
  });

  it('holds the contract constants the reader uses', () => {
    expect(schema.$defs.messageId.pattern).toBe(MESSAGE_ID_PATTERN.source);
    expect(schema.$defs.id.pattern).toBe(ID_PATTERN.source);
    expect(schema.$defs.connectionId.pattern).toBe(CONNECTION_ID_PATTERN.source);
    expect(schema.$defs.target.oneOf[0]!.properties!.channel!.pattern).toBe(CLIENT_CHANNEL_PATTERN.source);
    expect(schema.$defs.joinFields.properties.limit.anyOf[0]!.maximum).toBe(MAX_REPLAY);
    expect(schema.$defs.disconnect.properties.reason.pattern).toBe(DISCONNECT_REASON_PATTERN.source);
    expect(schema.$defs.publishes.properties.messages.maxItems).toBe(MAX_PUBLISHES_PER_RECORD);
  });
});
