import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FUNCTIONS } from '../../scripts/build';
import { release, type ReleaseManifest } from '../../scripts/release';

const ROOT = path.resolve(__dirname, '../..');

describe('release', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('writes the manifest committed with the module, the upload list and the zips by key, from two identical builds', async () => {
    const [distDir, releaseDir] = [await mkdtemp(path.join(os.tmpdir(), 'release-dist-')), await mkdtemp(path.join(os.tmpdir(), 'release-out-'))];
    dirs.push(distDir, releaseDir);
    const manifest = await release({ distDir, releaseDir });

    // The module deploys release/manifest.json from S3: it must be what this commit builds
    // (run `npm run release` and commit release/manifest.json when the functions change).
    const committed = JSON.parse(await readFile(path.join(ROOT, 'release', 'manifest.json'), 'utf8')) as ReleaseManifest;
    expect(committed).toEqual(manifest);
    expect(JSON.parse(await readFile(path.join(releaseDir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    expect(Object.keys(manifest)).toEqual([...FUNCTIONS]);

    const uploads = (await readFile(path.join(releaseDir, 'uploads.txt'), 'utf8')).trimEnd().split('\n');
    expect(uploads).toHaveLength(FUNCTIONS.length);
    for (const name of FUNCTIONS) {
      const entry = manifest[name];
      expect(entry.key).toBe(`${name}/${entry.sha256}.zip`);
      const zip = await readFile(path.join(releaseDir, 'artifacts', entry.key));
      expect(createHash('sha256').update(zip).digest('hex')).toBe(entry.sha256);
      expect(uploads).toContain(`${entry.key} ${createHash('sha256').update(zip).digest('base64')} ${zip.length}`);
    }
  }, 180_000);
});
