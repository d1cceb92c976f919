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

/**
 * A worker's stack, in MB. Node on Lambda runs the handler on the main thread, whose V8 stack is 984 KB:
 * a recursive JSON.stringify reaches about 4,180 levels from a bare main thread, and input nested about
 * 4,100 deep was seen to fail on Lambda (the runtime's own frames use some of it). A worker's default
 * stack, 4 MB, reaches about 16,500 levels, so such input passed here. Node keeps 192 KB of a worker's
 * stack for itself: 1.12 MB leaves V8 about 955 KB, about 3,970 levels: a little stricter than Lambda,
 * never more lenient.
 */
export const LAMBDA_STACK_SIZE_MB = 1.12;

interface Pending {
  resolve: (outcome: InvokeOutcome) => void;
  timer: NodeJS.Timeout;
  instance: Instance;
}

/** One execution environment: a worker thread with the handler loaded, and its invocations in flight. */
interface Instance {
  worker: Worker;
  inFlight: number;
}

/**
 * A Lambda function running in worker threads, each with an environment of its own, so each function
 * reads its configuration at init exactly as it would on Lambda. With `maxInstances` 1 (the default)
 * every invocation shares one execution environment and invocations may overlap; with more, an
 * invocation that finds every environment busy starts another (a cold start), up to the limit, as
 * Lambda scales out for concurrent invocations. Each environment keeps its own module state.
 */
export class LocalFunction {
  /** How many times the function was invoked (tests assert "not invoked" with it). */
  invocations = 0;
  /** The invocations' durations summed, each rounded up to a whole ms as Lambda bills them. */
  billedMs = 0;
  private instances: Instance[] = [];
  private entry?: string;
  private running = false;
  private readonly pending = new Map<string, Pending>();

  constructor(
    readonly name: string,
    private readonly source: FunctionSource,
    private readonly env: Record<string, string>,
    private readonly onLog: (name: string, line: string) => void,
    private readonly maxInstances = 1,
    /** The modelled round trip of an invoke, waited before each invocation reaches the handler. */
    private readonly hold: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Starts the first execution environment (the cold start). Called once before the first invocation. */
  async start(): Promise<void> {
    this.entry = 'zip' in this.source ? path.join(await extractZip(this.source.zip), 'index.js') : path.resolve(this.source.file);
    this.running = true;
    this.spawn();
  }

  /** How many execution environments are running. */
  get instanceCount(): number {
    return this.instances.length;
  }

  private spawn(): Instance {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { entry: this.entry, name: this.name },
      env: { ...this.env },
      resourceLimits: { stackSizeMb: LAMBDA_STACK_SIZE_MB },
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
    const instance: Instance = { worker, inFlight: 0 };
    worker.on('message', ({ id, ...outcome }: { id: string } & InvokeOutcome) => this.settle(id, outcome));
    worker.on('error', (error) => {
      for (const [id, pending] of [...this.pending]) {
        if (pending.instance === instance) this.settle(id, { status: 'error', errorType: error.name, errorMessage: error.message });
      }
    });
    worker.unref();
    this.instances.push(instance);
    return instance;
  }

  /** An idle environment, a new one while under the limit, else the least busy. */
  private pick(): Instance {
    const idle = this.instances.find((instance) => instance.inFlight === 0);
    if (idle) return idle;
    if (this.instances.length < this.maxInstances) return this.spawn();
    return this.instances.reduce((least, instance) => (instance.inFlight < least.inFlight ? instance : least));
  }

  /** Invokes the handler; resolves with its result, its error, or a timeout after `timeoutMs`. */
  invoke(event: unknown, timeoutMs: number): Promise<InvokeOutcome> {
    if (!this.running) return Promise.resolve({ status: 'error', errorType: 'Shutdown', errorMessage: `function ${this.name} is not running` });
    this.invocations += 1;
    return this.hold().then(() => this.run(event, timeoutMs));
  }

  private run(event: unknown, timeoutMs: number): Promise<InvokeOutcome> {
    if (!this.running) return Promise.resolve({ status: 'error', errorType: 'Shutdown', errorMessage: `function ${this.name} is not running` });
    const instance = this.pick();
    const id = randomUUID();
    instance.inFlight += 1;
    const started = performance.now();
    return new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => this.settle(id, { status: 'timeout' }), timeoutMs);
      this.pending.set(id, { resolve, timer, instance });
      instance.worker.postMessage({ id, event, context: { awsRequestId: id, timeoutMs } });
    }).finally(() => {
      this.billedMs += Math.ceil(performance.now() - started);
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    const instances = this.instances;
    this.instances = [];
    await Promise.all(instances.map((instance) => instance.worker.terminate()));
    for (const id of [...this.pending.keys()]) this.settle(id, { status: 'error', errorType: 'Shutdown', errorMessage: 'sandbox stopped' });
  }

  private settle(id: string, outcome: InvokeOutcome): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    pending.instance.inFlight -= 1;
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }
}
