import { createServer, request, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The AWS services the sandbox emulates, each with a modelled network round trip: DynamoDB (a proxy in
 * front of DynamoDB Local), SQS and EventBridge Scheduler (their emulators' HTTP APIs), API Gateway's
 * Management API, and Lambda invoke (every invocation by the gateway, an event source mapping or a
 * schedule).
 */
export const LATENCY_SERVICES = ['dynamodb', 'sqs', 'scheduler', 'management', 'lambda'] as const;
export type LatencyService = (typeof LATENCY_SERVICES)[number];
/** Milliseconds added to each call of a service (0, the default, adds nothing). */
export type ServiceLatency = Partial<Record<LatencyService, number>>;

/** The longest round trip accepted: an hour (tests hold a call that long and let it go by `release()`). */
const MAX_LATENCY_MS = 3_600_000;

/** Checks a latency table: known services, whole milliseconds from 0 to an hour. Throws a clear error. */
export function checkLatency(latency: ServiceLatency): Required<ServiceLatency> {
  const checked = Object.fromEntries(LATENCY_SERVICES.map((service) => [service, 0])) as Required<ServiceLatency>;
  for (const [service, ms] of Object.entries(latency)) {
    if (!(LATENCY_SERVICES as readonly string[]).includes(service)) throw new Error(`latency: ${JSON.stringify(service)} is not a service (${LATENCY_SERVICES.join(', ')})`);
    if (ms === undefined) continue;
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_LATENCY_MS) throw new Error(`latency.${service} must be whole milliseconds from 0 to ${MAX_LATENCY_MS}, not ${JSON.stringify(ms)}`);
    checked[service as LatencyService] = ms;
  }
  return checked;
}

/**
 * The modelled round trips of one sandbox. Every call of a service passes `hold(service)`, which waits
 * the service's latency; `calls` counts the calls by service (held or not), `held()` the ones waiting
 * now. `release()` lets every waiting call through at once (stopping the sandbox does, so a long
 * latency never delays a stop; tests use it to release a call they saw held).
 */
export class ModelledLatency {
  private readonly ms: Required<ServiceLatency>;
  readonly calls: Record<LatencyService, number> = { dynamodb: 0, sqs: 0, scheduler: 0, management: 0, lambda: 0 };
  private readonly waiting = new Map<LatencyService, Set<() => void>>(LATENCY_SERVICES.map((service) => [service, new Set()]));

  constructor(latency: ServiceLatency = {}) {
    this.ms = checkLatency(latency);
  }

  /** The round trip of each service, in ms. */
  get latency(): Readonly<Required<ServiceLatency>> {
    return this.ms;
  }

  /** Changes some services' round trips for the calls that come next (calls waiting keep theirs). */
  set(latency: ServiceLatency): void {
    const merged = checkLatency({ ...this.ms, ...latency });
    Object.assign(this.ms, merged);
  }

  /** Calls of `service` waiting now. */
  held(service: LatencyService): number {
    return this.waiting.get(service)!.size;
  }

  /** Waits the round trip of `service` (resolves at once when it is 0). */
  hold(service: LatencyService): Promise<void> {
    this.calls[service] += 1;
    const ms = this.ms[service];
    if (ms === 0) return Promise.resolve();
    const waiting = this.waiting.get(service)!;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiting.add(done);
    });
  }

  /** Lets every waiting call through now. */
  release(): void {
    for (const waiting of this.waiting.values()) for (const done of [...waiting]) done();
  }
}

/** A request listener that serves each request after `hold()` (the emulators' HTTP APIs). */
export function heldListener(listener: RequestListener, hold: () => Promise<void>): RequestListener {
  return (req, res) => void hold().then(() => listener(req, res));
}

/**
 * An HTTP proxy in front of DynamoDB Local that forwards each request after `hold()`: DynamoDB's round
 * trip, which a loopback DynamoDB Local does not have.
 */
export async function startLatencyProxy(target: string, hold: () => Promise<void>, host = '127.0.0.1'): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const upstream = new URL(target);
  const server = createServer(
    heldListener((req, res) => {
      const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      });
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    }, hold),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return {
    endpoint: `http://${host}:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
