/**
 * Builds the libraries a backend installs (packages/publisher, sessions, client) into each package's
 * dist/, a publishable package of its own:
 *
 * - `index.cjs` (CommonJS), bundled by esbuild with the contract and the internal helpers it uses
 *   inlined, npm dependencies staying imports, and `index.mjs`, the ES module entry re-exporting it
 *   (the client's, with no dependencies, a self-contained ES module build);
 * - `types/`: the declarations (`tsc --emitDeclarationOnly` through the compiler API), laid out as the
 *   repository is so their relative imports hold;
 * - `package.json`, generated from the package's own: `exports` with `types`, `import` and `require`,
 *   not private, and `dependencies` exactly the npm packages the bundle imports, at the root
 *   package.json's ranges (a bare import the package does not declare fails the build);
 * - the README, and what the package ships besides (`SHIPPED_FILES`).
 *
 * The package's own package.json stays private with `main: src/index.ts` (the repository's code and
 * tests import the sources); publishing is `npm publish packages/<name>/dist` (README "Packages").
 *
 *   npm run build:packages
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import ts from 'typescript';

export const PUBLISHED_PACKAGES = ['publisher', 'sessions', 'client'] as const;
export type PublishedPackage = (typeof PUBLISHED_PACKAGES)[number];

/** Files a package ships beside its code, by package → paths relative to the package. */
export const SHIPPED_FILES: Record<PublishedPackage, string[]> = {
  publisher: ['README.md', 'queue-message.schema.json'],
  sessions: ['README.md', 'COOKIE.md', 'LOGIN.md'],
  client: ['README.md'],
};

const ROOT = path.resolve(__dirname, '..');
const TYPES_DIR = 'types';

interface PackageJson {
  name: string;
  version: string;
  description?: string;
  license?: string;
  engines?: Record<string, string>;
  sideEffects?: boolean;
  dependencies?: Record<string, string>;
}

/** A failed package build: names the package and what to fix. */
export class PackageBuildError extends Error {
  override readonly name = 'PackageBuildError';
}

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;

/** The npm package a bare import specifier names (`@aws-sdk/client-sqs/dist` → `@aws-sdk/client-sqs`). */
const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** The npm packages a bundle imports, from esbuild's metafile (node: builtins are not packages). */
function importedPackages(metafile: Metafile): string[] {
  const names = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const { path: specifier, external } of output.imports) {
      if (external && !specifier.startsWith('node:')) names.add(packageOf(specifier));
    }
  }
  return [...names].sort();
}

/**
 * index.cjs is the bundle; index.mjs re-exports it by name (Node's wrapper pattern for dual packages):
 * one copy of the code whichever way it is loaded, so `instanceof PublishError` holds across both, and
 * CommonJS dependencies (jsonwebtoken, ioredis) are required as CommonJS, which an ES module bundle's
 * named imports of them cannot do. The names come from an ES module build of the same entry point.
 * A package that imports no npm package (the client) ships that ES module build itself instead: a
 * browser loads it as it is, with no bundler to turn a CommonJS file into a module.
 */
async function bundle(dir: string, platform: 'node' | 'neutral'): Promise<string[]> {
  const common: BuildOptions & { metafile: true } = {
    entryPoints: [path.join(dir, 'src', 'index.ts')],
    bundle: true,
    packages: 'external',
    platform,
    target: 'es2022',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  };
  const [esm, cjs] = await Promise.all([
    build({ ...common, format: 'esm', outfile: 'index.mjs', write: false }),
    build({ ...common, format: 'cjs', outfile: path.join(dir, 'dist', 'index.cjs') }),
  ]);
  const imported = importedPackages(cjs.metafile);
  const names = Object.values(esm.metafile.outputs).flatMap((output) => output.exports);
  if (names.includes('default')) throw new PackageBuildError(`${path.relative(ROOT, dir)}: a default export has no name to re-export; export it by name`);
  const module =
    imported.length === 0 ? esm.outputFiles[0]!.text : `import bundle from './index.cjs';\n\nexport const {\n${names.map((name) => `  ${name},\n`).join('')}} = bundle;\n`;
  await writeFile(path.join(dir, 'dist', 'index.mjs'), module);
  return imported;
}

/** Emits the declarations of the package's entry point and everything it imports under dist/types. */
function emitDeclarations(dir: string): string {
  const configFile = path.join(ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(configFile, (file) => ts.sys.readFile(file));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: ROOT,
    outDir: path.join(dir, 'dist', TYPES_DIR),
    types: ['node'],
  };
  const entry = path.join(dir, 'src', 'index.ts');
  const program = ts.createProgram([entry], options);
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  if (diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' };
    throw new PackageBuildError(`${path.relative(ROOT, dir)}: declarations failed\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
  return `./${TYPES_DIR}/${path.relative(ROOT, entry).replace(/\.ts$/, '.d.ts')}`;
}

/** The published package.json: the package's own facts, the built entry points, the dependencies the bundle imports. */
export function publishedManifest(own: PackageJson, root: PackageJson & { devDependencies?: Record<string, string> }, imported: string[], types: string): Record<string, unknown> {
  const undeclared = imported.filter((name) => own.dependencies?.[name] === undefined);
  if (undeclared.length > 0) throw new PackageBuildError(`${own.name} imports ${undeclared.join(', ')}: declare them in its package.json's dependencies`);
  const dependencies: Record<string, string> = {};
  for (const name of imported) {
    const range = own.dependencies?.[name] as string;
    const rootRange = root.dependencies?.[name] ?? root.devDependencies?.[name];
    if (rootRange !== range) throw new PackageBuildError(`${own.name} declares ${name}@${range}, the root package.json ${name}@${rootRange ?? '(none)'}: keep them equal`);
    dependencies[name] = range;
  }
  return {
    name: own.name,
    version: own.version,
    description: own.description,
    license: own.license ?? root.license,
    engines: root.engines,
    ...(own.sideEffects === undefined ? {} : { sideEffects: own.sideEffects }),
    main: './index.cjs',
    module: './index.mjs',
    types,
    exports: {
      '.': { types, import: './index.mjs', require: './index.cjs' },
      './package.json': './package.json',
      ...Object.fromEntries(
        SHIPPED_FILES[own.name.replace('@websocket-sessions/', '') as PublishedPackage]
          .filter((file) => file.endsWith('.json'))
          .map((file) => [`./${file}`, `./${file}`]),
      ),
    },
    ...(Object.keys(dependencies).length > 0 ? { dependencies } : {}),
  };
}

/** Builds one package into packages/<name>/dist; resolves with the dist directory. */
export async function buildPackage(name: PublishedPackage): Promise<string> {
  const dir = path.join(ROOT, 'packages', name);
  const dist = path.join(dir, 'dist');
  await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  const imported = await bundle(dir, name === 'client' ? 'neutral' : 'node');
  const types = emitDeclarations(dir);
  const manifest = publishedManifest(await readJson(path.join(dir, 'package.json')), await readJson(path.join(ROOT, 'package.json')), imported, types);
  await writeFile(path.join(dist, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const file of SHIPPED_FILES[name]) await cp(path.join(dir, file), path.join(dist, file));
  return dist;
}

export async function buildPackages(): Promise<Record<PublishedPackage, string>> {
  const built: Partial<Record<PublishedPackage, string>> = {};
  for (const name of PUBLISHED_PACKAGES) built[name] = await buildPackage(name);
  return built as Record<PublishedPackage, string>;
}

if (require.main === module) {
  buildPackages()
    .then((built) => {
      for (const dist of Object.values(built)) console.log(`built ${path.relative(ROOT, dist)}`);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
