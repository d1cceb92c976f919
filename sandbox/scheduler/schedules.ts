import type { InvokeOutcome, LocalFunction } from '../lambda';
import { fieldReaders, type Json } from '../aws-json';
import { constraint, SchedulerError, validation } from './errors';
import { checkTimeZone, parseScheduleExpression, ScheduleExpressionError, type ScheduleExpression } from './expression';

/**
 * The EventBridge Scheduler emulator's model: schedule groups and schedules, validated as AWS does, and
 * the timers that run them. The HTTP protocol is in ./http.ts.
 */

export const SCHEDULER_REGION = 'us-east-1';
export const SCHEDULER_ACCOUNT_ID = '000000000000';
/** The group every account has, which needs no declaration. */
export const DEFAULT_SCHEDULE_GROUP = 'default';
/** A role ARN for sandbox schedules' targets: the emulator checks a RoleArn's shape, never the role. */
export const SANDBOX_SCHEDULER_ROLE_ARN = `arn:aws:iam::${SCHEDULER_ACCOUNT_ID}:role/sandbox-scheduler`;

const FUNCTION_ARN_PREFIX = `arn:aws:lambda:${SCHEDULER_REGION}:${SCHEDULER_ACCOUNT_ID}:function:`;
export const NAME = /^[0-9a-zA-Z-_.]+$/;
export const NAME_PATTERN_TEXT = '^[0-9a-zA-Z-_.]+$';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$/;
/** setTimeout's largest delay (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** What AWS reports as a target's retry policy when none is set. */
const DEFAULT_RETRY_POLICY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 };

/** `arn:aws:lambda:us-east-1:000000000000:function:<name>`: the ARN a schedule's target names a sandbox function by. */
export const sandboxFunctionArn = (name: string): string => FUNCTION_ARN_PREFIX + name;

/** `arn:aws:scheduler:us-east-1:000000000000:schedule/<group>/<name>` */
export const sandboxScheduleArn = (group: string, name: string): string =>
  `arn:aws:scheduler:${SCHEDULER_REGION}:${SCHEDULER_ACCOUNT_ID}:schedule/${group}/${name}`;

export const groupArn = (group: string): string => `arn:aws:scheduler:${SCHEDULER_REGION}:${SCHEDULER_ACCOUNT_ID}:schedule-group/${group}`;

// ---- schedules ----

export type ScheduleState = 'ENABLED' | 'DISABLED';
export type ActionAfterCompletion = 'NONE' | 'DELETE';

/**
 * Where a schedule is in the sandbox's life cycle (not an AWS field): `scheduled` waits for its time,
 * `running` has an invocation in flight, `done` ran and was kept (ActionAfterCompletion NONE, or a
 * rate schedule past its EndDate), `disabled` is State DISABLED, `unfired` is a cron schedule (the
 * sandbox accepts cron expressions but never runs them).
 */
export type ScheduleLifecycle = 'scheduled' | 'running' | 'done' | 'disabled' | 'unfired';

interface Target {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number };
  DeadLetterConfig?: { Arn?: string };
}

export interface Schedule {
  name: string;
  group: string;
  expression: string;
  parsed: ScheduleExpression;
  timezone?: string;
  startDate?: number;
  endDate?: number;
  description?: string;
  state: ScheduleState;
  kmsKeyArn?: string;
  target: Target;
  flexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  actionAfterCompletion: ActionAfterCompletion;
  clientToken?: string;
  createdAt: number;
  modifiedAt: number;
  // The sandbox's bookkeeping.
  /** A declared schedule's period in place of its rate's (tests); its next run is armed when a run ends. */
  periodMs?: number;
  lifecycle: ScheduleLifecycle;
  timer?: NodeJS.Timeout;
  nextFireAt?: number;
  firedAt?: number;
  runs: number;
  lastOutcome?: InvokeOutcome;
}

/** A schedule as `scheduler.schedules()` shows it. */
export interface ScheduleInfo {
  name: string;
  group: string;
  arn: string;
  expression: string;
  /** The AWS State. */
  enabled: boolean;
  /** The sandbox's life cycle (see ScheduleLifecycle). */
  state: ScheduleLifecycle;
  actionAfterCompletion: ActionAfterCompletion;
  targetArn: string;
  input?: string;
  /** Epoch ms of the next run; absent when none is due (done, disabled, cron). */
  nextFireAt?: number;
  /** Epoch ms of the last run. */
  firedAt?: number;
  runs: number;
  lastOutcome?: InvokeOutcome;
}

/** One run of a schedule, kept after the schedule itself is deleted. */
export interface ScheduleFiring {
  name: string;
  group: string;
  /** Epoch ms. */
  firedAt: number;
  /** The event the function got (`JSON.parse(Input)`, `{}` without Input); undefined when Input is not JSON. */
  event: unknown;
  /** Undefined while the invocation runs. */
  outcome?: InvokeOutcome;
}

export interface SchedulerCounters {
  /** CreateSchedule calls that created a schedule. */
  created: number;
  updated: number;
  /** DeleteSchedule calls that deleted a schedule. */
  deleted: number;
  /** One-time schedules deleted after running (ActionAfterCompletion DELETE). */
  autoDeleted: number;
  /** Runs started (each invokes the target once). */
  fired: number;
  /** Runs whose invocation failed: the function threw or timed out, or Input was not JSON. */
  failed: number;
}

/** The sandbox function a target ARN's `function:<name>` names; undefined when there is none. */
export type ResolveFunction = (name: string) => LocalFunction | undefined;

// ---- request parsing: the SDK sends well-typed JSON, other clients may not ----

const { optionalString, requiredString, optionalObject, optionalInteger, optionalTimestamp } = fieldReaders({
  wrongType: (member, _value, expected) => validation(`${member} must be ${expected}.`),
  missing: (member) => constraint(null, member, 'Member must not be null'),
  outOfRange: (member, value, bound, min, max) =>
    constraint(value, member, bound === 'min' ? `Member must have value greater than or equal to ${min}` : `Member must have value less than or equal to ${max}`),
});

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], member: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw constraint(value, member, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  return value as T;
}

export function checkName(value: string, member: string): void {
  if (value.length > 64) throw constraint(value, member, 'Member must have length less than or equal to 64');
  if (!NAME.test(value)) throw constraint(value, member, `Member must satisfy regular expression pattern: ${NAME_PATTERN_TEXT}`);
}

/** The schedule a Create or Update body describes, validated as AWS does (group existence and conflicts aside). */
export function parseDefinition(name: string, body: Json, resolveFunction: ResolveFunction) {
  checkName(name, 'name');
  const group = optionalString(body, 'GroupName', 'groupName') ?? DEFAULT_SCHEDULE_GROUP;
  checkName(group, 'groupName');

  const expression = requiredString(body, 'ScheduleExpression', 'scheduleExpression');
  if (expression.length > 256) throw constraint(expression, 'scheduleExpression', 'Member must have length less than or equal to 256');
  const timezone = optionalString(body, 'ScheduleExpressionTimezone', 'scheduleExpressionTimezone');
  let parsed: ScheduleExpression;
  try {
    if (timezone !== undefined) checkTimeZone(timezone);
    parsed = parseScheduleExpression(expression, timezone);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) throw validation(error.message);
    throw error;
  }

  const window = optionalObject(body, 'FlexibleTimeWindow', 'flexibleTimeWindow');
  if (!window) throw constraint(null, 'flexibleTimeWindow', 'Member must not be null');
  const mode = oneOf(requiredString(window, 'Mode', 'flexibleTimeWindow.mode'), ['OFF', 'FLEXIBLE'] as const, 'flexibleTimeWindow.mode')!;
  const maximumWindow = optionalInteger(window, 'MaximumWindowInMinutes', { min: 1, max: 1440, member: 'flexibleTimeWindow.maximumWindowInMinutes' });
  if (mode === 'FLEXIBLE' && maximumWindow === undefined) throw validation('MaximumWindowInMinutes is required when FlexibleTimeWindow Mode is FLEXIBLE.');

  const rawTarget = optionalObject(body, 'Target', 'target');
  if (!rawTarget) throw constraint(null, 'target', 'Member must not be null');
  const arn = requiredString(rawTarget, 'Arn', 'target.arn');
  const roleArn = requiredString(rawTarget, 'RoleArn', 'target.roleArn');
  if (!ROLE_ARN.test(roleArn)) throw validation(`Invalid RoleArn ${roleArn}: it must be an IAM role ARN (arn:aws:iam::<account>:role/<name>).`);
  if (!ARN.test(arn)) throw validation(`Invalid target ARN ${arn}.`);
  // AWS accepts any well-formed ARN and fails only when it invokes; the sandbox insists on one of its
  // functions now, so that a miswired target shows at once.
  const functionName = arn.startsWith(FUNCTION_ARN_PREFIX) ? arn.slice(FUNCTION_ARN_PREFIX.length) : undefined;
  if (functionName === undefined || !resolveFunction(functionName)) {
    throw validation(
      `Target.Arn ${arn} is not a function of the sandbox: the sandbox's scheduler only invokes its functions, as ${FUNCTION_ARN_PREFIX}<name> (unqualified).`,
    );
  }
  const input = optionalString(rawTarget, 'Input', 'target.input');
  if (input !== undefined && input.length === 0) throw constraint(input, 'target.input', 'Member must have length greater than or equal to 1');
  const retryPolicy = optionalObject(rawTarget, 'RetryPolicy', 'target.retryPolicy');
  const deadLetterConfig = optionalObject(rawTarget, 'DeadLetterConfig', 'target.deadLetterConfig');
  const target: Target = {
    Arn: arn,
    RoleArn: roleArn,
    ...(input !== undefined && { Input: input }),
    ...(retryPolicy && {
      RetryPolicy: {
        MaximumEventAgeInSeconds: optionalInteger(retryPolicy, 'MaximumEventAgeInSeconds', { min: 60, max: 86_400, member: 'target.retryPolicy.maximumEventAgeInSeconds' }),
        MaximumRetryAttempts: optionalInteger(retryPolicy, 'MaximumRetryAttempts', { min: 0, max: 185, member: 'target.retryPolicy.maximumRetryAttempts' }),
      },
    }),
    ...(deadLetterConfig && { DeadLetterConfig: { Arn: optionalString(deadLetterConfig, 'Arn', 'target.deadLetterConfig.arn') } }),
  };

  const description = optionalString(body, 'Description', 'description');
  if (description !== undefined && description.length > 512) throw constraint(description, 'description', 'Member must have length less than or equal to 512');
  const startDate = optionalTimestamp(body, 'StartDate', 'startDate');
  const endDate = optionalTimestamp(body, 'EndDate', 'endDate');
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) throw validation('The EndDate you specify must come after the StartDate.');
  const state = oneOf(optionalString(body, 'State', 'state'), ['ENABLED', 'DISABLED'] as const, 'state') ?? 'ENABLED';
  const actionAfterCompletion =
    oneOf(optionalString(body, 'ActionAfterCompletion', 'actionAfterCompletion'), ['NONE', 'DELETE'] as const, 'actionAfterCompletion') ?? 'NONE';

  return {
    name,
    group,
    expression,
    parsed,
    timezone,
    startDate,
    endDate,
    description,
    state,
    kmsKeyArn: optionalString(body, 'KmsKeyArn', 'kmsKeyArn'),
    target,
    flexibleTimeWindow: { Mode: mode, ...(maximumWindow !== undefined && { MaximumWindowInMinutes: maximumWindow }) },
    actionAfterCompletion,
    clientToken: optionalString(body, 'ClientToken', 'clientToken'),
  };
}

export const seconds = (ms: number): number => ms / 1000;

export function describeSchedule(s: Schedule): Json {
  return {
    Arn: sandboxScheduleArn(s.group, s.name),
    GroupName: s.group,
    Name: s.name,
    ScheduleExpression: s.expression,
    ScheduleExpressionTimezone: s.timezone ?? 'UTC',
    ...(s.startDate !== undefined && { StartDate: seconds(s.startDate) }),
    ...(s.endDate !== undefined && { EndDate: seconds(s.endDate) }),
    ...(s.description !== undefined && { Description: s.description }),
    State: s.state,
    CreationDate: seconds(s.createdAt),
    LastModificationDate: seconds(s.modifiedAt),
    ...(s.kmsKeyArn !== undefined && { KmsKeyArn: s.kmsKeyArn }),
    Target: { ...s.target, RetryPolicy: { ...DEFAULT_RETRY_POLICY, ...stripUndefined(s.target.RetryPolicy ?? {}) } },
    FlexibleTimeWindow: s.flexibleTimeWindow,
    ActionAfterCompletion: s.actionAfterCompletion,
  };
}

const stripUndefined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function info(s: Schedule): ScheduleInfo {
  return {
    name: s.name,
    group: s.group,
    arn: sandboxScheduleArn(s.group, s.name),
    expression: s.expression,
    enabled: s.state === 'ENABLED',
    state: s.lifecycle,
    actionAfterCompletion: s.actionAfterCompletion,
    targetArn: s.target.Arn,
    ...(s.target.Input !== undefined && { input: s.target.Input }),
    ...(s.nextFireAt !== undefined && { nextFireAt: s.nextFireAt }),
    ...(s.firedAt !== undefined && { firedAt: s.firedAt }),
    runs: s.runs,
    ...(s.lastOutcome && { lastOutcome: s.lastOutcome }),
  };
}

// ---- the emulator ----

export class Scheduler {
  readonly counters: SchedulerCounters = { created: 0, updated: 0, deleted: 0, autoDeleted: 0, fired: 0, failed: 0 };
  readonly firings: ScheduleFiring[] = [];
  /** `${group}/${name}` → schedule. */
  private readonly byKey = new Map<string, Schedule>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    readonly groups: readonly string[],
    private readonly resolveFunction: ResolveFunction,
    private readonly invokeTimeoutMs: number,
  ) {}

  private checkGroup(group: string): void {
    if (!this.groups.includes(group)) throw new SchedulerError('ResourceNotFoundException', `Schedule group ${group} does not exist.`);
  }

  /** The schedule, or ResourceNotFoundException (after the group's own check). */
  find(name: string, group: string): Schedule {
    checkName(name, 'name');
    checkName(group, 'groupName');
    this.checkGroup(group);
    const schedule = this.byKey.get(`${group}/${name}`);
    if (!schedule) throw new SchedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`);
    return schedule;
  }

  list(): Schedule[] {
    return [...this.byKey.values()].sort((a, b) => (a.group === b.group ? (a.name < b.name ? -1 : 1) : a.group < b.group ? -1 : 1));
  }

  create(name: string, body: Json): Json {
    const definition = parseDefinition(name, body, this.resolveFunction);
    this.checkGroup(definition.group);
    const existing = this.byKey.get(`${definition.group}/${name}`);
    if (existing) {
      // A retry of the same request (the SDK reuses its ClientToken) succeeds again; anything else conflicts.
      if (definition.clientToken !== undefined && existing.clientToken === definition.clientToken) return { ScheduleArn: sandboxScheduleArn(existing.group, name) };
      throw new SchedulerError('ConflictException', `Schedule ${name} already exists.`);
    }
    const now = Date.now();
    const schedule: Schedule = { ...definition, createdAt: now, modifiedAt: now, lifecycle: 'scheduled', runs: 0 };
    this.byKey.set(`${schedule.group}/${name}`, schedule);
    this.counters.created += 1;
    this.arm(schedule, now);
    return { ScheduleArn: sandboxScheduleArn(schedule.group, name) };
  }

  /**
   * A schedule the sandbox creates at start, as Terraform creates the stack's: CreateSchedule's body,
   * and optionally a period that replaces its rate's (runs then never overlap: the next is armed when
   * one ends).
   */
  declare(name: string, body: Json, periodMs?: number): void {
    this.create(name, body);
    if (periodMs === undefined) return;
    const schedule = this.find(name, (body.GroupName as string | undefined) ?? DEFAULT_SCHEDULE_GROUP);
    if (schedule.parsed.kind !== 'rate') throw new Error(`schedule ${name}: periodMs replaces a rate() expression's period, not ${schedule.expression}'s`);
    if (!Number.isInteger(periodMs) || periodMs < 1) throw new Error(`schedule ${name}: periodMs must be a positive integer, not ${periodMs}`);
    schedule.periodMs = periodMs;
    this.arm(schedule, schedule.createdAt);
  }

  /** UpdateSchedule replaces the whole definition, as AWS does (unset members go back to their defaults). */
  update(name: string, body: Json): Json {
    const definition = parseDefinition(name, body, this.resolveFunction);
    const schedule = this.find(name, definition.group);
    this.disarm(schedule);
    Object.assign(schedule, definition, { clientToken: schedule.clientToken, modifiedAt: Date.now(), lifecycle: 'scheduled' as const });
    this.counters.updated += 1;
    this.arm(schedule, Date.now());
    return { ScheduleArn: sandboxScheduleArn(schedule.group, name) };
  }

  delete(name: string, group: string): Json {
    const schedule = this.find(name, group);
    this.remove(schedule);
    this.counters.deleted += 1;
    return {};
  }

  private remove(schedule: Schedule): void {
    this.disarm(schedule);
    this.byKey.delete(`${schedule.group}/${schedule.name}`);
  }

  private disarm(schedule: Schedule): void {
    if (schedule.timer) clearTimeout(schedule.timer);
    schedule.timer = undefined;
    schedule.nextFireAt = undefined;
  }

  /** Sets the timer of the schedule's next run, if it has one. `from`: the earliest a rate run may come. */
  private arm(schedule: Schedule, from: number): void {
    this.disarm(schedule);
    if (this.stopped) return;
    if (schedule.state === 'DISABLED') {
      schedule.lifecycle = 'disabled';
      return;
    }
    const { parsed } = schedule;
    let at: number;
    if (parsed.kind === 'cron') {
      schedule.lifecycle = 'unfired';
      return;
    } else if (parsed.kind === 'at') {
      // In the past: due now (AWS runs it at once).
      at = parsed.at;
    } else {
      // The first run one period after creation, or at StartDate when that is later; none after EndDate.
      at = Math.max(from + (schedule.periodMs ?? parsed.everyMs), schedule.startDate ?? 0);
      if (schedule.endDate !== undefined && at > schedule.endDate) {
        this.complete(schedule);
        return;
      }
    }
    schedule.lifecycle = 'scheduled';
    schedule.nextFireAt = at;
    this.wake(schedule, at);
  }

  private wake(schedule: Schedule, at: number): void {
    const delay = Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS);
    schedule.timer = setTimeout(() => {
      schedule.timer = undefined;
      if (this.stopped) return;
      // Timers may wake a millisecond early, and long waits come in MAX_TIMER_MS steps.
      if (Date.now() < at) return this.wake(schedule, at);
      void this.fire(schedule);
    }, delay);
    schedule.timer.unref();
  }

  /** A one-time schedule that ran, or a rate schedule past its EndDate: deleted or kept as done. */
  private complete(schedule: Schedule): void {
    if (schedule.actionAfterCompletion === 'DELETE') {
      this.remove(schedule);
      this.counters.autoDeleted += 1;
    } else {
      this.disarm(schedule);
      schedule.lifecycle = 'done';
    }
  }

  /** Invokes the target once with the schedule's Input and records the outcome. */
  fire(schedule: Schedule): Promise<InvokeOutcome> {
    const firedAt = Date.now();
    this.disarm(schedule);
    schedule.firedAt = firedAt;
    schedule.runs += 1;
    this.counters.fired += 1;
    let event: unknown;
    let parseError: string | undefined;
    try {
      event = schedule.target.Input === undefined ? {} : JSON.parse(schedule.target.Input);
    } catch (error) {
      parseError = (error as Error).message;
    }
    const firing: ScheduleFiring = { name: schedule.name, group: schedule.group, firedAt, event };
    this.firings.push(firing);

    // The next state comes before the invocation ends: Scheduler invokes Lambda asynchronously, so a
    // one-time schedule with ActionAfterCompletion DELETE is gone while its function still runs.
    // A declared schedule with a period of its own (a test's short one) waits for the run to end.
    if (schedule.parsed.kind !== 'at' && schedule.periodMs === undefined) this.arm(schedule, firedAt);
    else if (schedule.actionAfterCompletion === 'DELETE') this.complete(schedule);
    else schedule.lifecycle = 'running';

    const fn = this.resolveFunction(schedule.target.Arn.slice(FUNCTION_ARN_PREFIX.length));
    const invocation: Promise<InvokeOutcome> =
      parseError !== undefined
        ? Promise.resolve({ status: 'error', errorType: 'InvalidRequestContentException', errorMessage: `Could not parse request body into json: ${parseError}` })
        : fn
          ? fn.invoke(event, this.invokeTimeoutMs)
          : Promise.resolve({ status: 'error', errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${schedule.target.Arn}` });
    const settled = invocation.then((outcome) => {
      firing.outcome = outcome;
      schedule.lastOutcome = outcome;
      if (outcome.status !== 'ok') this.counters.failed += 1;
      if (schedule.lifecycle === 'running') schedule.lifecycle = 'done';
      if (schedule.periodMs !== undefined && this.byKey.get(`${schedule.group}/${schedule.name}`) === schedule && !schedule.timer) this.arm(schedule, Date.now());
      return outcome;
    });
    const tracked = settled.then(() => undefined);
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return settled;
  }

  runNow(name: string, group: string): Promise<InvokeOutcome> {
    const schedule = this.byKey.get(`${group}/${name}`);
    if (!schedule) throw new Error(`no schedule ${group}/${name} in the sandbox's scheduler`);
    return this.fire(schedule);
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  stop(): void {
    this.stopped = true;
    for (const schedule of this.byKey.values()) this.disarm(schedule);
  }
}

