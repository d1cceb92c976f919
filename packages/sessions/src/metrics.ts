import { log, type LogEntry, type MetricName } from '../../../functions/lib/log';

/** The counters the service keeps (CloudWatch metric names). */
export type SessionMetricName = Extract<
  MetricName,
  'SessionCacheHits' | 'SessionCacheMisses' | 'SessionCacheErrors' | 'SessionsEvicted' | 'SessionConflictsRetried' | 'RefreshTokenReuse'
>;

/** Writes one log line, with metrics as CloudWatch EMF (functions/lib/log.ts by default). */
export type LogFunction = (entry: LogEntry, metrics?: Partial<Record<MetricName, number>>) => void;

/**
 * In-process counters: `snapshot()` reads them, `flush()` writes what was counted since the last flush
 * as one EMF line (call it at the end of an invocation) and starts again.
 *
 * @example
 * const metrics = new SessionMetrics();
 * metrics.count('SessionCacheHits');
 * metrics.flush();   // {"event":"session_metrics",…,"SessionCacheHits":1,"_aws":{…}}
 */
export class SessionMetrics {
  private counts = new Map<SessionMetricName, number>();
  private totals = new Map<SessionMetricName, number>();

  constructor(private readonly write: LogFunction = log) {}

  count(name: SessionMetricName, by = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + by);
    this.totals.set(name, (this.totals.get(name) ?? 0) + by);
  }

  /** Totals since the service was created. */
  snapshot(): Record<SessionMetricName, number> {
    const names: SessionMetricName[] = ['SessionCacheHits', 'SessionCacheMisses', 'SessionCacheErrors', 'SessionsEvicted', 'SessionConflictsRetried', 'RefreshTokenReuse'];
    return Object.fromEntries(names.map((name) => [name, this.totals.get(name) ?? 0])) as Record<SessionMetricName, number>;
  }

  /** Writes the counts since the last flush as one EMF line (nothing when there are none). */
  flush(): void {
    if (this.counts.size === 0) return;
    this.write({ event: 'session_metrics' }, Object.fromEntries(this.counts));
    this.counts.clear();
  }

  /** A log line now, with its own metric (reuse detection must not wait for a flush). */
  event(entry: LogEntry, name: SessionMetricName): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + 1);
    this.write(entry, { [name]: 1 });
  }
}
