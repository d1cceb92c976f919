import type { Manifest, ManifestEntry } from '../../scripts/build';
import { differences, releaseManifestOf, uploadList } from '../../scripts/release';

const entry = (sha256: string): ManifestEntry => ({ file: 'x.zip', sha256, bytes: 3, bundleBytes: 9, permissions: { actions: [], queryIndexes: [], connectionMethods: [] }, settings: [] });
const manifest = (hashes: Record<string, string>) => Object.fromEntries(Object.entries(hashes).map(([name, sha]) => [name, entry(sha)])) as unknown as Manifest;
const SHA = (c: string) => c.repeat(64);

describe('release', () => {
  it('finds the zips two builds disagree on, and a zip only one of them wrote', () => {
    expect(differences(manifest({ connect: SHA('a'), message: SHA('b') }), manifest({ connect: SHA('a'), message: SHA('b') }))).toEqual([]);
    expect(differences(manifest({ connect: SHA('a'), message: SHA('b') }), manifest({ connect: SHA('a'), message: SHA('c') }))).toEqual([`message: ${SHA('b')} != ${SHA('c')}`]);
    expect(differences(manifest({ connect: SHA('a') }), manifest({ connect: SHA('a'), sweeper: SHA('d') }))).toEqual([`sweeper: missing != ${SHA('d')}`]);
  });

  it('keys each zip by its function and content hash, and lists its checksum in base64 as S3 expects', () => {
    const hashes = { authorizer: SHA('0'), connect: SHA('1'), disconnect: SHA('2'), fanout: SHA('3'), message: SHA('4'), sweeper: SHA('5'), teleprinter: SHA('6') };
    const released = releaseManifestOf(manifest(hashes));
    expect(Object.keys(released)).not.toContain('teleprinter');
    expect(released.connect).toEqual({ file: 'x.zip', sha256: SHA('1'), bytes: 3, key: `connect/${SHA('1')}.zip` });
    expect(uploadList(released).split('\n')[1]).toBe(`connect/${SHA('1')}.zip ${Buffer.from(SHA('1'), 'hex').toString('base64')} 3`);
  });
});
