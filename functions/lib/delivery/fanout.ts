import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { log } from '../log';
import type { BatchMemory, FanoutContext, FanoutDeps } from './context';
import { toDeadLetter } from './dead-letter';
import { createLimiter, deliver, type Limit } from './deliver';
import { plan } from './plan';
import { parseQueueRecord } from '../../../packages/contract/src/queue-message';
import { deliverReplay, join } from './replay';
import { resume } from './resume';

/** What `createFanout` needs: the context, where chance and time default to `Math.random` and timers. */

/** Handles one record; true when it is done with (delivered, or moved to the dead-letter queue). */
async function handleRecord(context: FanoutContext, { record, limit, batch }: { record: SQSRecord; limit: Limit; batch: BatchMemory }): Promise<boolean> {
  try {
    const parsed = parseQueueRecord(record.body);
    if (!parsed.ok) {
      await toDeadLetter(context, { record, reason: 'malformed', details: { problem: parsed.problem, body: record.body.slice(0, 200_000) } });
      log({ event: 'poison_message', level: 'warn', reason: 'malformed', problem: parsed.problem, queueMessageId: record.messageId }, { DeadLettered: 1 });
      return true;
    }
    const queued = parsed.record;
    if (queued.kind === 'publish') {
      await plan(context, { record, publish: queued, batch });
      return true;
    }
    if (queued.kind === 'join') {
      await join(context, { record, joinRecord: queued, batch });
      return true;
    }
    if (queued.kind === 'resume') return await resume(context, { record, resumeRecord: queued });
    if (queued.frames) return await deliverReplay(context, { record, deliverRecord: { ...queued, frames: queued.frames } });
    return await deliver(context, { record, deliverRecord: queued, limit });
  } catch (error) {
    log({ event: 'fanout_error', level: 'error', reason: 'record_failed', queueMessageId: record.messageId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, { Errors: 1 });
    return false;
  }
}

/**
 * The fan-out consumer: plans `publish` records (sequence number, log, audience → deliver records,
 * plan.ts), serves `deliver` records (posts with bounded concurrency, a ledger against redelivery,
 * deliver.ts), joins connections to channels with their replay (replay.ts) and answers resumes
 * (resume.ts); what cannot be done goes to the dead-letter queue (dead-letter.ts). Records of one
 * message group are handled in order and, after a failure, the rest of that group is reported failed
 * too (FIFO); groups run in parallel. Returns the partial batch response.
 *
 * @example
 * const fanout = createFanout({ documents, tableName, sqs, management, channels, forgetConnection, settings });
 * export const handler = (event: SQSEvent) => fanout.handle(event);
 */
export function createFanout(deps: FanoutDeps): { handle(event: SQSEvent): Promise<SQSBatchResponse> } {
  const context: FanoutContext = {
    ...deps,
    random: deps.random ?? Math.random,
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  };
  return {
    async handle(event) {
      const groups = new Map<string, SQSRecord[]>();
      for (const record of event.Records) {
        const group = record.attributes.MessageGroupId ?? record.messageId;
        groups.set(group, [...(groups.get(group) ?? []), record]);
      }
      const failures: string[] = [];
      // One bound for the whole invocation: the records of several groups post side by side.
      const limit = createLimiter(context.settings.concurrency);
      await Promise.all(
        [...groups.values()].map(async (records) => {
          const batch: BatchMemory = { heads: new Map(), audiences: new Map() };
          let failed = false;
          for (const record of records) {
            // FIFO: after a failure the group's later records wait for the failed one.
            if (failed || !(await handleRecord(context, { record, limit, batch }))) {
              failed = true;
              failures.push(record.messageId);
            }
          }
        }),
      );
      return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
    },
  };
}
