import type { SQSRecord } from 'aws-lambda';
import { batchLagMs } from '../../functions/lib/delivery/fanout';
import { BROADCAST_CHANNEL, classifyChannel, implicitChannels, userChannel } from '../../packages/contract/src/channel-names';
import { channelKeyOf, deliverGroupIdOf, groupIdOf, parseQueueRecord, readTarget } from '../../packages/contract/src/queue-message';
import { gapFrame, messageFrame, messageIdOf } from '../../functions/lib/delivery/frames';
import { shareReplayBudget } from '../../functions/lib/sessions/session-actions';
import { MAX_BATCH_BYTES, MAX_RECORD_BYTES, packRecords, recordBytes, toBatches } from '../../packages/contract/src/sqs-batch';

const publish = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify({ v: 1, kind: 'publish', id: 'm-1', target: { type: 'channel', channel: 'news' }, data: { a: 1 }, publishedAt: 1, ...fields });

describe('queue records', () => {
  it.each([
    ['a user id with a space', { type: 'user', userId: 'a b' }],
    ['a user id with accented letters', { type: 'user', userId: 'Zoë Ünïcode' }],
    ['a tenant id of 256 astral characters', { type: 'tenant', tenantId: '😀'.repeat(256) }],
  ])('reads a publish to %s: any id an identity may hold', (_name, target) => {
    expect(parseQueueRecord(publish({ target }))).toMatchObject({ ok: true, record: { target } });
  });

  it('reads a join of the implicit channel of a user id of 256 astral characters', () => {
    const join = { v: 1, kind: 'join', id: 'j', connectionId: 'c=', channel: userChannel('😀'.repeat(256)), subscribe: false, expiresAt: 1, maxSubscriptions: 1 };
    expect(parseQueueRecord(JSON.stringify(join))).toMatchObject({ ok: true, record: { channel: join.channel } });
  });

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
    ['an unknown kind', publish({ kind: 'shout' }), 'kind must be publish, publishes, deliver, join, resume or disconnect'],
    ['an unknown target type', publish({ target: { type: 'planet' } }), 'target.type must be channel, user, tenant, broadcast or connection'],
    ['an implicit channel as a channel target', publish({ target: { type: 'channel', channel: 'user:x' } }), 'target.channel is malformed'],
    ['a user id with a control character', publish({ target: { type: 'user', userId: 'a\u0007b' } }), 'target.userId is malformed'],
    ['a tenant id of 257 characters', publish({ target: { type: 'tenant', tenantId: 't'.repeat(257) } }), 'target.tenantId is malformed'],
    ['a connection id with a space', publish({ target: { type: 'connection', connectionId: 'c 1' } }), 'target.connectionId is malformed'],
    ['a float publishedAt', publish({ publishedAt: 1.5 }), 'publishedAt must be epoch milliseconds'],
    ['a deliver record without ids', JSON.stringify({ v: 1, kind: 'deliver', id: 'm', frame: '{}', partition: 0, connectionIds: [] }), 'connectionIds must be a non-empty list of ids'],
    ['a deliver record without a frame', JSON.stringify({ v: 1, kind: 'deliver', id: 'm', partition: 0, connectionIds: ['c'] }), 'frame must be a non-empty string'],
    ['a publishes record whose messages repeat an id', JSON.stringify({ v: 1, kind: 'publishes', id: 'p', target: { type: 'broadcast' }, messages: [{ id: 'a', data: 1, publishedAt: 0 }, { id: 'a', data: 2, publishedAt: 0 }] }), "messages[1].id repeats an earlier message's id"],
    ['a publishes record with a message without publishedAt', JSON.stringify({ v: 1, kind: 'publishes', id: 'p', target: { type: 'broadcast' }, messages: [{ id: 'a', data: 1 }] }), 'messages[0]: publishedAt must be epoch milliseconds'],
  ])('refuses %s as poison', (_name, body, problem) => {
    expect(parseQueueRecord(body)).toEqual({ ok: false, problem });
  });

  const nested = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels));
  const characters = 'strings must not contain lone surrogates or non-characters (U+FFFE, U+FFFF, U+FDD0–U+FDEF, …)';

  it.each([
    ['a lone surrogate in data (JSON.stringify escapes it as \\ud800, so SQS takes it)', publish({ data: { note: 'a\ud800b' } }), characters],
    ['U+FFFF escaped in the body (\\uffff)', publish({ data: '\\uffff' }).replace('\\\\uffff', '\\uffff'), characters],
    ['U+FFFE written raw', publish({ data: 'x\ufffe' }), characters],
    ['a non-character in a key of data', publish({ data: { '\ufdd0': 1 } }), 'keys must not contain lone surrogates or non-characters (U+FFFE, U+FFFF, U+FDD0–U+FDEF, …)'],
    ['U+1FFFF in a deliver frame', JSON.stringify({ v: 1, kind: 'deliver', id: 'm', frame: '{"data":"\u{1FFFF}"}', partition: 0, connectionIds: ['c'] }), characters],
    ['data nested 32 levels of its own', publish({ data: nested(32) }), 'the record nests deeper than 32 levels'],
    ['a number beyond a double', publish({ data: 1 }).replace('"data":1', '"data":1e400'), 'numbers must be finite (within ±1.8e308)'],
  ])('refuses %s as poison, as a client frame would be refused', (_name, body, problem) => {
    expect(parseQueueRecord(body)).toEqual({ ok: false, problem });
  });

  it('passes data a client may publish: 31 levels of its own, astral characters, U+FFFD, escaped control characters', () => {
    for (const data of [nested(31), '😀\ufffd\u0000\t\r\n', { '\u{10FFFD}': 'é' }]) expect(parseQueueRecord(publish({ data }))).toMatchObject({ ok: true, record: { data } });
  });

  const join = (fields: Record<string, unknown> = {}) => ({ v: 1, kind: 'join', id: 'j-1', connectionId: 'c=', channel: 'news', subscribe: false, expiresAt: 1, maxSubscriptions: 5, limit: 10, ...fields });

  it('reads join and resume records; a join written before `limit` existed replays what it always could', () => {
    expect(parseQueueRecord(JSON.stringify(join({ after: 3, ack: { id: 7 } })))).toEqual({ ok: true, record: join({ after: 3, ack: { id: 7 } }) });
    expect(parseQueueRecord(JSON.stringify(join({ limit: undefined })))).toMatchObject({ ok: true, record: { limit: 10_000 } });
    const resume = { v: 1, kind: 'resume', id: 'r-1', connectionId: 'c=', frame: '{"type":"resumed"}', joins: [join({ after: 0 })] };
    expect(parseQueueRecord(JSON.stringify(resume))).toEqual({ ok: true, record: resume });
  });

  it('reads a deliver record of several frames to several connections (a run of a channel\'s messages), and tells the message a frame carries', () => {
    const frames = [messageFrame({ channel: 'news', seq: 1, id: 'm-1', payload: '1' }), gapFrame('news', 2, 2, 'the message is too large to deliver')];
    const record = { v: 1, kind: 'deliver', id: 'run-0123', frames, partition: 3, connectionIds: ['c1=', 'c2='] };
    expect(parseQueueRecord(JSON.stringify(record))).toEqual({ ok: true, record });
    expect(frames.map(messageIdOf)).toEqual(['m-1', undefined]);
  });

  it.each([
    ['a join with a limit over 10,000', join({ limit: 10_001 }), 'limit must be a whole number up to 10000'],
    ['a join with a malformed ack id', join({ ack: { id: '' } }), 'ack is malformed'],
    ['a join with a negative after', join({ after: -1 }), 'join fields are malformed'],
    ['a resume whose join is for another connection', { v: 1, kind: 'resume', id: 'r', connectionId: 'other=', frame: '{}', joins: [join()] }, 'a join is for another connection'],
    ['a resume without its frame', { v: 1, kind: 'resume', id: 'r', connectionId: 'c=', joins: [] }, 'frame must be a non-empty string'],
  ])('refuses %s as poison', (_name, record, problem) => {
    expect(parseQueueRecord(JSON.stringify(record))).toEqual({ ok: false, problem });
  });

  it('maps targets to channel keys and FIFO groups of at most 128 characters', () => {
    expect(channelKeyOf({ type: 'user', userId: 'u1' })).toBe('user:u1');
    expect(channelKeyOf({ type: 'tenant', tenantId: 't1' })).toBe('tenant:t1');
    expect(channelKeyOf({ type: 'user', userId: 'Zoë Ünïcode' })).toBe('user:Zoë Ünïcode');
    expect(groupIdOf(channelKeyOf({ type: 'user', userId: '😀'.repeat(256) }))).toMatch(/^[0-9a-f]{64}$/);
    expect(groupIdOf('user:a b')).not.toBe(groupIdOf('user:a_b'));
    expect(channelKeyOf({ type: 'broadcast' })).toBe(BROADCAST_CHANNEL);
    expect(channelKeyOf({ type: 'connection', connectionId: 'c=' })).toBe('connection:c=');
    expect(groupIdOf('news')).toMatch(/^[0-9a-f]{64}$/);
    expect(deliverGroupIdOf('x'.repeat(300), 63)).toHaveLength(67);
    expect(readTarget({ type: 'user', userId: 'x'.repeat(257) }).ok).toBe(false);
    expect(readTarget({ type: 'tenant', tenantId: 't\udc00' }).ok).toBe(false);
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
    expect(classifyChannel('user:Zoë Ünïcode', identity)).toBe('foreign');
    expect(classifyChannel('user:Zoë Ünïcode', { ...identity, userId: 'Zoë Ünïcode' })).toBe('implicit');
    for (const channel of ['', '-news', 'a b', 'x'.repeat(129), 'news:eu', 42, null, 'broadcast:other', 'user:', 'user:a\nb', `tenant:${'t'.repeat(257)}`]) {
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

  it('cuts by the UTF-8 bytes of the batch, not its characters', () => {
    const wide = (chars: number) => ({ body: 'é'.repeat(chars), groupId: 'g', deduplicationId: 'd' });
    expect(toBatches([wide(70_000), wide(70_000)]).map((batch) => batch.length)).toEqual([1, 1]);
  });
});

describe('the record size rule (one for every writer)', () => {
  const frameOf = (data: string) => JSON.stringify({ type: 'message', channel: 'c', seq: 1, id: 'm', data });
  const deliver = (frames: string[]) => JSON.stringify({ v: 1, kind: 'deliver', id: 'j-99', frames, partition: 0, connectionIds: ['c1'] });

  it.each([
    ['quotes', '"'.repeat(15_000)],
    ['é', 'é'.repeat(15_000)],
    ['emoji', '😀'.repeat(7_500)],
    ['backslashes', '\\'.repeat(15_000)],
  ])('packs frames of 30 KB of %s into records that SQS takes, in order', (_what, data) => {
    const frames = Array.from({ length: 20 }, () => frameOf(data));
    const { records, oversized } = packRecords(frames, deliver);
    expect(oversized).toEqual([]);
    expect(records.flatMap((record) => record.items)).toEqual(frames);
    for (const { body } of records) expect(recordBytes(body)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    // Full records: the next frame would not have fitted.
    for (const { items } of records.slice(0, -1)) expect(recordBytes(deliver([...items, frames[0]!]))).toBeGreaterThan(MAX_RECORD_BYTES);
  });

  it('keeps a chunk limit, and reports an item too large even alone without blocking the others', () => {
    expect(packRecords(['a', 'b', 'c', 'd', 'e'], (chunk) => JSON.stringify({ ids: chunk }), { maxItems: 2 }).records.map((r) => r.items)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    const huge = frameOf('"'.repeat(140_000));
    const { records, oversized } = packRecords(['x', huge, 'y'], deliver);
    expect(oversized).toEqual([{ item: huge, index: 1 }]);
    expect(records.map((r) => r.items)).toEqual([['x', 'y']]);
  });

  it('halves a chunk whose measured body is over, when the builder is not a plain array', () => {
    const doubled = (chunk: string[]) => JSON.stringify({ twice: [...chunk, ...chunk] });
    const { records, oversized } = packRecords(Array.from({ length: 6 }, () => 'x'.repeat(60_000)), doubled);
    expect(oversized).toEqual([]);
    expect(records.flatMap((r) => r.items)).toHaveLength(6);
    for (const { body } of records) expect(recordBytes(body)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
  });
});

describe('the replay budget of one request', () => {
  it.each([
    [[5, 2000, 0], 1000, [5, 995, 0]],
    [[5, 20], 1000, [493, 507]],
    [[600, 600], 1000, [500, 500]],
    [[0, 0, 0], 10, [4, 3, 3]],
    [[3, 3, 3], 2, [1, 1, 0]],
  ])('shares %j within %d as %j', (needs, budget, shares) => {
    expect(shareReplayBudget(needs, budget)).toEqual(shares);
    expect(shareReplayBudget(needs, budget).reduce((a, b) => a + b, 0)).toBe(budget);
  });
});

describe('fan-out lag (FanoutLag)', () => {
  const record = (sent: string | undefined) => ({ attributes: sent === undefined ? {} : { SentTimestamp: sent } }) as unknown as SQSRecord;

  it('is the age of the oldest record of the batch', () => {
    expect(batchLagMs([record('1000'), record('400'), record('900')], 1500)).toBe(1100);
  });

  it('ignores records without a SentTimestamp and is undefined when none has one', () => {
    expect(batchLagMs([record(undefined), record('1200')], 1500)).toBe(300);
    expect(batchLagMs([record(undefined), record('nope')], 1500)).toBeUndefined();
  });

  it('is never negative when clocks disagree', () => {
    expect(batchLagMs([record('2000')], 1500)).toBe(0);
  });
});
