import { createHash } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { FanoutContext } from './context';
import { fitsRecord } from '../../../packages/contract/src/sqs-batch';

/**
 * A dead letter's body within one record: where it would be larger, its big text fields (`frame`,
 * `body`) keep a prefix and say so.
 *
 * @example
 * deadLetterBody({ v: 1, kind: 'dead_letter', reason: 'malformed', body: hugeText }); // '{…,"truncated":true}'
 */
export function deadLetterBody(fields: Record<string, unknown>): string {
  const body = JSON.stringify(fields);
  if (fitsRecord(body)) return body;
  const cut: Record<string, unknown> = { ...fields, truncated: true };
  for (const name of ['frame', 'body']) {
    const value = cut[name];
    if (typeof value === 'string') cut[name] = Buffer.from(value, 'utf8').subarray(0, 16_384).toString('utf8');
  }
  if (Array.isArray(cut.connectionIds) && cut.connectionIds.length > 100) cut.connectionIds = cut.connectionIds.slice(0, 100);
  return JSON.stringify(cut);
}

/**
 * Moves what a queue record could not do to the dead-letter queue, in the record's message group: a
 * `dead_letter` record naming the reason and `details`. Deduplicated by record, reason, connections
 * and sequence number, so a redelivered record does not write it twice.
 *
 * @example
 * await toDeadLetter(context, { record, reason: 'forbidden', details: { messageId: id, status: 403, connectionIds } });
 */
export async function toDeadLetter(
  { sqs, settings }: Pick<FanoutContext, 'sqs' | 'settings'>,
  { record, reason, details }: { record: SQSRecord; reason: string; details: Record<string, unknown> },
): Promise<void> {
  const body = deadLetterBody({ v: 1, kind: 'dead_letter', reason, ...details, queueMessageId: record.messageId, failedAt: Date.now() });
  // One queue record may carry several messages (a run's frames): the message id is part of what a dead letter is about.
  const identity = `${record.messageId}\n${reason}\n${JSON.stringify(details.messageId ?? '')}\n${JSON.stringify(details.connectionIds ?? '')}\n${JSON.stringify(details.seq ?? '')}`;
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: settings.deadLetterQueueUrl,
      MessageBody: body,
      MessageGroupId: record.attributes.MessageGroupId ?? 'dead-letter',
      MessageDeduplicationId: createHash('sha256').update(identity).digest('hex'),
    }),
  );
}
