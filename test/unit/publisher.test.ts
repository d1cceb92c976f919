import { SQSClient } from '@aws-sdk/client-sqs';
import { PublishError, createPublisher } from '../../packages/publisher/src/index';
import { MAX_PUBLISHES_PER_RECORD, parseQueueRecord, publishesDeduplicationIdOf, publishesIdOf, type QueueRecord } from '../../packages/contract/src';

/** SQS's allowed characters in a message body: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF. */
const SQS_REFUSES = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * A real SQS client whose first middleware answers SendMessageBatch itself (mocked: every entry
 * accepted, or refused with InvalidMessageContents where SQS would), so no request leaves the process.
 */
function recordingClient(): { client: SQSClient; bodies: string[]; sent: Array<{ body: string; groupId: string; deduplicationId: string }> } {
  const client = new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  const bodies: string[] = [];
  const sent: Array<{ body: string; groupId: string; deduplicationId: string }> = [];
  client.middlewareStack.add(
    () => async (args) => {
      const entries = (args.input as { Entries: Array<{ Id: string; MessageBody: string; MessageGroupId: string; MessageDeduplicationId: string }> }).Entries;
      bodies.push(...entries.map((entry) => entry.MessageBody));
      sent.push(...entries.map((entry) => ({ body: entry.MessageBody, groupId: entry.MessageGroupId, deduplicationId: entry.MessageDeduplicationId })));
      const refused = entries.filter((entry) => SQS_REFUSES.test(entry.MessageBody));
      return {
        output: {
          $metadata: { httpStatusCode: 200 },
          Successful: entries.filter((entry) => !refused.includes(entry)).map((entry) => ({ Id: entry.Id, MessageId: entry.Id, MD5OfMessageBody: '' })),
          Failed: refused.map((entry) => ({ Id: entry.Id, Code: 'InvalidMessageContents', SenderFault: true, Message: 'Invalid characters found' })),
        },
        response: {},
      };
    },
    { step: 'initialize', name: 'answerSendMessageBatch' },
  );
  return { client, bodies, sent };
}

const nested = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels));

describe('publisher', () => {
  const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo';

  it('packs the calls of one tick to one target into publishes records, keeping each message group in order', async () => {
    const { client, sent } = recordingClient();
    const publisher = createPublisher({ queueUrl, client });
    const ids = await Promise.all([
      publisher.publish('a', 1, { id: 'a-1' }),
      publisher.publish('b', 2, { id: 'b-1' }),
      publisher.publish('a', 3, { id: 'a-2' }),
      publisher.sendToUser('u', 4, { id: 'u-1' }),
      publisher.sendToUser('u', 5, { id: 'u-2' }),
      publisher.disconnect({ userId: 'u' }, { id: 'd-1' }),
      publisher.sendToUser('u', 6, { id: 'u-3' }),
      publisher.publish('a', 7, { id: 'a-1' }),
      publisher.publish('a', 8, { id: 'a-3' }),
      publisher.sendToConnection('c1', 9, { id: 'c-1' }),
      publisher.sendToConnection('c1', 10, { id: 'c-2' }),
    ]);
    expect(ids).toEqual(['a-1', 'b-1', 'a-2', 'u-1', 'u-2', 'd-1', 'u-3', 'a-1', 'a-3', 'c-1', 'c-2']);
    const records = sent.map(({ body }) => {
      const parsed = parseQueueRecord(body);
      if (!parsed.ok) throw new Error(parsed.problem);
      return parsed.record;
    });
    const shape = (record: QueueRecord) =>
      record.kind === 'publishes' ? [record.kind, record.messages.map(({ id, data }) => [id, data])] : record.kind === 'publish' ? [record.kind, [[record.id, record.data]]] : [record.kind, record.id];
    // a: [a-1, a-2] until a-1 comes again, which opens the next record; u: the disconnect cuts the user's calls in two.
    expect(records.map(shape)).toEqual([
      ['publishes', [['a-1', 1], ['a-2', 3]]],
      ['publish', [['b-1', 2]]],
      ['publishes', [['u-1', 4], ['u-2', 5]]],
      ['disconnect', 'd-1'],
      ['publish', [['u-3', 6]]],
      ['publishes', [['a-1', 7], ['a-3', 8]]],
      // Messages to one connection are never packed.
      ['publish', [['c-1', 9]]],
      ['publish', [['c-2', 10]]],
    ]);
    expect(sent[0]!.deduplicationId).toBe(publishesDeduplicationIdOf(publishesIdOf(['a-1', 'a-2'])));
    expect(sent[0]!.deduplicationId).toMatch(/^publishes:p-[0-9a-f]{40}$/);
    expect(records[0]!.id).toBe(publishesIdOf(['a-1', 'a-2']));
    expect(sent[1]!.deduplicationId).toBe('b-1');
    expect(new Set([sent[0]!.groupId, sent[5]!.groupId]).size).toBe(1);
    expect(new Set([sent[2]!.groupId, sent[3]!.groupId, sent[4]!.groupId]).size).toBe(1);
  });

  it(`packs at most ${MAX_PUBLISHES_PER_RECORD} messages and one record's bytes into a publishes record`, async () => {
    const { client, sent } = recordingClient();
    const publisher = createPublisher({ queueUrl, client });
    await Promise.all(Array.from({ length: 150 }, (_, n) => publisher.publish('hot', n)));
    await Promise.all(Array.from({ length: 20 }, () => publisher.publish('big', 'x'.repeat(30_000))));
    const records = sent.map(({ body }) => JSON.parse(body) as { kind: string; messages?: unknown[] });
    expect(records.filter((record) => JSON.stringify(record).includes('"channel":"hot"')).map((record) => record.messages?.length)).toEqual([100, 50]);
    const big = records.filter((record) => JSON.stringify(record).includes('"channel":"big"'));
    expect(big.reduce((sum, record) => sum + (record.messages?.length ?? 1), 0)).toBe(20);
    expect(big.length).toBeGreaterThan(2);
    for (const { body } of sent) expect(parseQueueRecord(body).ok).toBe(true);
  });

  it.each([
    ['U+FFFE', 'a\ufffe'],
    ['U+FFFF', { price: '\uffff' }],
    ['a lone surrogate', ['\ud800']],
    ['a lone low surrogate in a key', { ['\udc00']: 1 }],
    ['a non-character of another plane', '\u{10FFFF}'],
    ['U+FDD0 from toJSON', { toJSON: () => '\ufdd0' }],
    ['32 levels of nesting', nested(32)],
  ])('refuses data with %s with BAD_DATA before sending anything', async (_name, data) => {
    const { client, bodies } = recordingClient();
    const error: unknown = await createPublisher({ queueUrl, client })
      .publish('prices', data)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect(error).toMatchObject({ code: 'BAD_DATA', message: expect.stringMatching(/^data: /) });
    expect(bodies).toEqual([]);
  });

  it('sends what clients may receive, and SQS takes every body: astral characters, U+FFFD, control characters (escaped), 31 levels', async () => {
    const { client, bodies } = recordingClient();
    const publisher = createPublisher({ queueUrl, client });
    const ids = await Promise.all(['😀 \ufffd \u0000\u0001\u001f\t\r\n \u007f\u0085', nested(31), { 'é\u{10FFFD}': 'x' }, NaN].map((data) => publisher.publish('prices', data)));
    expect(ids).toHaveLength(4);
    for (const body of bodies) expect(body).not.toMatch(SQS_REFUSES);
    // Every record is one the consumer reads; data of 31 levels goes alone (a publishes record would nest it 2 levels deeper).
    const records = bodies.map((body) => parseQueueRecord(body));
    expect(records.every((record) => record.ok)).toBe(true);
    const messages = records.flatMap((record) => (!record.ok ? [] : record.record.kind === 'publishes' ? record.record.messages : record.record.kind === 'publish' ? [record.record] : []));
    expect(messages.map(({ id }) => id)).toEqual(ids);
    expect(records.map((record) => record.ok && record.record.kind)).toEqual(['publish', 'publish', 'publishes']);
  });
});
