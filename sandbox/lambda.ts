import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { extractZip } from './unzip';

/** Where a function's code comes from: a built zip (what Terraform deploys) or a plain module file. */
export type FunctionSource = { zip: string } | { file: string };

export type InvokeOutcome =
  | { status: 'ok'; result: unknown }
  | { status: 'error'; errorType: string; errorMessage: string }
  | { status: 'timeout' };

/**
 * The worker's bootstrap: load the handler once (Lambda's init phase), then serve invocations.
 * An init error is reported on every invocation, as Lambda does when a function fails to start.
 */
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
let handler, initError;
try {
  handler = require(workerData.entry).handler;
  if (typeof handler !== 'function') throw new TypeError('the module exports no handler function');
} catch (error) { initError = error; }
const describe = (error) => ({
  errorType: (error && error.name) || 'Error',
  errorMessage: (error && error.message) || String(error),
});
parentPort.on('message', async ({ id, event, context }) => {
  if (initError) return parentPort.postMessage({ id, status: 'error', ...describe(initError) });
  const deadline = Date.now() + context.timeoutMs;
  try {
    const result = await handler(event, {
      awsRequestId: context.awsRequestId,
      functionName: workerData.name,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    });
    parentPort.postMessage({ id, status: 'ok', result: result === undefined ? null : result });
  } catch (error) {
    parentPort.postMessage({ id, status: 'error', ...describe(error) });
  }
});
`;

interface Pending {
  resolve: (outcome: InvokeOutcome) => void;
  timer: NodeJS.Timeout;
}

/**
 * A Lambda function running in a worker thread with an environment of its own, so each function reads
 * its configuration at init exactly as it would on Lambda. Invocations may overlap.
 */
export class LocalFunction {
  /** How many times the function was invoked (tests assert "not invoked" with it). */
  invocations = 0;
  private worker?: Worker;
  private readonly pending = new Map<string, Pending>();

  constructor(
    readonly name: string,
    private readonly source: FunctionSource,
    private readonly env: Record<string, string>,
    private readonly onLog: (name: string, line: string) => void,
  ) {}

  /** Starts the worker (the cold start). Called once before the first invocation. */
  async start(): Promise<void> {
    const entry = 'zip' in this.source ? path.join(await extractZip(this.source.zip), 'index.js') : path.resolve(this.source.file);
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { entry, name: this.name },
      env: { ...this.env },
      stdout: true,
      stderr: true,
    });
    for (const stream of [worker.stdout, worker.stderr]) {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          this.onLog(this.name, buffered.slice(0, newline));
          buffered = buffered.slice(newline + 1);
        }
      });
    }
    worker.on('message', ({ id, ...outcome }: { id: string } & InvokeOutcome) => this.settle(id, outcome));
    worker.on('error', (error) => {
      for (const id of [...this.pending.keys()]) this.settle(id, { status: 'error', errorType: error.name, errorMessage: error.message });
    });
    worker.unref();
    this.worker = worker;
  }

  /** Invokes the handler; resolves with its result, its error, or a timeout after `timeoutMs`. */
  invoke(event: unknown, timeoutMs: number): Promise<InvokeOutcome> {
    const worker = this.worker;
    if (!worker) return Promise.resolve({ status: 'error', errorType: 'Shutdown', errorMessage: `function ${this.name} is not running` });
    const id = randomUUID();
    this.invocations += 1;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(id, { status: 'timeout' }), timeoutMs);
      this.pending.set(id, { resolve, timer });
      worker.postMessage({ id, event, context: { awsRequestId: id, timeoutMs } });
    });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
    for (const id of [...this.pending.keys()]) this.settle(id, { status: 'error', errorType: 'Shutdown', errorMessage: 'sandbox stopped' });
  }

  private settle(id: string, outcome: InvokeOutcome): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }
}
