import { createHash } from 'node:crypto';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Every metric this project emits, with its CloudWatch unit. modules/metrics.json lists the same names
 * for Terraform (the alarms and the dashboard read it); test/unit/metric-names.test.ts keeps the two equal.
 */
export const METRIC_UNITS = {
  Connects: 'Count',
  Rejects: 'Count',
  AuthorizerDenials: 'Count',
  Disconnects: 'Count',
  ConnectionsClosed: 'Count',
  StaleConnections: 'Count',
  BadMessages: 'Count',
  Errors: 'Count',
  Published: 'Count',
  Delivered: 'Count',
  DeliveryRetries: 'Count',
  DeadLettered: 'Count',
  FanoutLag: 'Milliseconds',
  SessionsStarted: 'Count',
  Resumes: 'Count',
  ResumeGaps: 'Count',
  SessionsExpired: 'Count',
  SweepFailures: 'Count',
  SessionCacheHits: 'Count',
  SessionCacheMisses: 'Count',
  SessionCacheErrors: 'Count',
  SessionsEvicted: 'Count',
  SessionConflictsRetried: 'Count',
  RefreshTokenReuse: 'Count',
  SessionCheckCacheHits: 'Count',
  SessionCheckCacheMisses: 'Count',
} as const;

/** Metric names this project emits. */
export type MetricName = keyof typeof METRIC_UNITS;

export interface LogEntry {
  /** What happened: `connect`, `reject`, `disconnect`, `message`, `stale_connection`, … */
  event: string;
  level?: Level;
  /** Machine-readable reason, present on every rejection. */
  reason?: string;
  [field: string]: unknown;
}

let minLevel: Level = 'info';
let namespace = 'WebSocketSessions';
let sink: (line: string) => void = (line) => process.stdout.write(line + '\n');

/** Sets the log threshold and metric namespace once at init (from LOG_LEVEL / METRICS_NAMESPACE). */
export function configureLog(options: { level?: Level; namespace?: string; sink?: (line: string) => void }): void {
  if (options.level) minLevel = options.level;
  if (options.namespace) namespace = options.namespace;
  if (options.sink) sink = options.sink;
}

/**
 * Writes one JSON line. When `metrics` is given the same line is a CloudWatch Embedded Metric Format
 * record, so each event costs one line whether or not it counts towards a metric. A `reason` becomes
 * the metric's dimension, and the metric is also published without it (the total over every reason,
 * which alarms watch).
 *
 * @example
 * log({ event: 'reject', level: 'warn', reason: 'origin_not_allowed' }, { Rejects: 1 });
 */
export function log(entry: LogEntry, metrics?: Partial<Record<MetricName, number>>): void {
  const level = entry.level ?? 'info';
  if (LEVELS[level] < LEVELS[minLevel] && !metrics) return;
  const record: Record<string, unknown> = { level, ...entry, timestamp: new Date().toISOString() };
  if (metrics && Object.keys(metrics).length > 0) {
    record._aws = {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: entry.reason ? [['Reason'], []] : [[]],
          Metrics: (Object.keys(metrics) as MetricName[]).map((name) => ({ Name: name, Unit: METRIC_UNITS[name] })),
        },
      ],
    };
    if (entry.reason) record.Reason = entry.reason;
    Object.assign(record, metrics);
  }
  sink(JSON.stringify(record));
}

/**
 * A short, stable stand-in for a secret-ish identifier (an anonymous id, a token) so log lines can be
 * correlated without revealing the value.
 *
 * @example
 * log({ event: 'connect', user: fingerprint(userId) });
 */
export function fingerprint(value: string): string {
  return 'sha256:' + createHash('sha256').update(value).digest('hex').slice(0, 12);
}

/**
 * The fields an error's log line carries: its class, message and stack (a thrown non-Error as text).
 *
 * @example
 * log({ event: 'internal_error', level: 'error', reason: 'internal', ...errorFields(error) }, { Errors: 1 });
 */
export function errorFields(error: unknown): { errorType: string; errorMessage: string; stack?: string } {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message, stack: error.stack };
  return { errorType: typeof error, errorMessage: String(error) };
}
