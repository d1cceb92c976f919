import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '../../packages/contract/src/error-codes';
import { errorFrame } from '../../packages/contract/src/frames';
import { FILES, errorCodesTable, withSections } from '../../scripts/contract-docs';

const ROOT = path.resolve(__dirname, '..', '..');

/** The relative modules a folder's TypeScript files import, resolved from the repository's root. */
function relativeImports(dir: string): Array<{ file: string; target: string }> {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .flatMap((name) => {
      const file = path.join(dir, name);
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => ({
        file,
        target: path.relative(ROOT, path.resolve(ROOT, path.dirname(file), match[1]!)),
      }));
    });
}

describe('the contract', () => {
  it.each(FILES.map((file) => [path.relative(ROOT, file), file]))('generates its sections of %s (run `npm run docs` after changing it)', (_name, file) => {
    const doc = readFileSync(file, 'utf8');
    expect(withSections(file, doc)).toBe(doc);
  });

  it('refuses to regenerate a doc that lost its markers, naming the file', () => {
    const [file] = FILES;
    expect(() => withSections(file!, '# no markers here\n')).toThrow(`${file} lacks the markers`);
  });

  it('documents every error code, and none of those the fan-out sends as reserved', () => {
    const tableText = errorCodesTable();
    for (const code of Object.keys(ERROR_CODES)) expect(tableText).toContain(`| \`${code}\` |`);
    for (const code of ['SESSION_REVOKED', 'SESSION_EVICTED', 'DISCONNECTED']) expect(tableText).toMatch(new RegExp(`\\| \`${code}\` \\| user sessions|\\| \`${code}\` \\| a backend`));
    expect(errorFrame({ code: 'VERSION_CONFLICT', message: 'stale' })).toEqual({ type: 'error', code: 'VERSION_CONFLICT', message: 'stale', retryable: false });
  });

  it.each([
    ['packages/contract/src', ['packages/contract/src']],
    ['packages/publisher/src', ['packages/contract/src', 'packages/publisher/src']],
    ['examples/anonymous-resume/functions', ['packages/contract/src', 'packages/publisher/src', 'examples/anonymous-resume/functions']],
  ])('is all %s imports of this repository', (dir, allowed) => {
    const outside = relativeImports(dir).filter(({ target }) => !allowed.some((root) => target === root || target.startsWith(`${root}/`)));
    expect(outside).toEqual([]);
  });
});
