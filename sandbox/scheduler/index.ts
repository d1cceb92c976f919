import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InvokeOutcome } from '../lambda';
import { heldListener } from '../latency';
import { schedulerRequestListener } from './http';
import { DEFAULT_SCHEDULE_GROUP, info, NAME, NAME_PATTERN_TEXT, SANDBOX_SCHEDULER_ROLE_ARN, sandboxFunctionArn, Scheduler, type ResolveFunction, type ScheduleFiring, type ScheduleInfo, type SchedulerCounters } from './schedules';

export { SchedulerError, type SchedulerErrorName } from './errors';
export { atExpression, parseScheduleExpression, ScheduleExpressionError, type ScheduleExpression } from './expression';
export {
  DEFAULT_SCHEDULE_GROUP,
  SANDBOX_SCHEDULER_ROLE_ARN,
  SCHEDULER_ACCOUNT_ID,
  SCHEDULER_REGION,
  sandboxFunctionArn,
  sandboxScheduleArn,
  type ActionAfterCompletion,
  type ResolveFunction,
  type ScheduleFiring,
  type ScheduleInfo,
  type ScheduleLifecycle,
  type SchedulerCounters,
  type ScheduleState,
} from './schedules';

export interface SchedulerOptions {
  /** Schedule groups besides `default` (which always exists), as Terraform's `aws_scheduler_schedule_group` declares them. */
  groups?: string[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The sandbox function a target ARN's `function:<name>` names; undefined when there is none. */
  resolveFunction: ResolveFunction;
  /** How long an invocation may run before it counts as timed out. Default 30 000. */
  invokeTimeoutMs?: number;
  /** The Scheduler API's modelled round trip, waited before each HTTP call is served (sandbox/latency.ts). Default: none. */
  hold?: () => Promise<void>;
}

/**
 * A recurring schedule the sandbox creates when it starts, as the stack's Terraform creates its
 * `aws_scheduler_schedule`s: `name` in `group` (default `default`), running `expression` with the
 * flexible time window off, invoking the sandbox function `function` with `input` (as the target's
 * JSON Input) under `SANDBOX_SCHEDULER_ROLE_ARN`.
 */
export interface DeclaredSchedule {
  name: string;
  group?: string;
  /** `rate(…)` (or `cron(…)`, which the emulator stores and never runs). */
  expression: string;
  function: string;
  input: unknown;
  /**
   * Replaces a `rate()`'s period, for tests (AWS's shortest is a minute); the next run is then armed
   * when a run ends, so runs never overlap.
   */
  periodMs?: number;
}

/** A running EventBridge Scheduler emulator: its schedules, its counters and the HTTP endpoint serving them. */
export interface LocalScheduler {
  /** `http://host:port`, for `new SchedulerClient({ endpoint })` and `AWS_ENDPOINT_URL_SCHEDULER`. */
  endpoint: string;
  /** The schedule groups, `default` first. */
  groups: readonly string[];
  /** Every schedule, sorted by group then name. */
  schedules(): ScheduleInfo[];
  schedule(name: string, group?: string): ScheduleInfo | undefined;
  /** Every run so far, oldest first, including those of schedules deleted since. */
  firings(): readonly ScheduleFiring[];
  readonly counters: Readonly<SchedulerCounters>;
  /** Creates a schedule the way the stack's Terraform does at deploy time; a bad one throws (SchedulerError). */
  declare(schedule: DeclaredSchedule): void;
  /** Runs a schedule now as if its time had come (then deletes it, or keeps it done, like a timed run). */
  runNow(name: string, group?: string): Promise<InvokeOutcome>;
  /** Resolves once no run has its invocation in flight. */
  idle(): Promise<void>;
  /**
   * Runs no schedule from now on (every timer cleared, none armed again) while the API keeps
   * answering, so functions still running (a `$disconnect` creating its expiry schedule) finish.
   */
  quiesce(): void;
  /** Clears every timer and closes the server; runs in flight still settle. */
  stop(): Promise<void>;
}

/**
 * Starts an in-process EventBridge Scheduler speaking the REST-JSON protocol of
 * `@aws-sdk/client-scheduler` v3 on its own HTTP server. One-time `at()` schedules invoke their target
 * function at their time, `rate()` ones every period; `cron()` schedules are accepted and never run.
 *
 * @example
 * const scheduler = await startScheduler({ groups: ['websocket-sessions'], resolveFunction: (name) => functions.get(name) });
 * const client = new SchedulerClient({ endpoint: scheduler.endpoint, region: 'us-east-1', credentials });
 */
export async function startScheduler(options: SchedulerOptions): Promise<LocalScheduler> {
  const groups = [DEFAULT_SCHEDULE_GROUP];
  for (const group of options.groups ?? []) {
    if (!NAME.test(group) || group.length > 64) throw new Error(`schedule group ${JSON.stringify(group)}: a name is 1-64 characters of ${NAME_PATTERN_TEXT}`);
    if (groups.includes(group)) throw new Error(`schedule group ${group} is declared twice (or is the implicit default group)`);
    groups.push(group);
  }
  const scheduler = new Scheduler(groups, options.resolveFunction, options.invokeTimeoutMs ?? 30_000);
  const startedAt = Date.now();
  const host = options.host ?? '127.0.0.1';
  const listener = schedulerRequestListener(scheduler, startedAt);
  const server = createServer(options.hold ? heldListener(listener, options.hold) : listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  return {
    endpoint: `http://${host}:${(server.address() as AddressInfo).port}`,
    groups,
    schedules: () => scheduler.list().map(info),
    schedule(name, group = DEFAULT_SCHEDULE_GROUP) {
      const found = scheduler.list().find((s) => s.name === name && s.group === group);
      return found && info(found);
    },
    declare({ name, group, expression, function: fn, input, periodMs }) {
      const body = {
        ...(group !== undefined && { GroupName: group }),
        ScheduleExpression: expression,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: sandboxFunctionArn(fn), RoleArn: SANDBOX_SCHEDULER_ROLE_ARN, Input: JSON.stringify(input) },
      };
      scheduler.declare(name, body, periodMs);
    },
    firings: () => scheduler.firings,
    counters: scheduler.counters,
    runNow: (name, group = DEFAULT_SCHEDULE_GROUP) => scheduler.runNow(name, group),
    idle: () => scheduler.idle(),
    quiesce() {
      scheduler.stop();
    },
    async stop() {
      scheduler.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
