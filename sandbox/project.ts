import { existsSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startSandbox, type Limits, type Sandbox, type SandboxOptions } from './index';
import { ensureTable } from './table';

export const ROOT = path.resolve(__dirname, '..');
/** What the Terraform schedule sends the sweeper. */
export const SWEEPER_INPUT = { task: 'sweep' };
export const DIST = path.join(ROOT, 'dist');

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
  functionEnv?: Partial<Record<'authorizer' | 'connect' | 'disconnect' | 'message' | 'sweeper', Record<string, string>>>;
  /** Two-phase: seconds a connection may wait before `auth` (default 30). */
  authDeadlineSeconds?: number;
  /** How often the sweeper runs (the Terraform schedule's default is every minute). */
  sweepEveryMs?: number;
  connectionTtlSeconds?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  limits?: Partial<Limits>;
  distDir?: string;
  injectFault?: SandboxOptions['injectFault'];
  onLog?: SandboxOptions['onLog'];
  onAccessLog?: SandboxOptions['onAccessLog'];
}

/**
 * The project's stack in the sandbox: the built zips from dist/, wired with the routes, identity source
 * and environment variables the Terraform module gives them, on a table created from the module's schema.
 */
export async function startProjectSandbox(options: ProjectSandboxOptions): Promise<Sandbox & { tableName: string; env: Record<string, string> }> {
  const distDir = options.distDir ?? DIST;
  for (const name of ['authorizer', 'connect', 'disconnect', 'message', 'sweeper']) {
    if (!existsSync(path.join(distDir, `${name}.zip`))) throw new Error(`${name}.zip is missing in ${distDir}: run npm run build`);
  }
  const tableName = options.tableName ?? 'websocket-sessions';
  const dynamo = new DynamoDBClient({ endpoint: options.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
  try {
    await ensureTable(dynamo, tableName);
  } finally {
    dynamo.destroy();
  }
  const env: Record<string, string> = {
    TABLE_NAME: tableName,
    LOG_LEVEL: options.logLevel ?? 'info',
    METRICS_NAMESPACE: 'WebSocketSessions',
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint,
  };
  const authMode = options.authMode ?? 'anonymous';
  const zip = (name: string) => ({ zip: path.join(distDir, `${name}.zip`) });
  const sandbox = await startSandbox({
    port: options.port,
    stage: options.stage,
    env,
    functions: {
      authorizer: {
        source: zip('authorizer'),
        env: {
          AUTH_MODE: authMode,
          ...(authMode === 'jwt' ? options.jwt : {}),
          ALLOWED_ORIGINS: (options.allowedOrigins ?? []).join(','),
          ALLOW_MISSING_ORIGIN: String(options.allowMissingOrigin ?? true),
          ...options.functionEnv?.authorizer,
        },
      },
      connect: {
        source: zip('connect'),
        env: {
          AUTH_MODE: authMode,
          CONNECTION_TTL_SECONDS: String(options.connectionTtlSeconds ?? 7800),
          ...(options.authDeadlineSeconds === undefined ? {} : { AUTH_DEADLINE_SECONDS: String(options.authDeadlineSeconds) }),
          ...options.functionEnv?.connect,
        },
      },
      disconnect: { source: zip('disconnect'), env: { ...options.functionEnv?.disconnect } },
      message: {
        source: zip('message'),
        env: { ...(authMode === 'anonymous' ? {} : { AUTH_MODE: authMode, ...options.jwt }), ...options.functionEnv?.message },
      },
      sweeper: { source: zip('sweeper'), env: { ...options.functionEnv?.sweeper } },
    },
    authorizer: { function: 'authorizer', identitySources: ['route.request.header.Sec-WebSocket-Protocol'] },
    routes: {
      $connect: { function: 'connect' },
      $disconnect: { function: 'disconnect' },
      $default: { function: 'message' },
    },
    schedules: [{ function: 'sweeper', everyMs: options.sweepEveryMs ?? 60_000, input: SWEEPER_INPUT }],
    limits: options.limits,
    injectFault: options.injectFault,
    onLog: options.onLog,
    onAccessLog: options.onAccessLog,
  });
  return { ...sandbox, tableName, env };
}
