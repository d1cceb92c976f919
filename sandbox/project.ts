import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoFaultProxy, type DynamoFault, type DynamoFaultProxy } from './dynamo-faults';
import { startSandbox, type FunctionSource, type Limits, type Sandbox, type SandboxOptions } from './index';
import { ModelledLatency, startLatencyProxy, type ServiceLatency } from './latency';
import { SANDBOX_SCHEDULER_ROLE_ARN, sandboxFunctionArn } from './scheduler';
import { ensureTable } from './table';
import type { SettingManifest } from '../packages/contract/src/settings';

export const ROOT = path.resolve(__dirname, '..');
/** What the Terraform schedule sends the sweeper. */
export const SWEEPER_INPUT = { task: 'sweep' };
export const DIST = path.join(ROOT, 'dist');

/** The functions of the stack, each one zip in dist/. */
export const PROJECT_FUNCTIONS = ['authorizer', 'connect', 'disconnect', 'message', 'sweeper', 'fanout'] as const;
export type ProjectFunction = (typeof PROJECT_FUNCTIONS)[number];

/** The fan-out queue as the module declares it (FIFO, a FIFO dead-letter queue, five receives). */
export const FANOUT_QUEUE = 'websocket-sessions-fanout.fifo';
export const FANOUT_DLQ = 'websocket-sessions-fanout-dlq.fifo';
/** The module's schedule group (named after the stack). */
export const SCHEDULE_GROUP = 'websocket-sessions';
/** The module's recurring sweeper schedule in that group (`<name>-sweeper`), `rate(1 minute)` by default. */
export const SWEEPER_SCHEDULE = 'websocket-sessions-sweeper';

export interface ProjectSandboxOptions {
  dynamoEndpoint: string;
  tableName?: string;
  port?: number;
  stage?: string;
  /** Exact origins allowed to connect from a browser, or `*`. */
  allowedOrigins?: string[];
  allowMissingOrigin?: boolean;
  /** `anonymous` (default), `jwt` or `two-phase`. */
  authMode?: 'anonymous' | 'jwt' | 'two-phase';
  /**
   * The JWT_* settings, as the module's `jwt` variable sets them: the authorizer gets them in `jwt`
   * mode, the message function (the `auth` action) in `jwt` and `two-phase` modes.
   */
  jwt?: Record<string, string>;
  /** Extra environment per function, e.g. `{ message: { ACTION_PERMISSIONS: '{"broadcast":["admin"]}' } }`. */
  functionEnv?: Partial<Record<ProjectFunction, Record<string, string>>>;
  /** Two-phase: seconds a connection may wait before `auth` (default 30). */
  authDeadlineSeconds?: number;
  /** `jwt` and `two-phase`: seconds past its token's expiry before a connection is closed (default 30). */
  authExpiryGraceSeconds?: number;
  /** How often the sweeper's schedule runs it, in place of its `rate(1 minute)` (the Terraform default); runs never overlap. */
  sweepEveryMs?: number;
  connectionTtlSeconds?: number;
  /** The per-user connection cap, for connect and (two-phase `auth`) message, as the module wires it (default 10). */
  maxConnectionsPerUser?: number;
  /**
   * The fan-out queue: how long a received message stays invisible (the module derives 6 × the
   * consumer's timeout; the sandbox default is 10 s), receives before the dead-letter queue, and
   * SQS's at-least-once delivery made explicit (every message delivered twice).
   */
  fanout?: { visibilityTimeoutMs?: number; maxReceiveCount?: number; duplicateDelivery?: boolean; batchSize?: number; maximumConcurrency?: number };
  /** Resumable sessions: the resume window (120 s by default) and whether a resume needs the token (`token`, default) or the user id alone (`id`). */
  session?: { resumeWindowSeconds?: number; resume?: 'token' | 'id'; goawayBeforeSeconds?: number };
  /** API Gateway's maximum connection duration (2 h); shorter in tests, for the gateway and the sweeper's `goaway` (10 s at least, the sweeper's bound). */
  maxConnectionSeconds?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  limits?: Partial<Limits>;
  /**
   * A modelled network round trip per AWS service, in ms (`{ dynamodb: 5, sqs: 10, scheduler: 10,
   * management: 10, lambda: 15 }`; 0, the default, adds nothing). Given at all, a proxy stands in front
   * of DynamoDB Local that waits `dynamodb` before forwarding each request (`sandbox.latency.set()`
   * changes the round trips later). `npm start` reads it from SANDBOX_LATENCY_MS.
   */
  latency?: ServiceLatency;
  distDir?: string;
  /** Run another implementation of a function (tests wrap the real one to inject a crash). */
  functionSource?: Partial<Record<ProjectFunction, FunctionSource>>;
  /**
   * Custom routes backed by functions of your own, as the module's `custom_routes` adds them: route key
   * → a function named by the route key, with the environment every function gets (TABLE_NAME, …) plus
   * `env`, invoked for messages whose `action` is the route key.
   */
  extraRoutes?: Record<string, { source: FunctionSource; env?: Record<string, string> }>;
  /**
   * An HTTP API of your own functions beside the stack (`Sandbox.httpApi`): each function, with the
   * environment every function gets plus `env`, behind its route keys (`POST /auth/login`).
   */
  httpFunctions?: Record<string, { source: FunctionSource; env?: Record<string, string>; routeKeys: string[] }>;
  injectFault?: SandboxOptions['injectFault'];
  /** Fails the functions' SQS sends on SQS's side (see `SqsFault`). Tests only; default none. */
  injectSqsFault?: SandboxOptions['injectSqsFault'];
  /**
   * Puts a fault proxy (sandbox/dynamo-faults.ts) between the functions and DynamoDB Local that fails
   * the calls this picks: throttling, a cancelled transaction, a 500, a timeout or a dropped socket.
   * Tests only; without it the functions reach DynamoDB Local directly.
   */
  injectDynamoFault?: DynamoFault;
  /** How long an injected DynamoDB `timeout` holds a request before dropping the socket (default 5000 ms). */
  dynamoFaultHoldMs?: number;
  /**
   * Values of the module's inputs by setting name (e.g. `{ SESSION_HEARTBEAT_SECONDS: '30' }`), over the
   * options above: each reaches exactly the functions whose manifest says Terraform passes it, as a
   * module variable would (npm start takes them from the environment).
   */
  settings?: Record<string, string>;
  onLog?: SandboxOptions['onLog'];
  onAccessLog?: SandboxOptions['onAccessLog'];
}

/**
 * A function's environment as the Terraform module builds it: of `values` (the sandbox's counterpart of
 * the module's inputs, by setting name; undefined: not configured, the function's default applies),
 * exactly the settings the function's manifest entry (dist/manifest.json `settings`, from its
 * `<name>.settings.ts`) declares as passed by Terraform in `authMode`.
 */
export function functionEnvironment(settings: readonly SettingManifest[], authMode: string, values: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const setting of settings) {
    if (!setting.terraform || (setting.modes !== null && !setting.modes.includes(authMode as never))) continue;
    const value = values[setting.name];
    if (value !== undefined) env[setting.name] = value;
  }
  return env;
}

/**
 * The project's stack in the sandbox: the built zips from dist/, wired with the routes, identity source
 * and environment variables the Terraform module gives them, on a table created from the module's schema.
 */
export async function startProjectSandbox(
  options: ProjectSandboxOptions,
): Promise<Sandbox & { tableName: string; env: Record<string, string>; dynamoFaultProxy?: DynamoFaultProxy }> {
  const distDir = options.distDir ?? DIST;
  for (const name of PROJECT_FUNCTIONS) {
    if (!existsSync(path.join(distDir, `${name}.zip`))) throw new Error(`${name}.zip is missing in ${distDir}: run npm run build`);
  }
  const extraRoutes = Object.entries(options.extraRoutes ?? {});
  for (const [key] of extraRoutes) {
    if (!/^[A-Za-z][A-Za-z0-9._-]{0,63}$/.test(key) || (PROJECT_FUNCTIONS as readonly string[]).includes(key)) {
      throw new Error(`extraRoutes: ${JSON.stringify(key)} must match ^[A-Za-z][A-Za-z0-9._-]{0,63}$ and not be a function of the stack`);
    }
  }
  const manifest = JSON.parse(readFileSync(path.join(distDir, 'manifest.json'), 'utf8')) as Record<ProjectFunction, { settings: SettingManifest[] }>;
  // The gateway would honour any cut, but a sweeper given one outside its setting's bounds never starts
  // (no goaway, no sweep): refuse it here, by the bounds the sweeper declares.
  const cut = manifest.sweeper.settings.find((setting) => setting.name === 'CONNECTION_MAX_SECONDS');
  if (options.maxConnectionSeconds !== undefined && cut && !(Number.isInteger(options.maxConnectionSeconds) && options.maxConnectionSeconds >= (cut.min ?? 0) && options.maxConnectionSeconds <= (cut.max ?? Infinity))) {
    throw new Error(`maxConnectionSeconds must be a whole number from ${cut.min} to ${cut.max} (the sweeper's CONNECTION_MAX_SECONDS), not ${options.maxConnectionSeconds}`);
  }
  const latency = new ModelledLatency(options.latency);
  const tableName = options.tableName ?? 'websocket-sessions';
  const dynamo = new DynamoDBClient({ endpoint: options.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
  try {
    await ensureTable(dynamo, tableName);
  } finally {
    dynamo.destroy();
  }
  // DynamoDB's round trip, modelled only when asked for; faults, only when a test asks for them: the
  // functions reach the fault proxy, which reaches the latency proxy, which reaches DynamoDB Local.
  const delayed = options.latency ? await startLatencyProxy(options.dynamoEndpoint, () => latency.hold('dynamodb')) : undefined;
  let proxy: DynamoFaultProxy | undefined;
  try {
    proxy = options.injectDynamoFault
      ? await startDynamoFaultProxy({ target: delayed?.endpoint ?? options.dynamoEndpoint, injectFault: options.injectDynamoFault, holdMs: options.dynamoFaultHoldMs })
      : undefined;
  } catch (error) {
    await delayed?.stop();
    throw error;
  }
  // Every function's (and every custom route's) environment: the table and where DynamoDB is. The
  // sandbox itself adds MANAGEMENT_ENDPOINT and the queues' URLs (sandbox/index.ts).
  const env: Record<string, string> = {
    TABLE_NAME: tableName,
    LOG_LEVEL: options.logLevel ?? 'info',
    METRICS_NAMESPACE: 'WebSocketSessions',
    AWS_ENDPOINT_URL_DYNAMODB: proxy?.endpoint ?? delayed?.endpoint ?? options.dynamoEndpoint,
  };
  const authMode = options.authMode ?? 'anonymous';
  const text = (value: number | boolean | undefined): string | undefined => (value === undefined ? undefined : String(value));
  // The sandbox's counterpart of the module's inputs, by setting; each function gets the ones its
  // manifest declares as passed by Terraform (functionEnvironment), as the module gives them.
  const values: Record<string, string | undefined> = {
    ...env,
    ...(authMode === 'anonymous' ? {} : options.jwt),
    AUTH_MODE: authMode,
    ALLOWED_ORIGINS: (options.allowedOrigins ?? []).join(','),
    ALLOW_MISSING_ORIGIN: String(options.allowMissingOrigin ?? true),
    AUTH_DEADLINE_SECONDS: text(options.authDeadlineSeconds),
    AUTH_EXPIRY_GRACE_SECONDS: text(options.authExpiryGraceSeconds),
    CONNECTION_TTL_SECONDS: String(options.connectionTtlSeconds ?? 7800),
    MAX_CONNECTIONS_PER_USER: text(options.maxConnectionsPerUser),
    ACTION_PERMISSIONS: JSON.stringify({ broadcast: ['admin'] }),
    SESSION_RESUME_WINDOW_SECONDS: String(options.session?.resumeWindowSeconds ?? 120),
    SESSION_GOAWAY_BEFORE_SECONDS: text(options.session?.goawayBeforeSeconds),
    SESSION_RESUME: options.session?.resume ?? 'token',
    // Punctual expiry: one-time schedules in the stack's group, targeting the sweeper, as the module wires them.
    SESSION_SCHEDULE_GROUP: SCHEDULE_GROUP,
    SESSION_SCHEDULER_ROLE_ARN: SANDBOX_SCHEDULER_ROLE_ARN,
    SESSION_EXPIRY_TARGET_ARN: sandboxFunctionArn('sweeper'),
    ...options.settings,
  };
  // Settings no Terraform input feeds, that only the sandbox sets: the resume-token key itself, random
  // per sandbox (the module keeps one in an SSM SecureString), and API Gateway's cut, shorter in tests.
  const sandboxOnly: Partial<Record<ProjectFunction, Record<string, string>>> = {
    message: { SESSION_KEY: randomBytes(32).toString('base64url') },
    sweeper: options.maxConnectionSeconds === undefined ? {} : { CONNECTION_MAX_SECONDS: String(options.maxConnectionSeconds) },
  };
  const environment = (name: ProjectFunction): Record<string, string> => ({
    ...functionEnvironment(manifest[name].settings, authMode, values),
    ...sandboxOnly[name],
    ...options.functionEnv?.[name],
  });
  const zip = (name: ProjectFunction): FunctionSource => options.functionSource?.[name] ?? { zip: path.join(distDir, `${name}.zip`) };
  const sandbox = await startSandbox({
    port: options.port,
    stage: options.stage,
    env,
    functions: {
      authorizer: { source: zip('authorizer'), env: environment('authorizer') },
      connect: { source: zip('connect'), env: environment('connect') },
      disconnect: { source: zip('disconnect'), env: environment('disconnect') },
      message: { source: zip('message'), env: environment('message') },
      sweeper: { source: zip('sweeper'), env: environment('sweeper') },
      fanout: { source: zip('fanout'), env: environment('fanout'), maxInstances: options.fanout?.maximumConcurrency ?? 4 },
      ...Object.fromEntries(extraRoutes.map(([key, route]) => [key, { source: route.source, env: { ...route.env } }])),
      ...Object.fromEntries(Object.entries(options.httpFunctions ?? {}).map(([name, spec]) => [name, { source: spec.source, env: { ...spec.env } }])),
    },
    httpRoutes: options.httpFunctions && Object.fromEntries(Object.entries(options.httpFunctions).flatMap(([name, spec]) => spec.routeKeys.map((key) => [key, name]))),
    queues: [
      { name: FANOUT_DLQ, fifo: true },
      {
        name: FANOUT_QUEUE,
        fifo: true,
        visibilityTimeoutMs: options.fanout?.visibilityTimeoutMs ?? 10_000,
        maxReceiveCount: options.fanout?.maxReceiveCount ?? 5,
        deadLetterQueue: FANOUT_DLQ,
        duplicateDelivery: options.fanout?.duplicateDelivery,
      },
    ],
    eventSourceMappings: [
      { queue: FANOUT_QUEUE, function: 'fanout', batchSize: options.fanout?.batchSize ?? 10, maximumConcurrency: options.fanout?.maximumConcurrency ?? 4 },
    ],
    queueUrlEnv: { FANOUT_QUEUE_URL: FANOUT_QUEUE, FANOUT_DLQ_URL: FANOUT_DLQ },
    authorizer: { function: 'authorizer', identitySources: ['route.request.header.Sec-WebSocket-Protocol'] },
    routes: {
      $connect: { function: 'connect' },
      $disconnect: { function: 'disconnect' },
      $default: { function: 'message' },
      ...Object.fromEntries(extraRoutes.map(([key]) => [key, { function: key }])),
    },
    // The recurring sweeper schedule the module creates (modules/scheduler), run by the Scheduler emulator.
    schedules: [{ name: SWEEPER_SCHEDULE, group: SCHEDULE_GROUP, expression: 'rate(1 minute)', function: 'sweeper', input: SWEEPER_INPUT, periodMs: options.sweepEveryMs }],
    scheduleGroups: [SCHEDULE_GROUP],
    limits: { ...(options.maxConnectionSeconds === undefined ? {} : { maxConnectionMs: options.maxConnectionSeconds * 1000 }), ...options.limits },
    latency,
    injectFault: options.injectFault,
    injectSqsFault: options.injectSqsFault,
    // Stopped last, the fault proxy before the latency proxy it reaches.
    owns: [delayed, proxy].filter((part) => part !== undefined),
    onLog: options.onLog,
    onAccessLog: options.onAccessLog,
  });
  return { ...sandbox, tableName, env, ...(proxy && { dynamoFaultProxy: proxy }) };
}
