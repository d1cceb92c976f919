/**
 * Section 6 of npm run bench: the client library's weight in a page, minified and gzipped (aim:
 * ≤ 5 KiB), beside the clients of Socket.IO and Centrifugo bundled the same way (esbuild, ES module,
 * minified; each importing what an application imports). A peer not installed is reported as such.
 */
import { CLIENT_ENTRY, bundleForBrowsers } from './client-bundle';

const AIM_BYTES = 5 * 1024;

/** What each client's application imports, bundled alone. */
export const CLIENT_IMPORTS: Array<[name: string, source: string]> = [
  ['@websocket-sessions/client', `export { SessionClient } from ${JSON.stringify(CLIENT_ENTRY)};`],
  ['socket.io-client', "export { io } from 'socket.io-client';"],
  ['centrifuge', "export { Centrifuge } from 'centrifuge';"],
];

export async function benchClient(): Promise<void> {
  console.log('\nClient bundle (esbuild, ES module, minified; gzip -9)');
  console.log('client                        min KiB   gzip KiB   × ours');
  let ours: number | undefined;
  for (const [name, source] of CLIENT_IMPORTS) {
    let size: { bytes: number; gzipBytes: number };
    try {
      size = await bundleForBrowsers(source);
    } catch (error) {
      if (!String(error).includes('Could not resolve')) throw error;
      console.log(`${name.padEnd(28)}  not installed (npm install brings it as a devDependency)`);
      continue;
    }
    ours ??= size.gzipBytes;
    const ratio = (size.gzipBytes / ours).toFixed(1);
    const aim = name === CLIENT_IMPORTS[0]![0] ? `   aim ≤ 5 KiB: ${size.gzipBytes <= AIM_BYTES ? 'yes' : 'no'}` : '';
    console.log(`${name.padEnd(28)} ${(size.bytes / 1024).toFixed(1).padStart(8)}   ${(size.gzipBytes / 1024).toFixed(2).padStart(8)}   ${ratio.padStart(6)}${aim}`);
  }
}
