/**
 * Prepares a release of the Lambda packages for consumers who do not build: builds twice (dist/ and a
 * scratch directory) and refuses to go on unless both builds are byte-identical, then writes into
 * release/:
 *   - manifest.json: each stack function's zip, sha256, size and S3 key (<function>/<sha256>.zip).
 *     Committed: the module's `artifacts` input reads it when no manifest is passed in, so a module
 *     version pins the exact zips it deploys (test/integration/release.test.ts checks it matches a
 *     fresh build).
 *   - artifacts/<key>: the zips laid out by key, to upload as is
 *     (`aws s3 sync release/artifacts s3://<bucket>/<prefix> --checksum-algorithm SHA256`);
 *   - uploads.txt: the upload list, one `<key> <sha256 base64> <bytes>` line per zip, for
 *     `aws s3api put-object --checksum-sha256` (S3 refuses a body that does not match).
 *
 *   npm run release
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildAll, FUNCTIONS, type Manifest } from './build';

const ROOT = path.resolve(__dirname, '..');

export type StackFunction = (typeof FUNCTIONS)[number];

export interface ReleaseEntry {
  file: string;
  sha256: string;
  bytes: number;
  /** The object's key under the consumer's `artifacts.s3_key_prefix`: one key per content hash. */
  key: string;
}
export type ReleaseManifest = Record<StackFunction, ReleaseEntry>;

/** The stack's functions only (the examples' functions are deployed by the examples, from dist/). */
export function releaseManifestOf(manifest: Manifest): ReleaseManifest {
  return Object.fromEntries(
    FUNCTIONS.map((name) => {
      const { file, sha256, bytes } = manifest[name];
      return [name, { file, sha256, bytes, key: `${name}/${sha256}.zip` }];
    }),
  ) as ReleaseManifest;
}

/** The zips two builds disagree on, each as `<name>: <sha256> != <sha256>` (none: reproducible). */
export function differences(a: Manifest, b: Manifest): string[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof Manifest)[];
  return names.filter((name) => a[name]?.sha256 !== b[name]?.sha256).map((name) => `${name}: ${a[name]?.sha256 ?? 'missing'} != ${b[name]?.sha256 ?? 'missing'}`);
}

/** One `<key> <sha256 base64> <bytes>` line per zip (S3's checksum header is base64). */
export function uploadList(manifest: ReleaseManifest): string {
  return Object.values(manifest)
    .map((entry) => `${entry.key} ${Buffer.from(entry.sha256, 'hex').toString('base64')} ${entry.bytes}\n`)
    .join('');
}

export interface ReleaseOptions {
  /** Where the first build goes (default dist/). */
  distDir?: string;
  /** Where the manifest, the upload list and the zips by key go (default release/). */
  releaseDir?: string;
}

export async function release({ distDir = path.join(ROOT, 'dist'), releaseDir = path.join(ROOT, 'release') }: ReleaseOptions = {}): Promise<ReleaseManifest> {
  const first = await buildAll(distDir);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'release-'));
  try {
    const second = await buildAll(scratch);
    const differing = differences(first, second);
    if (differing.length > 0) {
      throw new Error(`release: two builds of the same sources differ, so the zips are not reproducible and nothing was written: ${differing.join('; ')}`);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const manifest = releaseManifestOf(first);
  const artifactsDir = path.join(releaseDir, 'artifacts');
  await rm(artifactsDir, { recursive: true, force: true });
  for (const entry of Object.values(manifest)) {
    await mkdir(path.dirname(path.join(artifactsDir, entry.key)), { recursive: true });
    await copyFile(path.join(distDir, entry.file), path.join(artifactsDir, entry.key));
  }
  await writeFile(path.join(releaseDir, 'uploads.txt'), uploadList(manifest));
  await writeFile(path.join(releaseDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

if (require.main === module) {
  release().then(
    (manifest) => {
      const total = Object.values(manifest).reduce((sum, entry) => sum + entry.bytes, 0);
      for (const [name, entry] of Object.entries(manifest)) {
        console.log(`${name.padEnd(11)} ${(entry.bytes / 1024).toFixed(1).padStart(7)} KiB  ${entry.key}`);
      }
      console.log(`${'total'.padEnd(11)} ${(total / 1024).toFixed(1).padStart(7)} KiB  release/manifest.json, release/uploads.txt, release/artifacts/`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
