import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../packages/contract/src/config-error';
import { EXAMPLE_SECRETS, parseKeySet } from '../../packages/sessions/src/cookie';
import { keySetJson, randomSecret } from '../helpers/cookie-keys';

const document = (keys: unknown, current: unknown = 'k1') => JSON.stringify({ keys, current });
const one = (secret: string) => document([{ id: 'k1', secret }]);
const bytes = (values: number[]) => Buffer.from(values).toString('base64');

describe('the cookie key set', () => {
  it('holds every key by id and the current one', () => {
    const keys = parseKeySet(keySetJson(['a', 'b', 'c'], 'b'));
    expect(keys.current.id).toBe('b');
    expect([...keys.byId.keys()]).toEqual(['a', 'b', 'c']);
    expect(keys.current.key.symmetricKeySize).toBe(32);
  });

  it.each([
    ['not JSON', '{keys:', 'is not JSON'],
    ['an array', '[]', 'must be a JSON object'],
    ['without current', JSON.stringify({ keys: [{ id: 'k1', secret: randomSecret() }] }), 'must be a JSON object'],
    ['without keys', document([]), 'must hold 1–16 keys, got 0'],
    ['with 17 keys', keySetJson(Array.from({ length: 17 }, (_, i) => `k${i}`)), 'must hold 1–16 keys, got 17'],
    ['with a key that is not an object', document(['k1']), 'cookie key 0 must be an object'],
    ['with a numeric secret', document([{ id: 'k1', secret: 7 }]), 'cookie key 0 must be an object'],
    ['with a key id outside the alphabet', document([{ id: 'k 1', secret: randomSecret() }], 'k 1'), "cookie key 0's id must be 1–32 characters"],
    ['with a key id of 33 characters', document([{ id: 'k'.repeat(33), secret: randomSecret() }]), "cookie key 0's id must be 1–32 characters"],
    ['with one id twice', document([{ id: 'k1', secret: randomSecret() }, { id: 'k1', secret: randomSecret() }]), 'cookie key id k1 appears twice'],
    ['whose current key is not in it', document([{ id: 'k1', secret: randomSecret() }], 'k2'), 'current key "k2" is not one of its keys'],
    ['longer than 8192 characters', `${keySetJson(['k1'])}${' '.repeat(8192)}`, 'at most 8192 characters'],
  ])('is a ConfigError when %s', (_label, json, rule) => {
    expect(() => parseKeySet(json)).toThrow(ConfigError);
    expect(() => parseKeySet(json)).toThrow(rule);
  });

  describe('weak secrets are a ConfigError naming the rule', () => {
    it.each([
      ['16 bytes', Buffer.alloc(16, 7).fill(3, 8).toString('base64'), 'is too short: it must be the base64 of 32 random bytes, got 16 bytes'],
      ['empty', '', 'is too short'],
      ['33 bytes', Buffer.concat([Buffer.from(randomSecret(), 'base64'), Buffer.from([1])]).toString('base64'), 'must be the base64 (44 characters, standard alphabet, = padded) of exactly 32'],
      ['a passphrase, not base64', 'correct horse battery staple and some more words!', 'must be the base64'],
      ['base64url', randomSecret().replace(/=$/, ''), 'must be the base64'],
      ['32 zero bytes', Buffer.alloc(32).toString('base64'), 'is one byte repeated'],
      ['32 times 0xff', Buffer.alloc(32, 0xff).toString('base64'), 'is one byte repeated'],
      ['a repeated word', Buffer.from('changeit'.repeat(4)).toString('base64'), 'has fewer than 12 distinct byte values'],
      ['a counter mod 8', bytes(Array.from({ length: 32 }, (_, i) => i % 8)), 'has fewer than 12 distinct byte values'],
      ['the first example of COOKIE.md', EXAMPLE_SECRETS[0]!, 'is a published example value'],
    ])('%s', (_label, secret, rule) => {
      expect(() => parseKeySet(one(secret))).toThrow(ConfigError);
      expect(() => parseKeySet(one(secret))).toThrow(`the secret of cookie key k1 ${rule}`);
    });

    it('one secret under two ids (a rotation that changed nothing)', () => {
      const secret = randomSecret();
      expect(() => parseKeySet(document([{ id: 'k1', secret }, { id: 'k2', secret }]))).toThrow("the secret of cookie key k2 is also another key's");
    });

    it('never puts the secret in the message', () => {
      const secret = Buffer.alloc(32, 1).toString('base64');
      expect(() => parseKeySet(one(secret))).toThrow(expect.objectContaining({ message: expect.not.stringContaining(secret) }));
    });
  });

  it('accepts 32 bytes of 12 distinct values (the least that is not a pattern)', () => {
    expect(parseKeySet(one(bytes(Array.from({ length: 32 }, (_, i) => (i % 12) * 17)))).current.id).toBe('k1');
  });

  it('refuses every secret published in COOKIE.md, and lists no other', () => {
    const docs = readFileSync(join(__dirname, '../../packages/sessions/COOKIE.md'), 'utf8');
    const published = [...docs.matchAll(/"secret": ?"([^"]+)"/g)].map((match) => match[1]);
    expect(published.length).toBeGreaterThan(0);
    expect([...new Set(published)].sort()).toEqual([...EXAMPLE_SECRETS].sort());
    for (const secret of published) expect(() => parseKeySet(one(secret!))).toThrow('is a published example value');
  });
});
