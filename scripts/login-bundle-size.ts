/**
 * What the shipped TOTP second factor adds to a bundle of the login module: the module bundled as
 * the Lambda build bundles (esbuild, minified, the AWS SDK included), with and without the TOTP
 * exports, in bytes and gzipped bytes.
 *
 *   npx tsx scripts/login-bundle-size.ts
 */
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS } from './build';

const ROOT = path.resolve(__dirname, '..');
const LOGIN = './packages/sessions/src/login';

const ENTRIES = {
  'login module (index.ts)': `export * from '${LOGIN}';`,
  'login module without TOTP': `export * from '${LOGIN}/coordinator'; export * from '${LOGIN}/errors'; export * from '${LOGIN}/events'; export * from '${LOGIN}/settings';`,
  'TOTP alone (totp.ts)': `export * from '${LOGIN}/totp';`,
};

async function size(contents: string): Promise<{ bytes: number; gzip: number }> {
  const result = await build({
    ...BUNDLE_OPTIONS,
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
  });
  const code = result.outputFiles[0]!.contents;
  return { bytes: code.byteLength, gzip: gzipSync(code).byteLength };
}

async function main(): Promise<void> {
  const sizes: Record<string, { bytes: number; gzip: number }> = {};
  for (const [name, contents] of Object.entries(ENTRIES)) sizes[name] = await size(contents);
  for (const [name, { bytes, gzip }] of Object.entries(sizes)) console.log(`${name.padEnd(28)} ${String(bytes).padStart(8)} B  ${String(gzip).padStart(7)} B gzipped`);
  const [whole, without] = [sizes['login module (index.ts)']!, sizes['login module without TOTP']!];
  console.log(`${'TOTP adds'.padEnd(28)} ${String(whole.bytes - without.bytes).padStart(8)} B  ${String(whole.gzip - without.gzip).padStart(7)} B gzipped`);
}

void main();
