import Module from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_SETTINGS } from '../../functions/settings';
import type { Setting } from '../../packages/contract/src/settings';
import { stripSettingDocs, stripSettingDocsPlugin } from '../../scripts/strip-setting-docs';

const ROOT = path.resolve(__dirname, '..', '..');

/** functions/settings/index.ts bundled as the Lambda bundles are (with the plugin), then loaded. */
async function bundledSettings(): Promise<typeof FUNCTION_SETTINGS> {
  const result = await build({
    entryPoints: [path.join(ROOT, 'functions', 'settings', 'index.ts')],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    plugins: [stripSettingDocsPlugin],
  });
  const [output] = result.outputFiles;
  const loaded = new Module('bundled-settings');
  (loaded as unknown as { _compile(code: string, file: string): void })._compile(output!.text, path.join(ROOT, 'bundled-settings.js'));
  return (loaded.exports as { FUNCTION_SETTINGS: typeof FUNCTION_SETTINGS }).FUNCTION_SETTINGS;
}

describe('strip-setting-docs (the settings prose left out of the bundles)', () => {
  it('removes description and terraform from object literals, wherever they stand, and nothing else', () => {
    const source = [
      "export const A = integer({ name: 'A', description: 'first, with a comma', min: 1, max: 2, terraform: { source: '`a`', variable: 'a' } });",
      "export const B = choice({ description: 'b', name: 'B', choices: ['x'] as const, terraform: { source: 'b' } });",
      "export const C = [{ ...A, terraform: { source: 'c' } }, { ...B, terraform: undefined }];",
    ].join('\n');
    expect(stripSettingDocs(source, 'x.settings.ts').replace(/ {2,}/g, ' ')).toBe(
      [
        "export const A = integer({ name: 'A', min: 1, max: 2, });",
        "export const B = choice({ name: 'B', choices: ['x'] as const, });",
        'export const C = [{ ...A, }, { ...B, }];',
      ].join('\n'),
    );
  });

  it("every function's bundled settings are its declarations without description and terraform", async () => {
    const bundled = await bundledSettings();
    const withoutDocs = Object.fromEntries(
      Object.entries(FUNCTION_SETTINGS).map(([fn, settings]) => [fn, (settings as readonly Setting[]).map(({ description: _d, terraform: _t, ...rest }) => rest)]),
    );
    expect(bundled).toEqual(withoutDocs);
    // The test would pass vacuously if nothing were documented.
    expect(Object.values(FUNCTION_SETTINGS).flat().filter((s) => s.description.length > 0).length).toBeGreaterThan(20);
  });
});
