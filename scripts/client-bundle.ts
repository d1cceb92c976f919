/**
 * The client library (packages/client) as a page or an application bundler gets it: one ES module,
 * bundled and minified by esbuild for browsers. The browser test loads it; the benchmark weighs it
 * beside its peers' clients bundled the same way.
 */
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '..');
export const CLIENT_ENTRY = path.join(ROOT, 'packages', 'client', 'src', 'index.ts');

/**
 * Bundles a module's source (by default the whole client library) as a minified browser ES module,
 * resolving imports from the repository; returns its text and its sizes in bytes, raw and gzipped.
 *
 * @example
 * const { code, gzipBytes } = await bundleForBrowsers(); // gzipBytes ≈ 4 KiB
 * await bundleForBrowsers("export { io } from 'socket.io-client';"); // a peer, the same way
 */
export async function bundleForBrowsers(source = `export * from ${JSON.stringify(CLIENT_ENTRY)};`): Promise<{ code: string; bytes: number; gzipBytes: number }> {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, sourcefile: 'entry.ts', loader: 'ts' },
    // As Node resolves: NODE_PATH's folders after the repository's node_modules.
    nodePaths: process.env.NODE_PATH ? process.env.NODE_PATH.split(path.delimiter) : [],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  return { code, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length };
}
