import { SQSClient } from '@aws-sdk/client-sqs';
import { PublishError, createPublisher } from '../../packages/publisher/src/index';

/** SQS's allowed characters in a message body: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF. */
const SQS_REFUSES = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * A real SQS client whose first middleware answers SendMessageBatch itself (mocked: every entry
 * accepted, or refused with InvalidMessageContents where SQS would), so no request leaves the process.
 */
function recordingClient(): { client: SQSClient; bodies: string[] } {
  const client = new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  const bodies: string[] = [];
  client.middlewareStack.add(
    () => async (args) => {
      const entries = (args.input as { Entries: Array<{ Id: string; MessageBody: string }> }).Entries;
      bodies.push(...entries.map((entry) => entry.MessageBody));
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
  return { client, bodies };
}

const nested = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels));

describe('publisher', () => {
  const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo';

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
    expect(bodies).toHaveLength(4);
    for (const body of bodies) expect(body).not.toMatch(SQS_REFUSES);
  });
});
