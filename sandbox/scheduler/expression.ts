/**
 * EventBridge Scheduler's schedule expressions, as the sandbox's scheduler emulator (sandbox/scheduler/)
 * validates and runs them:
 * - `at(yyyy-mm-ddThh:mm:ss)`: one time, a wall-clock time in the schedule's time zone (UTC by default);
 * - `rate(<n> minute|minutes|hour|hours|day|days)`: every n units;
 * - `cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)`: checked for shape only, never run.
 */

export type ScheduleExpression =
  /** `at` is the instant, in epoch milliseconds. */
  | { kind: 'at'; at: number }
  | { kind: 'rate'; everyMs: number }
  | { kind: 'cron'; fields: string[] };

/** Why an expression or time zone is invalid; the emulator answers it as a ValidationException. */
export class ScheduleExpressionError extends Error {
  override name = 'ScheduleExpressionError';
}

const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const RATE = /^rate\(([1-9]\d{0,8}) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

// Characters each cron field may hold (AWS's cron: minutes, hours, day-of-month, month, day-of-week, year).
const CRON_FIELDS: Array<{ name: string; pattern: RegExp }> = [
  { name: 'minutes', pattern: /^[0-9,*/-]+$/ },
  { name: 'hours', pattern: /^[0-9,*/-]+$/ },
  { name: 'day-of-month', pattern: /^([0-9,*/?LW-]+)$/ },
  { name: 'month', pattern: /^[0-9A-Za-z,*/-]+$/ },
  { name: 'day-of-week', pattern: /^[0-9A-Za-z,*/?L#-]+$/ },
  { name: 'year', pattern: /^[0-9,*/-]+$/ },
];

/** Throws unless `timeZone` is an IANA time zone Node knows (what `ScheduleExpressionTimezone` takes). */
export function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new ScheduleExpressionError(`Invalid ScheduleExpressionTimezone ${timeZone}.`);
  }
}

/** The zone's offset from UTC at `instant` (ms): wall clock minus UTC. */
function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant a wall-clock time (given as if it were UTC) names in `timeZone`. */
export function zonedToInstant(wallAsUtc: number, timeZone: string): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return wallAsUtc;
  const guess = wallAsUtc - offsetAt(wallAsUtc, timeZone);
  return wallAsUtc - offsetAt(guess, timeZone);
}

/**
 * Parses a schedule expression; throws a ScheduleExpressionError with AWS's wording
 * (`Invalid Schedule Expression <expression>.`) when it is malformed.
 */
export function parseScheduleExpression(expression: string, timeZone = 'UTC'): ScheduleExpression {
  const invalid = (why?: string) => new ScheduleExpressionError(`Invalid Schedule Expression ${expression}.${why ? ` ${why}` : ''}`);

  const at = AT.exec(expression);
  if (at) {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [number, number, number, number, number, number];
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    const back = new Date(wall);
    // Date.UTC rolls 2026-02-30 over into March: a date that does not round-trip does not exist.
    if (
      back.getUTCFullYear() !== year ||
      back.getUTCMonth() !== month - 1 ||
      back.getUTCDate() !== day ||
      back.getUTCHours() !== hour ||
      back.getUTCMinutes() !== minute ||
      back.getUTCSeconds() !== second
    ) {
      throw invalid();
    }
    return { kind: 'at', at: zonedToInstant(wall, timeZone) };
  }

  const rate = RATE.exec(expression);
  if (rate) {
    const unit = rate[2]!.replace(/s$/, '') as keyof typeof UNIT_MS;
    return { kind: 'rate', everyMs: Number(rate[1]) * UNIT_MS[unit] };
  }

  const cron = CRON.exec(expression);
  if (cron) {
    const fields = cron[1]!.split(' ');
    if (fields.length !== 6) throw invalid('A cron expression has six fields: minutes hours day-of-month month day-of-week year.');
    fields.forEach((field, index) => {
      if (!CRON_FIELDS[index]!.pattern.test(field)) throw invalid(`Its ${CRON_FIELDS[index]!.name} field is malformed.`);
    });
    // AWS: one of day-of-month and day-of-week must be '?'.
    if ((fields[2] === '?') === (fields[4] === '?')) throw invalid('Exactly one of day-of-month and day-of-week must be ?.');
    return { kind: 'cron', fields };
  }

  throw invalid();
}

/** `at(yyyy-mm-ddThh:mm:ss)` of an instant, in UTC (seconds truncated). */
export function atExpression(instant: number | Date): string {
  return `at(${new Date(instant).toISOString().slice(0, 19)})`;
}
