import { log } from '../log';
import type { Page } from '../store/connection-store';

export interface SweepResult {
  /** Connections closed for not authenticating in time (two-phase) or for a token past its expiry and grace. */
  closed: number;
  /** Ones that were already gone (410); their items were deleted. */
  gone: number;
  /** Inactive sessions past their resume window, purged. */
  expired: number;
  /** Connections near API Gateway's 2-hour cut told to reconnect (`goaway`). */
  goaway: number;
  /** Connections past the cut whose `$disconnect` never came: deleted, their sessions made resumable. */
  dead: number;
  /** Items whose handling failed (logged one by one); the next run tries them again. */
  failed: number;
  /** Users' connection counters lowered to the connections they still count. */
  repaired: number;
  /** The run's time ran out before every shard was read to its end; the next run goes on. */
  incomplete: boolean;
}

/** Whether there is time left to start on one more item. */
export type Budget = () => boolean;

/** One job of a sweep: counts into `result`; false when the budget ran out before it read everything. */
export type SweepJob = (result: SweepResult, budget: Budget) => Promise<boolean>;

/**
 * Visits every item of every page of `list` while the budget lasts; one item's failure is logged,
 * counted and skipped, never the end of the sweep. Returns false when the budget ran out first.
 * @example
 * const complete = await sweepPages({ job: 'dead', result, budget }, (cursor) => store.listDead(0, before, { limit: 100, cursor }), visit, (id) => id);
 */
export async function sweepPages<T>(
  { job, result, budget }: { job: string; result: SweepResult; budget: Budget },
  list: (cursor: string | undefined) => Promise<Page<T>>,
  visit: (item: T) => Promise<void>,
  idOf: (item: T) => string,
): Promise<boolean> {
  let cursor: string | undefined;
  do {
    if (!budget()) return false;
    const page = await list(cursor);
    for (const item of page.items) {
      if (!budget()) return false;
      try {
        await visit(item);
      } catch (error) {
        result.failed += 1;
        const detail = error instanceof Error ? { errorName: error.name, errorMessage: error.message, cause: (error.cause as Error | undefined)?.name } : { errorMessage: String(error) };
        log({ event: 'sweep_failure', level: 'error', reason: job, id: idOf(item), ...detail }, { SweepFailures: 1 });
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return true;
}
