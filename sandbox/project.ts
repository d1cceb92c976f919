import { existsSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startSandbox, type Limits, type Sandbox, type SandboxOptions } from './index';
import { ensureTable } from './table';

export const ROOT = path.resolve(__dirname, '..');
export const DIST = path.join(ROOT, 'dist');

export interface ProjectSandboxOptions {
  dynamoEndpoint: string;
  tableName?: string;
  port?: number;
  stage?: string;
  /** Exact origins allowed to connect from a browser, or `*`. */
  allowedOrigins?: string[];
  allowMissingOrigin?: boolean;
  /** `anonymous` (default) or `jwt`; JWT settings go in `functionEnv.authorizer` as the module sets them (JWT_*). */
  authMode?: 'anonymous' | 'jwt';
  /** Extra environment per function, e.g. `{ message: { ACTION_PERMISSIONS: '{"broadcast":["admin"]}' } }`. */
  functionEnv?: Partial<Record<'authorizer' | 'connect' | 'disconnect' | 'message', Record<string, string>>>;
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
  for (const name of ['authorizer', 'connect', 'disconnect', 'message']) {
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
          ALLOWED_ORIGINS: (options.allowedOrigins ?? []).join(','),
          ALLOW_MISSING_ORIGIN: String(options.allowMissingOrigin ?? true),
          ...options.functionEnv?.authorizer,
        },
      },
      connect: {
        source: zip('connect'),
        env: { AUTH_MODE: authMode, CONNECTION_TTL_SECONDS: String(options.connectionTtlSeconds ?? 7800), ...options.functionEnv?.connect },
      },
      disconnect: { source: zip('disconnect'), env: { ...options.functionEnv?.disconnect } },
      message: { source: zip('message'), env: { ...options.functionEnv?.message } },
    },
    authorizer: { function: 'authorizer', identitySources: ['route.request.header.Sec-WebSocket-Protocol'] },
    routes: {
      $connect: { function: 'connect' },
      $disconnect: { function: 'disconnect' },
      $default: { function: 'message' },
    },
    limits: options.limits,
    injectFault: options.injectFault,
    onLog: options.onLog,
    onAccessLog: options.onAccessLog,
  });
  return { ...sandbox, tableName, env };
}
