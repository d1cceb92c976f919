import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';

function readEntries(archive: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(archive, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new Error('cannot open zip'));
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error(`cannot read ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/**
 * Extracts a Lambda zip the way Lambda does (into its own directory) and returns that directory.
 * Content-addressed, so an unchanged zip is extracted once.
 */
export async function extractZip(zipPath: string): Promise<string> {
  const archive = await readFile(zipPath);
  const digest = createHash('sha256').update(archive).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'websocket-sessions-sandbox', `${path.basename(zipPath, '.zip')}-${digest}`);
  if (existsSync(path.join(dir, '.complete'))) return dir;
  const staging = `${dir}.${process.pid}.${Date.now()}`;
  for (const [name, content] of await readEntries(archive)) {
    const target = path.join(staging, name);
    if (!target.startsWith(staging + path.sep)) throw new Error(`zip entry escapes its directory: ${name}`);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  await writeFile(path.join(staging, '.complete'), '');
  await rm(dir, { recursive: true, force: true });
  try {
    await rename(staging, dir);
  } catch (error) {
    // Another process extracted the same zip first; theirs is identical.
    if (!existsSync(path.join(dir, '.complete'))) throw error;
    await rm(staging, { recursive: true, force: true });
  }
  return dir;
}
