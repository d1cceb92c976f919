import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { freePort } from './dynamo-local';

/**
 * A real redis-server (Debian's package, scripts/ensure-redis.sh), in memory, on a free port of its own:
 * what the user-session cache tests and bench run against (ElastiCache's stand-in, as DynamoDB Local is
 * DynamoDB's).
 */
export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence). */
  start(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open, commands hang, data is kept. */
  pause(): void;
  /** Thaws it (SIGCONT): the hung commands run, then new ones. */
  resume(): void;
}

const binary = process.env.REDIS_SERVER_PATH ?? 'redis-server';

/**
 * Starts redis-server; stop it when done (a test file: in `afterAll`).
 *
 * @example
 * let redis: RedisServer;
 * beforeAll(async () => (redis = await startRedis()));
 * afterAll(() => redis.stop());
 */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  // As DynamoDB Local: a process that dies without stopping it does not leave the server behind.
  const killOnExit = (): void => void child?.kill('SIGKILL');

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      process.removeListener('exit', killOnExit);
      process.once('exit', killOnExit);
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
    process.removeListener('exit', killOnExit);
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
}

/** A TCP proxy to a port that can cut its connections (a network partition between one client and Redis). */
export interface CuttableLink {
  url: string;
  /** Drops every connection through it and refuses new ones; the server behind keeps its data. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function cuttableLink(targetPort: number): Promise<CuttableLink> {
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) return client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
