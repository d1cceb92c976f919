import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ChannelHead } from '../channels/channel-store';
import { log } from '../log';
import type { BatchMemory, FanoutContext, FanoutDeps } from './context';
import { toDeadLetter } from './dead-letter';
import { createLimiter, deliver, deliverFrames, type Limit } from './deliver';
import { deliverRecordKey, readLedgers, type LedgerRef } from './ledger';
import { ROUNDS_PER_INVOCATION, planRun, type Publishing } from './plan';
import { channelKeyOf, parseQueueRecord, publishesOf } from '../../../packages/contract/src/queue-message';
import { hashOf } from '../../../packages/contract/src/table-keys';
import { join } from './replay';
import { resume } from './resume';
import { disconnect } from './disconnect';

/** What `createFanout` needs: the context, where chance and time default to `Math.random` and timers. */

/** Heads kept across invocations at most (then forgotten all at once: each costs one append a retry). */
const MAX_KNOWN_HEADS = 10_000;

type Parsed = ReturnType<typeof parseQueueRecord>;

/** Handles one record that is not a publish; true when it is done with (delivered, or moved to the dead-letter queue). */
async function handleRecord(context: FanoutContext, { record, parsed, limit, batch }: { record: SQSRecord; parsed: Parsed; limit: Limit; batch: BatchMemory }): Promise<boolean> {
  if (!parsed.ok) {
    await toDeadLetter(context, { record, reason: 'malformed', details: { problem: parsed.problem, body: record.body.slice(0, 200_000) } });
    log({ event: 'poison_message', level: 'warn', reason: 'malformed', problem: parsed.problem, queueMessageId: record.messageId }, { DeadLettered: 1 });
    return true;
  }
  const queued = parsed.record;
  if (queued.kind === 'join') return await join(context, { record, joinRecord: queued, batch, limit });
  if (queued.kind === 'resume') return await resume(context, { record, resumeRecord: queued, ledgers: batch.ledgers });
  if (queued.kind === 'publish' || queued.kind === 'publishes') return await planRun(context, { run: publishesOf(queued).map((publish) => ({ record, publish })), batch, limit });
  if (queued.kind === 'disconnect') return await disconnect(context, { record, disconnectRecord: queued, limit });
  if (queued.frames) return await deliverFrames(context, { record, deliverRecord: { ...queued, frames: queued.frames }, limit, ledgers: batch.ledgers });
  return await deliver(context, { record, deliverRecord: queued, limit, ledgers: batch.ledgers });
}

/**
 * The delivery ledgers the records will read before posting, known from the records alone: a
 * deliver record's, a resume's answer, a message to one connection (a join's replay records are
 * made while it is served, and read then).
 */
function ledgersOf(parsed: Parsed[], partitions: number): LedgerRef[] {
  const refs: LedgerRef[] = [];
  for (const entry of parsed) {
    if (!entry.ok) continue;
    const queued = entry.record;
    if (queued.kind === 'deliver') refs.push({ messageId: queued.id, key: deliverRecordKey(queued.id, queued.partition, queued.connectionIds) });
    else if (queued.kind === 'resume') refs.push({ messageId: queued.id, key: deliverRecordKey(queued.id, 0, [queued.connectionId]) });
    else if ((queued.kind === 'publish' || queued.kind === 'publishes') && queued.target.type === 'connection') {
      const { connectionId } = queued.target;
      for (const { id } of publishesOf(queued)) refs.push({ messageId: id, key: deliverRecordKey(id, hashOf(connectionId) % partitions, [connectionId]) });
    }
  }
  return refs;
}

/**
 * The run of publish records starting at `start`: the messages of consecutive `publish` and
 * `publishes` records of one channel key, each id once (a run is appended in one transaction, which
 * takes an item once), and how many records they fill (a record is never split between runs).
 */
function runAt(records: SQSRecord[], parsed: Parsed[], start: number): { run: Publishing[]; records: number } {
  const run: Publishing[] = [];
  const ids = new Set<string>();
  let key: string | undefined;
  let n = start;
  for (; n < records.length; n++) {
    const entry = parsed[n]!;
    if (!entry.ok || (entry.record.kind !== 'publish' && entry.record.kind !== 'publishes')) break;
    const publishes = publishesOf(entry.record);
    const channelKey = channelKeyOf(entry.record.target);
    if ((key !== undefined && channelKey !== key) || publishes.some(({ id }) => ids.has(id))) break;
    key = channelKey;
    for (const publish of publishes) {
      ids.add(publish.id);
      run.push({ record: records[n]!, publish });
    }
  }
  return { run, records: n - start };
}

/**
 * The age in ms of the batch's oldest record (SQS SentTimestamp to `nowMs`), or undefined when no
 * record carries a SentTimestamp.
 */
export function batchLagMs(records: SQSRecord[], nowMs: number): number | undefined {
  const sent = records.map((record) => Number(record.attributes.SentTimestamp)).filter((ms) => Number.isFinite(ms) && ms > 0);
  return sent.length === 0 ? undefined : Math.max(0, nowMs - Math.min(...sent));
}

/** Runs a step, logging what it throws as the failure of `records`; false when it threw. */
async function guarded(records: SQSRecord[], step: () => Promise<boolean>): Promise<boolean> {
  try {
    return await step();
  } catch (error) {
    for (const record of records) {
      log({ event: 'fanout_error', level: 'error', reason: 'record_failed', queueMessageId: record.messageId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, { Errors: 1 });
    }
    return false;
  }
}

/**
 * The fan-out consumer: plans `publish` records (a channel's publishes of one batch together:
 * sequence numbers, log, audience → posts or deliver records, plan.ts), serves `deliver` records
 * (posts with bounded concurrency, a ledger against redelivery, deliver.ts), joins connections to
 * channels with their replay (replay.ts), answers resumes (resume.ts) and closes connections
 * (disconnect.ts); what cannot be done goes to
 * the dead-letter queue (dead-letter.ts). Records of one message group are handled in order and,
 * after a failure, the rest of that group is reported failed too (FIFO); groups run in parallel.
 * Returns the partial batch response.
 *
 * @example
 * const fanout = createFanout({ documents, tableName, sqs, management, channels, forgetConnection, connections, closeSession, settings });
 * export const handler = (event: SQSEvent) => fanout.handle(event);
 */
export function createFanout(deps: FanoutDeps): { handle(event: SQSEvent): Promise<SQSBatchResponse> } {
  const context: FanoutContext = {
    ...deps,
    random: deps.random ?? Math.random,
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  };
  const heads = new Map<string, ChannelHead>();
  return {
    async handle(event) {
      const groups = new Map<string, SQSRecord[]>();
      for (const record of event.Records) {
        const group = record.attributes.MessageGroupId ?? record.messageId;
        groups.set(group, [...(groups.get(group) ?? []), record]);
      }
      if (heads.size > MAX_KNOWN_HEADS) heads.clear();
      const lagMs = batchLagMs(event.Records, Date.now());
      if (lagMs !== undefined) log({ event: 'fanout_batch', records: event.Records.length, lagMs }, { FanoutLag: lagMs });
      const failures: string[] = [];
      const parsedOf = new Map(event.Records.map((record) => [record, parseQueueRecord(record.body)]));
      // The ledgers the batch's records need, in one read; a failed read leaves each record to read its own.
      const ledgers = await readLedgers(context, ledgersOf([...parsedOf.values()], context.settings.partitions)).catch((error: unknown) => {
        log({ event: 'fanout_error', level: 'warn', reason: 'ledgers_unread', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, { Errors: 1 });
        return new Map<string, Set<string>>();
      });
      // One bound for the whole invocation: the records of several groups post side by side.
      const limit = createLimiter(context.settings.concurrency);
      const rounds = { left: ROUNDS_PER_INVOCATION };
      await Promise.all(
        [...groups.values()].map(async (records) => {
          const batch: BatchMemory = { heads, audiences: new Map(), ledgers, rounds };
          const parsed = records.map((record) => parsedOf.get(record)!);
          for (let n = 0; n < records.length; ) {
            const { run, records: filled } = runAt(records, parsed, n);
            const step = filled > 0 ? records.slice(n, n + filled) : [records[n]!];
            const ok =
              run.length > 0
                ? await guarded(step, () => planRun(context, { run, batch, limit }))
                : await guarded(step, () => handleRecord(context, { record: records[n]!, parsed: parsed[n]!, limit, batch }));
            n += step.length;
            // FIFO: after a failure the group's later records wait for the failed one.
            if (!ok) {
              failures.push(...records.slice(n - step.length).map((record) => record.messageId));
              break;
            }
          }
        }),
      );
      return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
    },
  };
}

