import { API_GATEWAY_LIMITS, Gateway, type Limits } from './gateway';
import { createHttpApi, type HttpApi } from './http-api';
import { LocalFunction, type FunctionSource } from './lambda';
import { ModelledLatency, type ServiceLatency } from './latency';
import type { ManagementFault } from './management';
import { startScheduler, type DeclaredSchedule, type LocalScheduler } from './scheduler';
import { Teardown } from './teardown';
import { startSqs, type EventSourceMappingOptions, type SqsFault, type LocalQueue, type LocalSqs, type QueueDefinition, type SqsEventSourceMapping } from './sqs';

export { API_GATEWAY_LIMITS, type Limits } from './gateway';
export type { FunctionSource, LocalFunction } from './lambda';
export { LATENCY_SERVICES, ModelledLatency, type LatencyService, type ServiceLatency } from './latency';
export type { EventSourceMappingOptions, LocalQueue, QueueDefinition, SqsCall, SqsEventSourceMapping, SqsFault, SqsFaultKind } from './sqs';
export {
  atExpression,
  DEFAULT_SCHEDULE_GROUP,
  SANDBOX_SCHEDULER_ROLE_ARN,
  sandboxFunctionArn,
  sandboxScheduleArn,
  type DeclaredSchedule,
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
  /**
   * An HTTP API beside the WebSocket API (sandbox/http-api.ts): route key (`POST /auth/login`) →
   * function name, served by `Sandbox.httpApi` from the server of your page (one origin for both).
   */
  httpRoutes?: Record<string, string>;
  /** Environment given to every function. */
  env?: Record<string, string>;
  limits?: Partial<Limits>;
  /**
   * A modelled network round trip per emulated service, in ms (`{ sqs: 10, lambda: 15, … }`, 0 by
   * default): SQS and Scheduler calls over HTTP, Management API calls and every Lambda invocation wait
   * it before they are served. DynamoDB Local is not the sandbox's: `startProjectSandbox()` puts a proxy
   * in front of it for `dynamodb`, and hands its model over here.
   */
  latency?: ServiceLatency | ModelledLatency;
  injectFault?: ManagementFault;
  /**
   * Recurring schedules, created in the EventBridge Scheduler emulator once the functions run, as the
   * stack's Terraform creates them (`aws_scheduler_schedule`): the emulator invokes the function with
   * `input` on the schedule's `rate()`, or every `periodMs` in tests (then never two runs at once).
   */
  schedules?: DeclaredSchedule[];
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
  /**
   * Parts started for this sandbox before it (the DynamoDB latency and fault proxies): `stop()` stops them last,
   * and so does a failed start.
   */
  owns?: Array<{ stop(): Promise<void> }>;
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
  /** The HTTP API of `httpRoutes`, to serve from a page's server; undefined without routes. */
  httpApi?: HttpApi;
  /** `http://host:port` of the SQS emulator, for the SDK's `endpoint`; empty when no queue is declared. */
  sqsEndpoint: string;
  /** The queues by name (each with `.url`, `.arn`, `.drained()`, `.stats()`, `.messages()`). */
  queues: ReadonlyMap<string, LocalQueue>;
  eventSourceMappings: readonly SqsEventSourceMapping[];
  /** `http://host:port` of the EventBridge Scheduler emulator, for the SDK's `endpoint`. */
  schedulerEndpoint: string;
  /** The scheduler emulator: `.schedules()`, `.firings()`, `.counters`, `.runNow()`, `.idle()`. */
  scheduler: LocalScheduler;
  /** The modelled round trips: calls by service (`.calls`), calls waiting now (`.held()`), `.set()`, `.release()`. */
  latency: ModelledLatency;
  /**
   * Stops everything the sandbox started, in reverse order, once (later calls get the same promise):
   * the scheduler's runs and the event source mappings, then the gateway (closing connections with
   * 1001 and running `$disconnect`, whose calls to the emulated SQS and Scheduler still land), then the
   * functions, then the emulators' endpoints, then `owns`.
   */
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
  const teardown = new Teardown();
  for (const part of options.owns ?? []) teardown.add(() => part.stop());
  try {
    return await start(options, host, stage, teardown);
  } catch (error) {
    await teardown.run().catch(() => undefined);
    throw error;
  }
}

async function start(options: SandboxOptions, host: string, stage: string, teardown: Teardown): Promise<Sandbox> {
  const latency = options.latency instanceof ModelledLatency ? options.latency : new ModelledLatency(options.latency);
  // First, so a bad queue declaration fails before anything else listens.
  const sqs = options.queues?.length
    ? await startSqs({ queues: options.queues, host, port: options.sqsPort, injectFault: options.injectSqsFault, hold: () => latency.hold('sqs') })
    : undefined;
  const stopSqs = () => sqs?.stop();
  teardown.add(stopSqs);
  const sqsEnv = sqsEnvironment(sqs, options.queueUrlEnv);
  const gateway = new Gateway({
    stage,
    apiId: 'sandbox000',
    region: 'us-east-1',
    accountId: '000000000000',
    routeSelectionExpression: options.routeSelectionExpression ?? '$request.body.action',
    limits: { ...API_GATEWAY_LIMITS, ...options.limits },
    injectFault: options.injectFault,
    holdManagement: () => latency.hold('management'),
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
    hold: () => latency.hold('scheduler'),
  });
  const stopScheduler = () => scheduler.stop();
  teardown.add(stopScheduler);
  const facts = await gateway.listen(options.port ?? 3001, host);
  const closeGateway = () => gateway.close();
  teardown.add(closeGateway);
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
    const fn = new LocalFunction(name, spec.source, env, onLog, spec.maxInstances, () => latency.hold('lambda'));
    teardown.add(() => fn.stop());
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
  // The emulators listen before the functions start (the functions need their endpoints) and close
  // after them, so a `$disconnect` run by the gateway's close still reaches their APIs; they invoke
  // functions once wired, and stop invoking first (quiesce, added last, runs first).
  teardown.add(closeGateway);
  for (const mapping of options.eventSourceMappings ?? []) {
    if (!sqs) throw new Error(`event source mapping of queue ${mapping.queue}: the sandbox declares no queues`);
    const { queue, function: fn, ...mappingOptions } = mapping;
    sqs.addEventSourceMapping(queue, lookup(fn), mappingOptions);
  }
  teardown.add(() => sqs?.quiesce());
  for (const schedule of options.schedules ?? []) {
    lookup(schedule.function);
    scheduler.declare(schedule);
  }
  teardown.add(() => scheduler.quiesce());
  // Runs first: a stop never waits out a modelled round trip (calls held now, or made while stopping).
  teardown.add(async () => {
    latency.set({ dynamodb: 0, sqs: 0, scheduler: 0, management: 0, lambda: 0 });
    latency.release();
  });

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
    ...(options.httpRoutes && {
      httpApi: createHttpApi({
        routes: Object.fromEntries(Object.entries(options.httpRoutes).map(([key, name]) => [key, lookup(name)])),
        onAccessLog: options.onAccessLog,
      }),
    }),
    latency,
    stop: () => teardown.run(),
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
