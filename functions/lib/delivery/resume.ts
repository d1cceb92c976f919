import type { SQSRecord } from 'aws-lambda';
import { log } from '../log';
import type { BatchMemory, FanoutContext } from './context';
import { toDeadLetter } from './dead-letter';
import { post } from './deliver';
import { deliverRecordKey, recordServed, servedOf } from './ledger';
import { joinEntry, type ResumeRecord } from '../../../packages/contract/src/queue-message';
import { sendBatched } from '../../../packages/contract/src/sqs-batch';

/**
 * A `resume` is answered: `resumed` is posted (once: a ledger keeps a redelivery from posting it
 * again), then the joins are enqueued, so every replayed frame comes after the answer. False when
 * the answer should be tried again later; a connection that cannot get it gets no joins.
 *
 * @example
 * const done = await resume(context, { record, resumeRecord, ledgers });
 */
export async function resume(
  context: FanoutContext,
  { record, resumeRecord, ledgers }: { record: SQSRecord; resumeRecord: ResumeRecord; ledgers?: BatchMemory['ledgers'] },
): Promise<boolean> {
  const { id, connectionId, joins } = resumeRecord;
  const key = deliverRecordKey(id, 0, [connectionId]);
  const done = await servedOf(context, { messageId: id, key }, ledgers);
  if (!done.has('answered')) {
    const outcome = await post(context, { connectionId, frame: resumeRecord.frame });
    if (outcome.kind === 'retry') return false;
    // The frame carries the resume token: the dead letter names the connection, not the frame.
    if (outcome.kind === 'rejected') await toDeadLetter(context, { record, reason: outcome.reason, details: { messageId: id, status: outcome.status, connectionIds: [connectionId] } });
    await recordServed(context, { messageId: id, key, done: ['answered'] }, ledgers);
    if (outcome.kind !== 'sent') return true;
  }
  await sendBatched(context.sqs, context.settings.queueUrl, joins.map(joinEntry));
  log({ event: 'resume', connectionId, channels: joins.length });
  return true;
}
