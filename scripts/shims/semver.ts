/**
 * What the Lambda bundles give `jsonwebtoken` for `require('semver')`: its only use is three feature
 * checks of the running Node, `semver.satisfies(process.version, '>=15.7.0' | '^6.12.0 || >=8.0.0' |
 * '>=16.9.0')`, evaluated once at load. The real package is 29 KB of every bundle that verifies JWTs;
 * this answers the same for ranges made of `>=X.Y.Z` and `^X.Y.Z` comparators joined by `||`
 * (test/unit/semver-shim.test.ts compares it with the real package) and throws on anything else, so a
 * jsonwebtoken upgrade that asks more fails at init instead of answering wrong.
 */
type Version = [number, number, number];

function parse(text: string, what: string): Version {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`semver shim: unsupported ${what} ${JSON.stringify(text)}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

function satisfiesComparator(version: Version, comparator: string): boolean {
  const text = comparator.trim();
  if (text.startsWith('>=')) return compare(version, parse(text.slice(2), 'range')) >= 0;
  if (text.startsWith('^')) {
    const base = parse(text.slice(1), 'range');
    // ^X.Y.Z: at least X.Y.Z and below the next major (for X ≥ 1; the checks above never use ^0).
    if (base[0] === 0) throw new Error(`semver shim: unsupported range ^${text.slice(1)}`);
    return compare(version, base) >= 0 && version[0] === base[0];
  }
  throw new Error(`semver shim: unsupported range ${JSON.stringify(comparator)}`);
}

export function satisfies(version: string, range: string): boolean {
  const parsed = parse(version, 'version');
  return range.split('||').some((comparator) => satisfiesComparator(parsed, comparator));
}
