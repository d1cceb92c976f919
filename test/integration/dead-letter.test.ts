/** Dead letters on a real FIFO queue (the sandbox's SQS emulator, FIFO de-duplication included). */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { toDeadLetter } from '../../functions/lib/delivery/dead-letter';
import type { FanoutSettings } from '../../functions/lib/delivery/context';
import { startSqs, type LocalSqs } from '../../sandbox/sqs';

describe('dead letters on the FIFO dead-letter queue', () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  beforeAll(async () => {
    sqs = await startSqs({ queues: [{ name: 'dlq.fifo', fifo: true }] });
    client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterAll(async () => {
    client.destroy();
    await sqs.stop();
  });

  it('two messages of one queue record refused for the same connection and reason are two dead letters, and a redelivery adds none', async () => {
    const context = { sqs: client, settings: { deadLetterQueueUrl: sqs.queue('dlq.fifo').url } as FanoutSettings };
    // A deliver record carrying a run of a channel's messages.
    const record = { messageId: 'record-1', attributes: { MessageGroupId: 'deliver#chat#0' } } as unknown as SQSRecord;
    const letter = (messageId: string) => ({ record, reason: 'payload_too_large', details: { messageId, status: 413, connectionIds: ['conn-1'], frame: '{}' } });
    await toDeadLetter(context, letter('m-1'));
    await toDeadLetter(context, letter('m-2'));
    await toDeadLetter(context, letter('m-1')); // the record redelivered: the same dead letter again
    const bodies = sqs.queue('dlq.fifo').messages().map((m) => (JSON.parse(m.body) as { messageId: string }).messageId);
    expect(bodies).toEqual(['m-1', 'm-2']);
  });
});
