import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** One message for a FIFO queue. */
export interface QueueEntry {
  body: string;
  groupId: string;
  deduplicationId: string;
}

/** SQS's limits for one SendMessageBatch: 10 entries, 256 KiB of bodies together. */
export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 262_144;
const MAX_ATTEMPTS = 4;

/** Splits entries into batches within SQS's count and size limits, keeping their order. */
export function toBatches(entries: QueueEntry[]): QueueEntry[][] {
  const batches: QueueEntry[][] = [];
  let current: QueueEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.body, 'utf8');
    if (size > MAX_BATCH_BYTES) throw new RangeError(`a queue message of ${size} bytes exceeds SQS's ${MAX_BATCH_BYTES}`);
    if (current.length === MAX_BATCH_ENTRIES || bytes + size > MAX_BATCH_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** What became of one entry: its SQS message id, or why SQS refused it. */
export type EntryResult = { ok: true; sqsMessageId: string } | { ok: false; error: string };

/**
 * Sends entries with SendMessageBatch, batch by batch in order, retrying the entries SQS reports as
 * failed for a reason on its side (with backoff); an entry SQS refuses as the sender's fault, or that
 * still fails after the retries, gets its error. A request that fails as a whole throws.
 */
export async function sendEntries(sqs: SQSClient, queueUrl: string, entries: QueueEntry[]): Promise<EntryResult[]> {
  const results: EntryResult[] = new Array(entries.length);
  let offset = 0;
  for (const batch of toBatches(entries)) {
    let pending = batch.map((entry, index) => ({ entry, index: offset + index }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const result = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: pending.map(({ entry, index }) => ({
            Id: String(index),
            MessageBody: entry.body,
            MessageGroupId: entry.groupId,
            MessageDeduplicationId: entry.deduplicationId,
          })),
        }),
      );
      for (const success of result.Successful ?? []) results[Number(success.Id)] = { ok: true, sqsMessageId: success.MessageId ?? '' };
      const retry = new Set<string>();
      for (const failure of result.Failed ?? []) {
        const error = `${failure.Code ?? 'Failed'}: ${failure.Message ?? ''}`;
        if (failure.SenderFault || attempt >= MAX_ATTEMPTS) results[Number(failure.Id)] = { ok: false, error };
        else retry.add(failure.Id ?? '');
      }
      pending = pending.filter(({ index }) => retry.has(String(index)));
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
    offset += batch.length;
  }
  return results;
}

/**
 * Sends every entry (see `sendEntries`) or throws, naming the SQS errors.
 *
 * @example
 * await sendBatched(sqs, queueUrl, [{ body: '{}', groupId: 'g', deduplicationId: 'd' }]);
 */
export async function sendBatched(sqs: SQSClient, queueUrl: string, entries: QueueEntry[]): Promise<void> {
  const failed = (await sendEntries(sqs, queueUrl, entries)).flatMap((result) => (result.ok ? [] : [result.error]));
  if (failed.length > 0) throw new Error(`SendMessageBatch failed for ${failed.length} message(s): ${[...new Set(failed)].join('; ')}`);
}
