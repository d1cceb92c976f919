import fc from 'fast-check';
import { decodeBase32, encodeBase32, hotp, totp, verifyTotp, type TotpAlgorithm } from '../../packages/sessions/src/login';

// RFC 6238 Appendix B: the seeds are the ASCII digits "1234567890" repeated to the hash's block of key (20, 32, 64 bytes).
const seed = (bytes: number) => Buffer.from('1234567890'.repeat(7).slice(0, bytes));
const SEEDS: Record<TotpAlgorithm, Buffer> = { sha1: seed(20), sha256: seed(32), sha512: seed(64) };

// prettier-ignore
const RFC6238_APPENDIX_B: Array<[number, TotpAlgorithm, string]> = [
  [59, 'sha1', '94287082'], [59, 'sha256', '46119246'], [59, 'sha512', '90693936'],
  [1111111109, 'sha1', '07081804'], [1111111109, 'sha256', '68084774'], [1111111109, 'sha512', '25091201'],
  [1111111111, 'sha1', '14050471'], [1111111111, 'sha256', '67062674'], [1111111111, 'sha512', '99943326'],
  [1234567890, 'sha1', '89005924'], [1234567890, 'sha256', '91819424'], [1234567890, 'sha512', '93441116'],
  [2000000000, 'sha1', '69279037'], [2000000000, 'sha256', '90698825'], [2000000000, 'sha512', '38618901'],
  [20000000000, 'sha1', '65353130'], [20000000000, 'sha256', '77737706'], [20000000000, 'sha512', '47863826'],
];

// RFC 4226 Appendix D: HOTP of the 20-byte seed for counters 0–9, 6 digits.
const RFC4226_APPENDIX_D = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC6238_APPENDIX_B)('gives the Appendix B code at %i s with %s', (time, algorithm, code) => {
    expect(totp(SEEDS[algorithm], time, { algorithm, digits: 8 })).toBe(code);
  });

  it.each(RFC6238_APPENDIX_B)('accepts the Appendix B code at %i s with %s and no window', (time, algorithm, code) => {
    expect(verifyTotp({ secret: SEEDS[algorithm], code, unixSeconds: time, windowSteps: 0, options: { algorithm, digits: 8 } })).toBe(Math.floor(time / 30));
  });

  it('gives the RFC 4226 Appendix D HOTP values', () => {
    expect(RFC4226_APPENDIX_D.map((_, counter) => hotp(SEEDS.sha1, counter))).toEqual(RFC4226_APPENDIX_D);
  });

  it('accepts a code one step either side within a window of 1, and not two steps away', () => {
    const at = 1_784_073_615;
    const codeAt = (offset: number) => totp(SEEDS.sha1, at + offset * 30);
    const step = Math.floor(at / 30);
    expect(verifyTotp({ secret: SEEDS.sha1, code: codeAt(-1), unixSeconds: at, windowSteps: 1 })).toBe(step - 1);
    expect(verifyTotp({ secret: SEEDS.sha1, code: codeAt(1), unixSeconds: at, windowSteps: 1 })).toBe(step + 1);
    expect(verifyTotp({ secret: SEEDS.sha1, code: codeAt(1), unixSeconds: at, windowSteps: 0 })).toBeUndefined();
    expect(verifyTotp({ secret: SEEDS.sha1, code: codeAt(2), unixSeconds: at, windowSteps: 1 })).toBeUndefined();
  });

  it.each([
    ['a code of the wrong length', '1234567'],
    ['a code with a letter', '12345a'],
    ['an empty code', ''],
  ])('refuses %s', (_, code) => {
    expect(verifyTotp({ secret: SEEDS.sha1, code, unixSeconds: 59 })).toBeUndefined();
  });

  it.each([
    [{ digits: 5 }, 'digits must be 6, 7 or 8'],
    [{ digits: 9 }, 'digits must be 6, 7 or 8'],
    [{ stepSeconds: 0 }, 'stepSeconds'],
    [{ algorithm: 'md5' as TotpAlgorithm }, 'algorithm'],
  ])('refuses the options %j', (options, message) => {
    expect(() => totp(SEEDS.sha1, 59, options)).toThrow(message);
  });
});

describe('base32 (RFC 4648)', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('encodes %j as the RFC 4648 §10 vector %s and decodes it back, padded or not', (text, encoded) => {
    expect(encodeBase32(Buffer.from(text))).toBe(encoded);
    expect(decodeBase32(encoded).toString()).toBe(text);
    expect(decodeBase32(`${encoded.toLowerCase()}${'='.repeat((8 - (encoded.length % 8)) % 8)}`).toString()).toBe(text);
  });

  it('round-trips any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => Buffer.from(bytes).equals(decodeBase32(encodeBase32(bytes)))));
  });

  it('refuses a character outside the alphabet', () => {
    expect(() => decodeBase32('MZXW1')).toThrow('not base32: "1"');
  });
});
