/**
 * What `npm start` and `npm run example:teleprinter` share: their ports and settings read from the
 * environment (checked before anything slow starts), the build when the sources changed, a log a person
 * can read, and a stop on Ctrl-C that lets every `$disconnect` run before DynamoDB Local goes.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { SettingManifest } from '../packages/contract/src/settings';
import { checkLatency, LATENCY_SERVICES, type LatencyService, type ServiceLatency } from './latency';
import { DIST, ROOT } from './project';

type Env = Record<string, string | undefined>;

/** A port number from the environment (`name`), or `fallback`. */
export function readPort(name: string, fallback: number, env: Env = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) throw new Error(`${name} must be a port number from 1 to 65535, got ${JSON.stringify(raw)}`);
  return port;
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * Throws, naming the setting that moves it, for the first port already in use on 127.0.0.1: called
 * before building and before Java starts, so a taken port costs a second, not half a minute.
 */
export async function assertPortsFree(ports: Record<string, number>, command = 'npm start'): Promise<void> {
  for (const [name, port] of Object.entries(ports)) {
    if (!(await isFree(port, '127.0.0.1'))) {
      throw new Error(`port ${port} (${name}) is in use: stop what holds it, or choose another, e.g. ${name}=${port + 100} ${command}`);
    }
  }
}

/** The newest modification time under a directory, in ms. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** Whether dist/ lacks one of `zips` or is older than a source under `sourceDirs`. */
export function buildIsStale(zips: readonly string[], sourceDirs: readonly string[]): boolean {
  const manifestFile = path.join(DIST, 'manifest.json');
  if (!existsSync(manifestFile)) return true;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as object;
  if (zips.some((name) => !(name in manifest))) return true;
  const built = statSync(manifestFile).mtimeMs;
  return sourceDirs.some((dir) => newest(path.join(ROOT, dir)) > built);
}

/**
 * The modelled round trips of SANDBOX_LATENCY_MS: one number of ms for every service (`10`), or
 * `service=ms` pairs, comma-separated (`dynamodb=5,sqs=10,lambda=15`; the services are
 * LATENCY_SERVICES). Unset: none (undefined).
 */
export function readLatency(env: Env = process.env): ServiceLatency | undefined {
  const raw = (env.SANDBOX_LATENCY_MS ?? '').trim();
  if (raw === '') return undefined;
  const bad = (why: string): Error =>
    new Error(`SANDBOX_LATENCY_MS must be whole ms for every service (10) or service=ms pairs (dynamodb=5,sqs=10) of ${LATENCY_SERVICES.join(', ')}; ${why} in ${JSON.stringify(raw)}`);
  const ms = (text: string): number => {
    if (!/^\d+$/.test(text)) throw bad(`${JSON.stringify(text)} is not whole ms`);
    return Number(text);
  };
  const latency: ServiceLatency = {};
  if (/^\d+$/.test(raw)) {
    for (const service of LATENCY_SERVICES) latency[service] = ms(raw);
  } else {
    for (const pair of raw.split(',')) {
      const [service, value, ...rest] = pair.split('=').map((part) => part.trim());
      if (!service || value === undefined || rest.length > 0) throw bad(`${JSON.stringify(pair)} is not service=ms`);
      if (!(LATENCY_SERVICES as readonly string[]).includes(service)) throw bad(`${JSON.stringify(service)} is not a service`);
      if (service in latency) throw bad(`${service} is given twice`);
      latency[service as LatencyService] = ms(value);
    }
  }
  try {
    checkLatency(latency);
  } catch (error) {
    throw bad((error as Error).message);
  }
  return latency;
}

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The origins a page may connect from: the local page's own (`http://127.0.0.1:<port>` and
 * `http://localhost:<port>`) and ALLOWED_ORIGINS, a comma-separated list of exact origins
 * (`scheme://host[:port]`, as a browser sends them) or `*` for any, as the module's `allowed_origins`
 * takes them.
 */
export function readAllowedOrigins(pagePort: number, env: Env = process.env): string[] {
  const own = [`http://127.0.0.1:${pagePort}`, `http://localhost:${pagePort}`];
  const extra = (env.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of extra) {
    if (origin !== '*' && !ORIGIN.test(origin)) throw new Error(`ALLOWED_ORIGINS: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path, e.g. https://app.example.com)`);
  }
  return [...new Set([...own, ...extra])];
}

/** The session settings `npm start` prints and lets the environment set, as the module's variables set them. */
export const LOCAL_SETTINGS = [
  'SESSION_RESUME_WINDOW_SECONDS',
  'SESSION_HEARTBEAT_SECONDS',
  'SESSION_GOAWAY_BEFORE_SECONDS',
  'CONNECTION_TTL_SECONDS',
  'MAX_CONNECTIONS_PER_USER',
] as const;
export type LocalSetting = (typeof LOCAL_SETTINGS)[number];

/** Every function's declared settings, from dist/manifest.json, by setting name (the first declaration). */
function declaredSettings(): Map<string, SettingManifest> {
  const manifest = JSON.parse(readFileSync(path.join(DIST, 'manifest.json'), 'utf8')) as Record<string, { settings: SettingManifest[] }>;
  const byName = new Map<string, SettingManifest>();
  for (const entry of Object.values(manifest)) for (const setting of entry.settings) if (!byName.has(setting.name)) byName.set(setting.name, setting);
  return byName;
}

export interface LocalSettingValue {
  name: LocalSetting;
  value: number;
  /** Where the value comes from: the environment, or the function's default. */
  from: 'environment' | 'default';
  /** What sets it on AWS (the module's variable, or how the module derives it). */
  source: string | null;
  description: string;
}

/**
 * The {@link LOCAL_SETTINGS} in force: each from the environment when set there (held to the bounds
 * its declaration in dist/manifest.json gives, as a handler would hold it), else the declared default.
 * `defaults` stands in for a declaration's default where the launcher's own differs (the example's
 * one-hour resume window, as its Terraform sets it).
 */
export function readLocalSettings(env: Env = process.env, defaults: Partial<Record<LocalSetting, number>> = {}): LocalSettingValue[] {
  const declared = declaredSettings();
  return LOCAL_SETTINGS.map((name) => {
    const setting = declared.get(name);
    if (!setting || setting.type !== 'integer') throw new Error(`${name} is not an integer setting of any function in dist/manifest.json: run npm run build`);
    const raw = env[name];
    const bounds = `an integer from ${setting.min} to ${setting.max}`;
    const base = { name, source: setting.source, description: setting.description };
    if (raw === undefined || raw === '') {
      const value = defaults[name] ?? setting.default;
      if (typeof value !== 'number') throw new Error(`${name} has no default: set it (${bounds})`);
      return { ...base, value, from: 'default' };
    }
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < setting.min! || value > setting.max!) throw new Error(`${name} must be ${bounds}, got ${JSON.stringify(raw)}`);
    return { ...base, value, from: 'environment' };
  });
}

/** The settings in force as lines for the banner: value, where it comes from, and the module variable. */
export function describeLocalSettings(values: readonly LocalSettingValue[]): string[] {
  return values.map(({ name, value, from, source }) => `${name.padEnd(30)} ${String(value).padStart(6)} ${from === 'environment' ? '(set)    ' : '(default)'}  on AWS: ${(source ?? 'the function default').replace(/`/g, '')}`);
}

/** Keys of a function's JSON log line that the readable form leaves out (the metrics' envelope). */
const HIDDEN = new Set(['level', 'event', 'timestamp', 'time', '_aws']);

/**
 * One function's log line as a person reads it: `12:00:01.234 connect   info  connect connectionId=… user=…`.
 * A JSON line's metric values (named in its `_aws` envelope) are left out; a line that is not JSON
 * is shown as it is. LOG_FORMAT=json keeps the lines as Lambda writes them (EMF JSON).
 */
export function readableLogLine(fn: string, line: string): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return `${fn.padEnd(11)} ${line}`;
    record = parsed as Record<string, unknown>;
  } catch {
    return `${fn.padEnd(11)} ${line}`;
  }
  const metrics = new Set(
    ((record._aws as { CloudWatchMetrics?: Array<{ Metrics?: Array<{ Name?: string }>; Dimensions?: string[][] }> } | undefined)?.CloudWatchMetrics ?? []).flatMap((m) => [
      ...(m.Metrics ?? []).map((metric) => metric.Name),
      ...(m.Dimensions ?? []).flat(),
    ]),
  );
  const stamp = record.timestamp ?? record.time;
  const time = (typeof stamp === 'string' ? stamp : new Date().toISOString()).slice(11, 23);
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN.has(key) && !metrics.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? (/[\s"]/.test(value) ? JSON.stringify(value) : value) : JSON.stringify(value)}`);
  return [time, fn.padEnd(11), String(record.level ?? '').padEnd(5), String(record.event ?? ''), ...fields].join(' ');
}

/** The log sink of a launcher: readable lines, or the functions' own JSON with LOG_FORMAT=json. */
export function logSink(env: Env = process.env): (fn: string, line: string) => void {
  if (env.LOG_FORMAT !== undefined && env.LOG_FORMAT !== 'json' && env.LOG_FORMAT !== 'text') {
    throw new Error(`LOG_FORMAT must be text (readable lines, the default) or json (the functions' EMF JSON), got ${JSON.stringify(env.LOG_FORMAT)}`);
  }
  return env.LOG_FORMAT === 'json' ? (fn, line) => console.log(`[${fn}] ${line}`) : (fn, line) => console.log(readableLogLine(fn, line));
}

/** Runs `stop` once on SIGINT or SIGTERM, then exits (1 if stopping failed). */
export function stopOnSignals(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`stopping failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}
