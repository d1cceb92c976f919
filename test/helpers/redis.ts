import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../sandbox/dynamo-local';

/** A real redis-server (Debian's package, scripts/ensure-redis.sh), in memory, on a free port of its own. */
export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence). */
  start(): Promise<void>;
}

const binary = process.env.REDIS_SERVER_PATH ?? 'redis-server';

/**
 * Starts redis-server for one test file; stop it in `afterAll`.
 *
 * @example
 * let redis: RedisServer;
 * beforeAll(async () => (redis = await startRedis()));
 * afterAll(() => redis.stop());
 */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${port}: ${output.slice(-500)}`)), 30_000);
      proc.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      proc.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot run ${binary} (scripts/ensure-redis.sh installs it)`, { cause: error }));
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${String(code)}: ${output.slice(-500)}`));
      });
    });

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
}
