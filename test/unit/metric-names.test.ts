import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { METRIC_UNITS } from '../../functions/lib/log';

// One list of metric names: functions/lib/log.ts (what the code may emit, typed) and
// modules/metrics.json (what Terraform's alarms and dashboard may name) must be the same list, every
// name on it must be emitted somewhere, and monitoring.tf must name no metric of its own.
const root = join(__dirname, '..', '..');
const declared = (JSON.parse(readFileSync(join(root, 'modules', 'metrics.json'), 'utf8')) as { metrics: Record<string, { unit: string; description: string }> }).metrics;

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
const code = [...sources(join(root, 'functions')), ...sources(join(root, 'packages'))].filter((path) => !path.endsWith(join('lib', 'log.ts'))).map((path) => readFileSync(path, 'utf8')).join('\n');

describe('metric names', () => {
  it('modules/metrics.json lists exactly the metrics of log.ts, with the same units', () => {
    expect(Object.fromEntries(Object.entries(declared).map(([name, { unit }]) => [name, unit]))).toStrictEqual({ ...METRIC_UNITS });
  });

  it('describes every metric', () => {
    for (const [name, { description }] of Object.entries(declared)) expect([name, description.length > 10]).toStrictEqual([name, true]);
  });

  it.each(Object.keys(METRIC_UNITS))('%s is emitted by the code', (name) => {
    // As a key of a log() metrics object (`{ Name: …`, `Name: …` on its own) or a SessionMetrics name ('Name').
    expect(new RegExp(`(\\b${name}: |'${name}')`).test(code)).toBe(true);
  });

  it('monitoring.tf names only metrics of modules/metrics.json', () => {
    const hcl = readFileSync(join(root, 'monitoring.tf'), 'utf8');
    const named = [...hcl.matchAll(/local\.metric\.([A-Za-z]+)/g)].map((match) => match[1]);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !(name! in declared))).toStrictEqual([]);
  });
});
