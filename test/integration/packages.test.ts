import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildPackages, PUBLISHED_PACKAGES, type PublishedPackage } from '../../scripts/build-packages';
import { typeCheck } from '../helpers/tsc';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * A backend's project installing the packed tarballs: under the repository so the packages'
 * dependencies (the AWS SDK, ioredis, …) resolve from its node_modules, as npm would have installed
 * them beside the package; each tarball unpacked where `npm install <tarball>` puts it.
 */
let consumer: string;
const tarballs: Partial<Record<PublishedPackage, string>> = {};

const run = (command: string, args: string[]): string => execFileSync(command, args, { cwd: consumer, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Every package's entry points, loaded one way, printed as JSON: what each exports and a real call. */
const probe = (load: (name: string) => string): string => `
${load('publisher')}
${load('sessions')}
${load('client')}
const publisher = createPublisher({ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/fanout.fifo' });
publisher.sendToUser('line\\nbreak', { hello: 'world' }).catch((error) => {
  console.log(JSON.stringify({
    refused: error instanceof PublishError ? error.code : String(error),
    sessions: [typeof createSessionService, typeof readSessionSettings],
    client: [typeof SessionClient, typeof backoffDelay],
  }));
});
`;

beforeAll(async () => {
  mkdirSync(path.join(ROOT, '.test-results'), { recursive: true });
  consumer = mkdtempSync(path.join(ROOT, '.test-results', 'package-consumer-'));
  const built = await buildPackages();
  const packs = path.join(consumer, 'packs');
  mkdirSync(packs);
  for (const name of PUBLISHED_PACKAGES) {
    const [packed] = JSON.parse(run('npm', ['pack', built[name], '--pack-destination', packs, '--json', '--silent'])) as Array<{ filename: string }>;
    const tarball = path.join(packs, packed!.filename);
    const target = path.join(consumer, 'node_modules', '@websocket-sessions', name);
    mkdirSync(target, { recursive: true });
    run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
    tarballs[name] = tarball;
  }
  writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
}, 300_000);

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

describe('the published packages', () => {
  it.each(PUBLISHED_PACKAGES)('packs %s with its built code, types and manifest and nothing of the sources', (name) => {
    const files = run('tar', ['-tzf', tarballs[name]!]).trim().split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/package.json', 'package/index.mjs', 'package/index.cjs', `package/types/packages/${name}/src/index.d.ts`, 'package/README.md']));
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(consumer, 'node_modules', '@websocket-sessions', name, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.private).toBeUndefined();
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain('@websocket-sessions/contract');
  });

  it('gives the client, which has no dependencies, an ES module a browser loads without a bundler', () => {
    const client = path.join(consumer, 'node_modules', '@websocket-sessions', 'client');
    expect(JSON.parse(readFileSync(path.join(client, 'package.json'), 'utf8')).dependencies).toBeUndefined();
    const module = readFileSync(path.join(client, 'index.mjs'), 'utf8');
    expect(module).not.toMatch(/index\.cjs|require\(|from "node:/);
    expect(module).toMatch(/^export \{[^}]*SessionClient/m);
  });

  const expected = { refused: 'BAD_TARGET', sessions: ['function', 'function'], client: ['function', 'function'] };

  it('load with import from an ES module and the bundled contract refuses a bad target', () => {
    const names = { publisher: 'createPublisher, PublishError', sessions: 'createSessionService, readSessionSettings', client: 'SessionClient, backoffDelay' };
    writeFileSync(path.join(consumer, 'probe.mjs'), probe((name) => `import { ${names[name as PublishedPackage]} } from '@websocket-sessions/${name}';`));
    expect(JSON.parse(run(process.execPath, ['probe.mjs']))).toEqual(expected);
  });

  it('load with require from CommonJS', () => {
    const names = { publisher: 'createPublisher, PublishError', sessions: 'createSessionService, readSessionSettings', client: 'SessionClient, backoffDelay' };
    writeFileSync(path.join(consumer, 'probe.cjs'), probe((name) => `const { ${names[name as PublishedPackage]} } = require('@websocket-sessions/${name}');`));
    expect(JSON.parse(run(process.execPath, ['probe.cjs']))).toEqual(expected);
    const schema = run(process.execPath, ['-p', "require('@websocket-sessions/publisher/queue-message.schema.json').$schema"]).trim();
    expect(schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('give a TypeScript consumer the real types (a misuse is a type error)', () => {
    writeFileSync(
      path.join(consumer, 'consumer.ts'),
      `import { createPublisher, type Publisher, type Target } from '@websocket-sessions/publisher';
import { createSessionService, type SessionService } from '@websocket-sessions/sessions';
import { SessionClient, type ClientOptions } from '@websocket-sessions/client';

const publisher: Publisher = createPublisher({ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/fanout.fifo' });
const target: Target = { type: 'user', userId: 'user-42' };
export const sent: Promise<string> = publisher.sendToUser(target.type, { hello: 'world' });
// @ts-expect-error queueUrl is required
createPublisher({});
export type Parts = [SessionService, typeof createSessionService, SessionClient, ClientOptions];
`,
    );
    writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'node16', moduleResolution: 'node16', target: 'es2022', lib: ['es2022', 'dom'], types: ['node'], skipLibCheck: true }, files: ['consumer.ts'] }),
    );
    expect(typeCheck(path.join(consumer, 'tsconfig.json'))).toEqual({ status: 0, output: '' });
  });
});
