import type { Context } from 'aws-lambda';
import { readIntegerSetting, readStringSetting } from '../packages/contract/src/settings';
import { CONNECTION_MAX_SECONDS, SWEEP_PAGE_SIZE } from './sweeper.settings';
import { AUTH_EXPIRY_GRACE_SECONDS, MANAGEMENT_ENDPOINT, SESSION_GOAWAY_BEFORE_SECONDS, SESSION_RESUME_WINDOW_SECONDS } from './settings/shared';
import { createSessionStore } from './lib/sessions/session-store';
import { connectionStoreFor, createDocumentClient } from './lib/store/dynamo';
import { readCommonConfig } from './lib/config/init';
import { log } from './lib/log';
import { managementClient } from './lib/push/management-api';
import { createPusher } from './lib/push/pusher';
import { deadJob } from './lib/sweep/dead';
import { expireSession, type ExpireInput } from './lib/sweep/expire-session';
import { expiredJob } from './lib/sweep/expired';
import { goawayJob } from './lib/sweep/goaway';
import { overdueJob } from './lib/sweep/overdue';
import type { Budget, SweepJob, SweepResult } from './lib/sweep/sweep-pages';

const config = readCommonConfig();
/** Not triggered by API Gateway, so it cannot derive the endpoint from an event. */
const endpoint = readStringSetting(MANAGEMENT_ENDPOINT) as string;
const documents = createDocumentClient();
const store = connectionStoreFor(config, documents);
const sessions = createSessionStore({ client: documents, tableName: config.tableName });
/** API Gateway closes every connection at 2 h; `goaway` goes out this long before, so clients resume without a gap. */
const maxConnectionSeconds = readIntegerSetting(CONNECTION_MAX_SECONDS);
const goawayBeforeSeconds = readIntegerSetting(SESSION_GOAWAY_BEFORE_SECONDS);
const resumeWindowSeconds = readIntegerSetting(SESSION_RESUME_WINDOW_SECONDS);
/** Items per Query page; a sweep reads page after page of every shard while its time lasts. */
const pageSize = readIntegerSetting(SWEEP_PAGE_SIZE);
/** Time kept in reserve for the last item and the summary line (capped at a quarter of the run). */
const MARGIN_MS = 2_000;
/** How long past its token's `exp` a connection is left open (the message function's grace too). */
const authExpiryGraceSeconds = readIntegerSetting(AUTH_EXPIRY_GRACE_SECONDS);
// A connection found gone, past the cut or on a post, makes its session resumable; this sweeper purges it later.
const removal = { store, sessions: { store: sessions, resumeWindowSeconds } };
const pusher = createPusher({ client: managementClient(endpoint), ...removal });

const jobs: SweepJob[] = [
  goawayJob({ store, pusher, maxConnectionSeconds, goawayBeforeSeconds, pageSize }),
  deadJob({ removal, maxConnectionSeconds, pageSize }),
  expiredJob({ sessions, pageSize }),
  overdueJob({ store, pusher, authExpiryGraceSeconds, pageSize }),
];

export type { ExpireInput, SweepResult };

/**
 * Runs on the recurring schedule (EventBridge Scheduler, every minute by default): sends `goaway` to
 * connections within SESSION_GOAWAY_BEFORE_SECONDS of API Gateway's 2-hour cut, deletes connections
 * past the cut whose `$disconnect` never came (and repairs their users' connection counters), purges
 * inactive sessions past their resume window, closes two-phase connections that did not
 * authenticate by their deadline and connections whose token expired more than
 * AUTH_EXPIRY_GRACE_SECONDS ago without a refresh (`AUTH_EXPIRED` first). Finds each by Query, shard by shard and page
 * by page (SWEEP_PAGE_SIZE); never scans. One item's failure is logged (`sweep_failure`), counted
 * (`SweepFailures`) and tried again next run; the sweep goes on. When the run's time runs short it
 * stops and the next run, reading from the start, goes on where it stopped.
 * Also serves the one-time expiry schedules (`{"task":"expire","sessionId":…}`), which purge one
 * session on time unless it was resumed.
 */
export const handler = async (
  event?: Partial<ExpireInput> | { task?: string },
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<SweepResult> => {
  const result: SweepResult = { closed: 0, gone: 0, expired: 0, goaway: 0, dead: 0, failed: 0, repaired: 0, incomplete: false };
  if (event?.task === 'expire') return expireSession({ sessions }, event as Partial<ExpireInput>, result);
  const margin = context ? Math.min(MARGIN_MS, context.getRemainingTimeInMillis() / 4) : 0;
  const budget: Budget = () => !context || context.getRemainingTimeInMillis() > margin;
  // Every job runs, in order, each with what time is left; one that ran short leaves the sweep incomplete.
  let complete = true;
  for (const job of jobs) complete = (await job(result, budget)) && complete;
  result.incomplete = !complete;
  log({ event: 'sweep', ...result }, { Disconnects: result.closed });
  return result;
};
