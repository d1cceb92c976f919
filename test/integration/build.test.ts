import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildAll, ENTRY_POINTS, SESSIONS_ENTRY_POINTS, ZIP_AIM_BYTES, ZIP_BUDGET_BYTES, type SessionsManifest } from '../../scripts/build';

describe('build', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('gives byte-identical zips and the same manifest when run twice', async () => {
    const [a, b] = [await mkdtemp(path.join(os.tmpdir(), 'build-a-')), await mkdtemp(path.join(os.tmpdir(), 'build-b-'))];
    dirs.push(a, b);
    const manifestA = await buildAll(a);
    const manifestB = await buildAll(b);
    expect(manifestB).toEqual(manifestA);
    expect(Object.keys(manifestA)).toContain('teleprinter');
    for (const [name] of ENTRY_POINTS) {
      const [zipA, zipB] = await Promise.all([readFile(path.join(a, `${name}.zip`)), readFile(path.join(b, `${name}.zip`))]);
      expect(zipA.equals(zipB)).toBe(true);
      expect(createHash('sha256').update(zipA).digest('hex')).toBe(manifestA[name].sha256);
      expect(zipA.length).toBe(manifestA[name].bytes);
    }
    expect(JSON.parse(await readFile(path.join(a, 'manifest.json'), 'utf8'))).toEqual(manifestA);
    expect(manifestA.disconnect.permissions.actions).toContain('dynamodb:DeleteItem');
    // The user sessions library's calls and settings, beside the functions'.
    const readSessions = async (dir: string) => JSON.parse(await readFile(path.join(dir, 'sessions.json'), 'utf8')) as SessionsManifest;
    const [sessionsA, sessionsB] = [await readSessions(a), await readSessions(b)];
    expect(sessionsB).toEqual(sessionsA);
    expect(Object.keys(sessionsA.permissions)).toEqual(SESSIONS_ENTRY_POINTS.map(([part]) => part));
    expect(sessionsA.settings.map((setting) => setting.name)).toContain('LOGIN_LOCKOUT_SECONDS');
    // Every zip within its budget (sizes are deterministic: this is not a timed check).
    const over = ENTRY_POINTS.filter(([name]) => manifestA[name].bytes > ZIP_BUDGET_BYTES[name]).map(([name]) => `${name} ${manifestA[name].bytes} bytes > ${ZIP_BUDGET_BYTES[name]}`);
    expect(over).toEqual([]);
    // No budget above the 250 KB aim, and one for every zip the build writes.
    expect(Object.keys(ZIP_BUDGET_BYTES).sort()).toEqual(ENTRY_POINTS.map(([name]) => name).sort());
    expect(Object.values(ZIP_BUDGET_BYTES).every((budget) => budget <= ZIP_AIM_BYTES)).toBe(true);
    // Two builds, the first type-checking the sources for the manifest's permissions.
  }, 300_000);
});
