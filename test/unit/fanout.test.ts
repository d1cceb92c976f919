import { BROADCAST_CHANNEL, classifyChannel, implicitChannels } from '../../functions/lib/channels';
import { classifyPostError, createLimiter, deliverRecordKey, messageFrame } from '../../functions/lib/fanout';
import { channelKeyOf, deliverGroupIdOf, groupIdOf, parseQueueRecord, readTarget } from '../../functions/lib/queue-message';
import { MAX_BATCH_BYTES, toBatches } from '../../functions/lib/sqs-batch';

const publish = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify({ v: 1, kind: 'publish', id: 'm-1', target: { type: 'channel', channel: 'news' }, data: { a: 1 }, publishedAt: 1, ...fields });

describe('queue records', () => {
  it('reads a v1 publish record', () => {
    expect(parseQueueRecord(publish())).toEqual({
      ok: true,
      record: { v: 1, kind: 'publish', id: 'm-1', target: { type: 'channel', channel: 'news' }, data: { a: 1 }, publishedAt: 1 },
    });
  });

  it('keeps null and falsy data (only a missing one is refused)', () => {
    for (const data of [null, 0, false, '']) expect(parseQueueRecord(publish({ data })).ok).toBe(true);
    expect(parseQueueRecord(JSON.stringify({ v: 1, kind: 'publish', id: 'm', target: { type: 'broadcast' }, publishedAt: 1 }))).toEqual({ ok: false, problem: 'data is missing' });
  });

  it.each([
    ['not JSON', '{', 'body is not JSON'],
    ['an array', '[]', 'body must be a JSON object'],
    ['another version', publish({ v: 2 }), 'v must be 1'],
    ['a malformed id', publish({ id: 'a b' }), 'id is malformed'],
    ['an id too long', publish({ id: 'x'.repeat(129) }), 'id is malformed'],
    ['an unknown kind', publish({ kind: 'shout' }), 'kind must be publish, deliver or join'],
    ['an unknown target type', publish({ target: { type: 'planet' } }), 'target.type must be channel, user, tenant, broadcast or connection'],
    ['an implicit channel as a channel target', publish({ target: { type: 'channel', channel: 'user:x' } }), 'target.channel is malformed'],
    ['a user id with spaces', publish({ target: { type: 'user', userId: 'a b' } }), 'target.userId is malformed'],
    ['a float publishedAt', publish({ publishedAt: 1.5 }), 'publishedAt must be epoch milliseconds'],
    ['a deliver record without ids', JSON.stringify({ v: 1, kind: 'deliver', id: 'm', frame: '{}', partition: 0, connectionIds: [] }), 'connectionIds must be a non-empty list of ids'],
    ['a deliver record without a frame', JSON.stringify({ v: 1, kind: 'deliver', id: 'm', partition: 0, connectionIds: ['c'] }), 'frame must be a non-empty string'],
  ])('refuses %s as poison', (_name, body, problem) => {
    expect(parseQueueRecord(body)).toEqual({ ok: false, problem });
  });

  it('maps targets to channel keys and FIFO groups of at most 128 characters', () => {
    expect(channelKeyOf({ type: 'user', userId: 'u1' })).toBe('user:u1');
    expect(channelKeyOf({ type: 'tenant', tenantId: 't1' })).toBe('tenant:t1');
    expect(channelKeyOf({ type: 'broadcast' })).toBe(BROADCAST_CHANNEL);
    expect(channelKeyOf({ type: 'connection', connectionId: 'c=' })).toBe('connection:c=');
    expect(groupIdOf('news')).toMatch(/^[0-9a-f]{64}$/);
    expect(deliverGroupIdOf('x'.repeat(300), 63)).toHaveLength(67);
    expect(readTarget({ type: 'user', userId: 'x'.repeat(257) }).ok).toBe(false);
  });
});

describe('channel names', () => {
  const identity = { userId: 'u1', authMode: 'jwt' as const, tenantId: 't1' };

  it('tells subscribable, implicit, foreign and malformed channels apart', () => {
    expect(classifyChannel('news.eu-1', identity)).toBe('subscribable');
    expect(implicitChannels(identity)).toEqual(['user:u1', 'tenant:t1', BROADCAST_CHANNEL]);
    for (const channel of implicitChannels(identity)) expect(classifyChannel(channel, identity)).toBe('implicit');
    expect(classifyChannel('user:u2', identity)).toBe('foreign');
    expect(classifyChannel('tenant:t2', identity)).toBe('foreign');
    for (const channel of ['', '-news', 'a b', 'x'.repeat(129), 'news:eu', 42, null, 'broadcast:other']) {
      expect(classifyChannel(channel, identity)).toBe('malformed');
    }
  });
});

describe('SQS batches', () => {
  const entry = (bytes: number) => ({ body: 'x'.repeat(bytes), groupId: 'g', deduplicationId: 'd' });

  it('cuts at 10 entries and at 256 KiB, keeping order', () => {
    expect(toBatches(Array.from({ length: 23 }, () => entry(10))).map((batch) => batch.length)).toEqual([10, 10, 3]);
    expect(toBatches([entry(100_000), entry(100_000), entry(100_000)]).map((batch) => batch.length)).toEqual([2, 1]);
    expect(() => toBatches([entry(MAX_BATCH_BYTES + 1)])).toThrow(/exceeds/);
  });
});

describe('delivery', () => {
  const error = (name: string, status?: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  it.each([
    ['GoneException', 410, 'gone'],
    ['LimitExceededException', 429, 'retry'],
    ['InternalServerErrorException', 500, 'retry'],
    ['TimeoutError', undefined, 'retry'],
    ['ForbiddenException', 403, 'rejected'],
    ['PayloadTooLargeException', 413, 'rejected'],
    ['BadRequestException', 400, 'rejected'],
  ])('classifies %s (%s) as %s', (name, status, kind) => {
    expect(classifyPostError(error(name, status)).kind).toBe(kind);
  });

  it('never has more than the limit in flight and keeps the results in order', async () => {
    let inFlight = 0;
    let most = 0;
    const limit = createLimiter(7);
    const results = await Promise.all(
      [...Array(50).keys()].map((n) =>
        limit(async () => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((resolve) => setTimeout(resolve, n % 3));
          inFlight--;
          if (n === 13) throw new Error('a failing task frees its slot');
          return n * 2;
        }).catch(() => -1),
      ),
    );
    expect(most).toBe(7);
    expect(results).toEqual([...Array(50).keys()].map((n) => (n === 13 ? -1 : n * 2)));
  });

  it('builds frames around the published JSON text', () => {
    expect(messageFrame({ channel: 'news', seq: 3, id: 'm', payload: '{"b":1,"a":[1.5]}' })).toBe('{"type":"message","channel":"news","seq":3,"id":"m","data":{"b":1,"a":[1.5]}}');
    expect(JSON.parse(messageFrame({ id: 'm', payload: 'null' }))).toEqual({ type: 'message', id: 'm', data: null });
  });

  it('keys a deliver record by its message, partition and connection ids', () => {
    const key = deliverRecordKey('m', 1, ['a', 'b']);
    expect(key).toBe(deliverRecordKey('m', 1, ['a', 'b']));
    expect(new Set([key, deliverRecordKey('m', 2, ['a', 'b']), deliverRecordKey('m', 1, ['a']), deliverRecordKey('n', 1, ['a', 'b'])]).size).toBe(4);
  });
});
