/**
 * Bundles each Lambda entry point (functions/*.ts, and the examples' EXAMPLE_FUNCTIONS) with esbuild
 * into dist/<name>.zip and writes dist/manifest.json: each zip's hash and size, and the IAM actions
 * its code needs (scripts/sdk-actions.ts), and the settings it reads as its `<name>.settings.ts` declares
 * them (functions/settings/index.ts); and dist/sessions.json, the same for the user sessions library.
 * Reproducible: the same commit gives byte-identical zips (fixed entry order, timestamps and modes,
 * no absolute paths), so every environment deploys the same artifact hash.
 *
 *   npm run build
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { ZipFile } from 'yazl';
import { FUNCTION_SETTINGS } from '../functions/settings';
import { manifestOf, type SettingManifest } from '../packages/contract/src/settings';
import { settings as sessionSettings } from '../packages/sessions/src/settings';
import { LOGIN_SETTINGS } from '../packages/sessions/src/login/settings';
import { analyzeEntries, type FunctionPermissions } from './sdk-actions';
import { keepSources, type RawSourceMap } from './sourcemap';
import { noRedisPlugin, semverShimPlugin } from './shims/plugin';
import { stripSettingDocsPlugin } from './strip-setting-docs';

export const FUNCTIONS = ['authorizer', 'connect', 'disconnect', 'message', 'sweeper', 'fanout'] as const;
/**
 * Functions of the examples, bundled the same way into dist/ beside the stack's (the root module never
 * deploys them; the example that uses one does), by name → entry point. The login API reads sessions
 * from DynamoDB only, so it is bundled without the Redis client (`WITHOUT_REDIS`).
 */
export const EXAMPLE_FUNCTIONS = {
  teleprinter: 'examples/anonymous-resume/functions/teleprinter.ts',
  'login-api': 'examples/login-flow/functions/login-api.ts',
} as const;
const WITHOUT_REDIS: ReadonlySet<string> = new Set(['login-api']);
export type FunctionName = (typeof FUNCTIONS)[number] | keyof typeof EXAMPLE_FUNCTIONS;
/** Every zip the build writes, by name → entry point, in manifest order. */
export const ENTRY_POINTS: ReadonlyArray<readonly [FunctionName, string]> = [
  ...FUNCTIONS.map((name) => [name, `functions/${name}.ts`] as const),
  ...Object.entries(EXAMPLE_FUNCTIONS).map(([name, entry]) => [name as keyof typeof EXAMPLE_FUNCTIONS, entry] as const),
];

/**
 * The parts of packages/sessions that customers' functions run against the stack's table, by name →
 * entry point: the build writes what each calls (and the settings they read) into dist/sessions.json,
 * the user sessions' policy and environment in Terraform are checked against it.
 */
export const SESSIONS_ENTRY_POINTS = [
  ['service', 'packages/sessions/src/service.ts'],
  ['login', 'packages/sessions/src/login/index.ts'],
] as const;
export type SessionsPart = (typeof SESSIONS_ENTRY_POINTS)[number][0];

/**
 * dist/sessions.json: the AWS calls of the user sessions' service and login coordinator (the
 * `user_sessions_policy_json` grants exactly these) and the settings they read, with the root
 * module's `user_sessions` attributes holding their bounds (test/terraform/user-sessions.tftest.hcl).
 */
export interface SessionsManifest {
  permissions: Record<SessionsPart, FunctionPermissions>;
  settings: SettingManifest[];
}

/** The size every zip aims to stay under: 250 KB keeps a function's init near a bare `node` start (the bench measures it). */
export const ZIP_AIM_BYTES = 250_000;
/**
 * Each zip's size budget in bytes: its size when the budget was set plus about 10 % room, at most the
 * aim, so one function's growth is seen before it reaches the aim. Sizes are deterministic
 * (reproducible builds), so test/integration/build.test.ts holds every zip to its budget; raise one
 * on purpose, with the bench's figures, never to make the test pass.
 */
export const ZIP_BUDGET_BYTES: Readonly<Record<FunctionName, number>> = {
  authorizer: 212_000,
  connect: 170_000,
  disconnect: 182_000,
  message: 250_000,
  sweeper: 178_000,
  fanout: 207_000,
  teleprinter: 168_000,
  'login-api': 250_000,
};

const ROOT = path.resolve(__dirname, '..');
/** DOS time has no zone; built from local fields so the bytes do not depend on the machine's TZ. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

export interface ManifestEntry {
  file: string;
  sha256: string;
  bytes: number;
  /** Size of the bundled index.js before compression. */
  bundleBytes: number;
  /**
   * The AWS calls the function's code can make, as IAM actions (scripts/sdk-actions.ts): what its role
   * must grant, no more (test/terraform/permissions.tftest.hcl checks every role against it).
   */
  permissions: FunctionPermissions;
  /**
   * The settings the function reads, with their rules and where the Terraform module takes them from
   * (test/terraform/settings.tftest.hcl checks each function's environment against it; the sandbox
   * builds the functions' environments from it).
   */
  settings: SettingManifest[];
}
export type Manifest = Record<FunctionName, ManifestEntry>;

/** How a function's code is bundled (also what scripts/login-bundle-size.ts measures with). */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  // The SDK's ES builds tree-shake; its CommonJS builds pull in every command.
  mainFields: ['module', 'main'],
  target: 'node22',
  format: 'cjs',
  minify: true,
  treeShaking: true,
  legalComments: 'none',
  // The settings' descriptions and Terraform sources are for the manifest and the docs only;
  // jsonwebtoken's three Node version checks need no full semver.
  plugins: [stripSettingDocsPlugin, semverShimPlugin],
  write: false,
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** Bundles one entry point into its files (index.js and its map); `extra` for the bench's variants (`external`, more `plugins`). */
export async function bundle(name: FunctionName, entry: string, extra: Pick<BuildOptions, 'external' | 'plugins'> = {}): Promise<Map<string, Buffer>> {
  const { plugins = [], ...rest } = extra;
  const result = await build({
    ...BUNDLE_OPTIONS,
    plugins: [...BUNDLE_OPTIONS.plugins, ...(WITHOUT_REDIS.has(name) ? [noRedisPlugin] : []), ...plugins],
    ...rest,
    entryPoints: [path.join(ROOT, entry)],
    outfile: path.join(ROOT, 'dist', 'build', name, 'index.js'),
    absWorkingDir: ROOT,
    sourcemap: 'external',
    sourcesContent: false,
  });
  const files = new Map<string, Buffer>();
  for (const output of result.outputFiles) {
    const name = path.basename(output.path);
    if (name.endsWith('.map')) {
      const map = JSON.parse(output.text) as RawSourceMap;
      files.set(name, Buffer.from(JSON.stringify(keepSources(map, (source) => !source.includes('node_modules/')))));
    } else {
      files.set(name, Buffer.from(output.contents));
    }
  }
  return files;
}

/** The files as a reproducible zip (fixed order, timestamps and modes). */
export function zip(files: Map<string, Buffer>): Promise<Buffer> {
  const archive = new ZipFile();
  for (const name of [...files.keys()].sort()) {
    archive.addBuffer(files.get(name)!, name, { mtime: FIXED_MTIME, mode: 0o100644, forceDosTimestamp: true, compressionLevel: 9 });
  }
  archive.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    archive.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    archive.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    archive.outputStream.on('error', reject);
  });
}

/** The permissions depend on the sources only: computed once per process (a type-checked program). */
let permissionsOfEntries: ReturnType<typeof analyzeEntries<FunctionName | SessionsPart>> | undefined;

/** Builds every function into `outDir` (default dist/) and returns the manifest it wrote. */
export async function buildAll(outDir: string = path.join(ROOT, 'dist')): Promise<Manifest> {
  await mkdir(outDir, { recursive: true });
  const manifest = {} as Manifest;
  permissionsOfEntries ??= analyzeEntries<FunctionName | SessionsPart>([...ENTRY_POINTS, ...SESSIONS_ENTRY_POINTS]);
  const permissions = permissionsOfEntries;
  for (const [name, entry] of ENTRY_POINTS) {
    const files = await bundle(name, entry);
    const archive = await zip(files);
    const file = `${name}.zip`;
    await writeFile(path.join(outDir, file), archive);
    manifest[name] = {
      file,
      sha256: createHash('sha256').update(archive).digest('hex'),
      bytes: archive.length,
      bundleBytes: files.get('index.js')?.length ?? 0,
      permissions: permissions[name],
      settings: manifestOf(FUNCTION_SETTINGS[name]),
    };
  }
  await writeFile(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  const sessions: SessionsManifest = {
    permissions: Object.fromEntries(SESSIONS_ENTRY_POINTS.map(([part]) => [part, permissions[part]])) as SessionsManifest['permissions'],
    settings: manifestOf([...sessionSettings, ...LOGIN_SETTINGS]),
  };
  await writeFile(path.join(outDir, 'sessions.json'), JSON.stringify(sessions, null, 2) + '\n');
  return manifest;
}

if (require.main === module) {
  const outDir = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
  buildAll(outDir).then(
    (manifest) => {
      for (const [name, entry] of Object.entries(manifest)) {
        console.log(`${name.padEnd(11)} ${(entry.bytes / 1024).toFixed(1).padStart(7)} KiB  sha256 ${entry.sha256}`);
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
