import { API_GATEWAY_LIMITS, Gateway, type Limits } from './gateway';
import { LocalFunction, type FunctionSource } from './lambda';
import type { ManagementFault } from './management';
import { startScheduler, type LocalScheduler } from './scheduler';
import { startSqs, type EventSourceMappingOptions, type SqsFault, type LocalQueue, type LocalSqs, type QueueDefinition, type SqsEventSourceMapping } from './sqs';

export { API_GATEWAY_LIMITS, type Limits } from './gateway';
export type { FunctionSource, LocalFunction } from './lambda';
export type { EventSourceMappingOptions, LocalQueue, QueueDefinition, SqsCall, SqsEventSourceMapping, SqsFault, SqsFaultKind } from './sqs';
export {
  atExpression,
  DEFAULT_SCHEDULE_GROUP,
  SANDBOX_SCHEDULER_ROLE_ARN,
  sandboxFunctionArn,
  sandboxScheduleArn,
  type LocalScheduler,
  type ScheduleFiring,
  type ScheduleInfo,
  type SchedulerCounters,
} from './scheduler';

/** A Lambda event source mapping: `queue` polled for `function` (names declared in the same sandbox). */
export type EventSourceMappingDefinition = { queue: string; function: string } & EventSourceMappingOptions;

export interface SandboxOptions {
  /** Default 3001; 0 picks a free port. */
  port?: number;
  host?: string;
  stage?: string;
  routeSelectionExpression?: string;
  /** Functions by name, each in its own worker with its own environment. */
  /**
   * Functions by name, each in its own worker with its own environment; `maxInstances` (default 1)
   * lets concurrent invocations scale out to more execution environments, as on Lambda.
   */
  functions: Record<string, { source: FunctionSource; env?: Record<string, string>; maxInstances?: number }>;
  /** The REQUEST authorizer on `$connect`, by function name. */
  authorizer?: { function: string; identitySources: string[] };
  /** Route key → function name (`$connect`, `$disconnect`, `$default`, custom keys). */
  routes: Record<string, { function: string; twoWay?: boolean }>;
  /** Environment given to every function. */
  env?: Record<string, string>;
  limits?: Partial<Limits>;
  injectFault?: ManagementFault;
  /**
   * Recurring schedules (EventBridge Scheduler): the function is invoked with `input` every `everyMs`,
   * never twice at once (a run that outlasts the period delays the next).
   */
  schedules?: Array<{ function: string; everyMs: number; input: unknown }>;
  /**
   * Schedule groups of the EventBridge Scheduler emulator (sandbox/scheduler/) besides `default`,
   * which always exists. The emulator always runs, on a port of its own, and every function gets
   * `AWS_ENDPOINT_URL_SCHEDULER` pointing at it; schedules created through it invoke sandbox functions
   * named by `arn:aws:lambda:us-east-1:000000000000:function:<name>` (`sandboxFunctionArn(name)`).
   */
  scheduleGroups?: string[];
  /** Port of the scheduler emulator. Default 0: a free port. */
  schedulerPort?: number;
  /**
   * SQS queues, served by an in-process emulator on a port of its own (see sandbox/sqs/). When there
   * are any, every function gets `AWS_ENDPOINT_URL_SQS` pointing at it.
   */
  queues?: QueueDefinition[];
  /** Queues polled for functions, as Lambda's event source mappings do. */
  eventSourceMappings?: EventSourceMappingDefinition[];
  /** Environment variable → queue name: every function gets the queue's URL under that name. */
  queueUrlEnv?: Record<string, string>;
  /** Port of the SQS emulator. Default 0: a free port. */
  sqsPort?: number;
  /**
   * Fails SQS calls made over HTTP (the functions' sends, a test's SDK client) on SQS's side: throttling,
   * 500s, failed batch entries (see `SqsFault`). The event source mappings poll the queues in-process,
   * as Lambda's pollers are AWS's own, and meet no fault. Tests only; default none.
   */
  injectSqsFault?: SqsFault;
  /** Each line a function writes to stdout/stderr. Default: dropped. */
  onLog?: (functionName: string, line: string) => void;
  onAccessLog?: (entry: Record<string, unknown>) => void;
}

export interface Sandbox {
  /** `ws://host:port/stage` */
  url: string;
  /** `http://host:port/stage`, the Management API endpoint for the SDK client. */
  managementEndpoint: string;
  port: number;
  gateway: Gateway;
  /** The running functions by name. */
  functions: ReadonlyMap<string, LocalFunction>;
  /** `http://host:port` of the SQS emulator, for the SDK's `endpoint`; empty when no queue is declared. */
  sqsEndpoint: string;
  /** The queues by name (each with `.url`, `.arn`, `.drained()`, `.stats()`, `.messages()`). */
  queues: ReadonlyMap<string, LocalQueue>;
  eventSourceMappings: readonly SqsEventSourceMapping[];
  /** `http://host:port` of the EventBridge Scheduler emulator, for the SDK's `endpoint`. */
  schedulerEndpoint: string;
  /** The scheduler emulator: `.schedules()`, `.firings()`, `.counters`, `.runNow()`, `.idle()`. */
  scheduler: LocalScheduler;
  stop(): Promise<void>;
}

/**
 * Starts a local WebSocket API serving the given functions. Each function sees, besides its own
 * environment, the variables Lambda sets and `MANAGEMENT_ENDPOINT` pointing back at this sandbox.
 *
 * @example
 * const sandbox = await startSandbox({ port: 0, functions: { echo: { source: { file: 'echo.js' } } }, routes: { $default: { function: 'echo' } } });
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const stage = options.stage ?? 'dev';
  // First, so a bad queue declaration fails before anything else listens.
  const sqs = options.queues?.length ? await startSqs({ queues: options.queues, host, port: options.sqsPort, injectFault: options.injectSqsFault }) : undefined;
  let sqsEnv: Record<string, string>;
  try {
    sqsEnv = sqsEnvironment(sqs, options.queueUrlEnv);
  } catch (error) {
    await sqs?.stop();
    throw error;
  }
  const gateway = new Gateway({
    stage,
    apiId: 'sandbox000',
    region: 'us-east-1',
    accountId: '000000000000',
    routeSelectionExpression: options.routeSelectionExpression ?? '$request.body.action',
    limits: { ...API_GATEWAY_LIMITS, ...options.limits },
    injectFault: options.injectFault,
    onAccessLog: options.onAccessLog,
  });
  const functions = new Map<string, LocalFunction>();
  // Schedules resolve their target when created and when they run, by then the map is filled.
  const scheduler = await startScheduler({
    groups: options.scheduleGroups,
    host,
    port: options.schedulerPort,
    resolveFunction: (name) => functions.get(name),
    invokeTimeoutMs: API_GATEWAY_LIMITS.integrationTimeoutMs,
  }).catch(async (error: unknown) => {
    await sqs?.stop();
    throw error;
  });
  const facts = await gateway.listen(options.port ?? 3001, host).catch(async (error: unknown) => {
    await scheduler.stop();
    await sqs?.stop();
    throw error;
  });
  const managementEndpoint = `http://${facts.domainName}/${stage}`;

  const onLog = options.onLog ?? (() => undefined);
  for (const [name, spec] of Object.entries(options.functions)) {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'sandbox',
      AWS_SECRET_ACCESS_KEY: 'sandbox',
      AWS_LAMBDA_FUNCTION_NAME: name,
      MANAGEMENT_ENDPOINT: managementEndpoint,
      ...sqsEnv,
      AWS_ENDPOINT_URL_SCHEDULER: scheduler.endpoint,
      // Lambda runs nodejs22.x; the sandbox runs on whatever Node the machine has (20+).
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...options.env,
      ...spec.env,
    };
    const fn = new LocalFunction(name, spec.source, env, onLog, spec.maxInstances);
    await fn.start();
    functions.set(name, fn);
  }
  const lookup = (name: string): LocalFunction => {
    const fn = functions.get(name);
    if (!fn) throw new Error(`no function named ${JSON.stringify(name)} in the sandbox`);
    return fn;
  };
  gateway.setIntegrations({
    authorizer: options.authorizer && { fn: lookup(options.authorizer.function), identitySources: options.authorizer.identitySources },
    routes: Object.fromEntries(Object.entries(options.routes).map(([key, route]) => [key, { fn: lookup(route.function), twoWay: route.twoWay }])),
  });

  try {
    for (const mapping of options.eventSourceMappings ?? []) {
      if (!sqs) throw new Error(`event source mapping of queue ${mapping.queue}: the sandbox declares no queues`);
      const { queue, function: fn, ...mappingOptions } = mapping;
      sqs.addEventSourceMapping(queue, lookup(fn), mappingOptions);
    }
  } catch (error) {
    await scheduler.stop();
    await sqs?.stop();
    await gateway.close();
    await Promise.all([...functions.values()].map((fn) => fn.stop()));
    throw error;
  }

  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  for (const schedule of options.schedules ?? []) {
    const fn = lookup(schedule.function);
    const run = async (): Promise<void> => {
      if (stopped) return;
      await fn.invoke(schedule.input, API_GATEWAY_LIMITS.integrationTimeoutMs);
      if (!stopped) timers.push(setTimeout(() => void run(), schedule.everyMs));
    };
    timers.push(setTimeout(() => void run(), schedule.everyMs));
  }

  return {
    url: `ws://${facts.domainName}/${stage}`,
    managementEndpoint,
    port: Number(facts.domainName.split(':').pop()),
    gateway,
    functions,
    sqsEndpoint: sqs?.endpoint ?? '',
    queues: sqs?.queues ?? new Map(),
    eventSourceMappings: sqs?.mappings ?? [],
    schedulerEndpoint: scheduler.endpoint,
    scheduler,
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await scheduler.stop();
      await sqs?.stop();
      await gateway.close();
      await Promise.all([...functions.values()].map((fn) => fn.stop()));
    },
  };
}

/** `AWS_ENDPOINT_URL_SQS` and the `queueUrlEnv` variables, for every function. */
function sqsEnvironment(sqs: LocalSqs | undefined, queueUrlEnv: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = sqs ? { AWS_ENDPOINT_URL_SQS: sqs.endpoint } : {};
  for (const [variable, queueName] of Object.entries(queueUrlEnv)) {
    if (!sqs) throw new Error(`queueUrlEnv.${variable}: the sandbox declares no queues`);
    env[variable] = sqs.queue(queueName).url;
  }
  return env;
}
