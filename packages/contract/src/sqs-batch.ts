import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** One message for a FIFO queue. */
export interface QueueEntry {
  body: string;
  groupId: string;
  deduplicationId: string;
}

/** SQS's limits for one SendMessageBatch: 10 entries, 256 KiB of bodies together (UTF-8 bytes). */
export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 262_144;
/**
 * What one record the functions write may weigh: SQS's 262,144 bytes (the UTF-8 body plus message
 * attributes, which we do not use) less an 8 KiB margin. Every writer sizes its records with
 * `recordBytes` against this.
 */
export const MAX_RECORD_BYTES = MAX_BATCH_BYTES - 8_192;
const MAX_ATTEMPTS = 4;

/** What SQS counts for a body: its UTF-8 bytes, not its characters (`é` is 2, an emoji 4, `"` escaped in JSON 2). */
export const recordBytes = (body: string): number => Buffer.byteLength(body, 'utf8');

/** True when a body fits one record (`MAX_RECORD_BYTES`). */
export const fitsRecord = (body: string): boolean => recordBytes(body) <= MAX_RECORD_BYTES;

/**
 * Packs items, in order, into as few records as fit: `build(chunk)` serializes a record holding a
 * chunk of the items as a JSON array (connection ids, frames), and every body it returns is at most
 * `MAX_RECORD_BYTES` UTF-8 bytes and holds at most `maxItems` items. An item that does not fit even
 * alone comes back in `oversized` (with its index) instead of in a record: it must not block a queue.
 *
 * @example
 * const { records, oversized } = packRecords(frames, (chunk) => JSON.stringify({ kind: 'deliver', frames: chunk }));
 */
export function packRecords<T>(
  items: readonly T[],
  build: (chunk: T[]) => string,
  { maxItems = Infinity, maxBytes = MAX_RECORD_BYTES }: { maxItems?: number; maxBytes?: number } = {},
): { records: Array<{ body: string; items: T[] }>; oversized: Array<{ item: T; index: number }> } {
  const records: Array<{ body: string; items: T[] }> = [];
  const oversized: Array<{ item: T; index: number }> = [];
  /** Keeps a chunk (by item index) as one record, halving it where the measured body is over. */
  const place = (indices: number[]): void => {
    const chunk = indices.map((index) => items[index]!);
    const body = build(chunk);
    if (recordBytes(body) <= maxBytes) records.push({ body, items: chunk });
    else if (indices.length === 1) oversized.push({ item: chunk[0]!, index: indices[0]! });
    else {
      const half = Math.ceil(indices.length / 2);
      place(indices.slice(0, half));
      place(indices.slice(half));
    }
  };
  // An item costs its JSON text plus a comma inside the record's array: exact for arrays of JSON
  // values; every body is measured again before it is kept.
  const base = recordBytes(build([]));
  let chunk: number[] = [];
  let bytes = base;
  const emit = (): void => {
    if (chunk.length > 0) place(chunk);
    chunk = [];
    bytes = base;
  };
  items.forEach((item, index) => {
    const cost = recordBytes(JSON.stringify(item) ?? 'null') + 1;
    if (base + cost > maxBytes) {
      oversized.push({ item, index });
      return;
    }
    if (chunk.length >= maxItems || bytes + cost > maxBytes) emit();
    chunk.push(index);
    bytes += cost;
  });
  emit();
  oversized.sort((a, b) => a.index - b.index);
  return { records, oversized };
}

/** Splits entries into batches within SQS's count and size limits, keeping their order; entries must fit a record. */
export function toBatches(entries: QueueEntry[]): QueueEntry[][] {
  const batches: QueueEntry[][] = [];
  let current: QueueEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = recordBytes(entry.body);
    if (size > MAX_RECORD_BYTES) throw new RangeError(`a queue record of ${size} bytes exceeds ${MAX_RECORD_BYTES}`);
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

/** What became of one entry: its SQS message id, or why SQS (or the size rule) refused it. */
export type EntryResult = { ok: true; sqsMessageId: string } | { ok: false; error: string; tooLarge?: true };

/**
 * Sends entries with SendMessageBatch, batch by batch in order, retrying the entries SQS reports as
 * failed for a reason on its side (with backoff); an entry SQS refuses as the sender's fault, or that
 * still fails after the retries, gets its error. An entry over `MAX_RECORD_BYTES` is never sent: it
 * gets `tooLarge`, and the others go on. A request that fails as a whole throws.
 */
export async function sendEntries(sqs: SQSClient, queueUrl: string, entries: QueueEntry[]): Promise<EntryResult[]> {
  const results: EntryResult[] = new Array(entries.length);
  const sendable: Array<{ entry: QueueEntry; index: number }> = [];
  entries.forEach((entry, index) => {
    const size = recordBytes(entry.body);
    if (size > MAX_RECORD_BYTES) results[index] = { ok: false, error: `RecordTooLarge: ${size} bytes, at most ${MAX_RECORD_BYTES}`, tooLarge: true };
    else sendable.push({ entry, index });
  });
  let offset = 0;
  for (const batch of toBatches(sendable.map(({ entry }) => entry))) {
    let pending = batch.map((entry, n) => ({ entry, index: sendable[offset + n]!.index }));
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
