import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { satisfies } from '../../scripts/shims/semver';

/** The semver jsonwebtoken itself would load, to compare the shim with. */
const real = createRequire(require.resolve('jsonwebtoken'))('semver') as { satisfies(v: string, r: string): boolean };

/** Every range jsonwebtoken passes to semver.satisfies, read from its files (so an upgrade adding one shows here). */
function jsonwebtokenRanges(): string[] {
  const lib = path.join(path.dirname(require.resolve('jsonwebtoken')), 'lib');
  return ['asymmetricKeyDetailsSupported.js', 'psSupported.js', 'rsaPssKeyDetailsSupported.js'].map((file) => {
    const match = /semver\.satisfies\(process\.version, '([^']+)'\)/.exec(readFileSync(path.join(lib, file), 'utf8'));
    if (!match) throw new Error(`jsonwebtoken/lib/${file} no longer calls semver.satisfies(process.version, '…')`);
    return match[1]!;
  });
}

describe('the semver shim bundled for jsonwebtoken', () => {
  const ranges = jsonwebtokenRanges();
  const versions = ['v0.12.18', 'v6.11.5', 'v6.12.0', 'v6.17.1', 'v7.10.1', 'v8.0.0', 'v15.6.0', 'v15.7.0', 'v16.8.9', 'v16.9.0', 'v18.20.4', 'v20.20.2', 'v22.12.0', 'v24.0.0', process.version];

  it('answers as the real semver for every range jsonwebtoken uses, on every Node version', () => {
    expect(ranges).toEqual(['>=15.7.0', '^6.12.0 || >=8.0.0', '>=16.9.0']);
    for (const range of ranges) for (const version of versions) expect([version, range, satisfies(version, range)]).toEqual([version, range, real.satisfies(version, range)]);
  });

  it('refuses what it does not implement instead of answering wrong', () => {
    for (const range of ['~1.2.3', '<2.0.0', '1.x', '^0.2.0', '>=1.2']) expect(() => satisfies('v20.0.0', range)).toThrow(/semver shim: unsupported/);
    expect(() => satisfies('20', '>=1.0.0')).toThrow(/unsupported version/);
  });
});
