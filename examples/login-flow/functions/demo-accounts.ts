import { scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { CredentialCheck } from '../../../packages/sessions/src/login/types';

/** A demo account: its scrypt hash (N=16384, r=8, p=1, 32 bytes) and, for one with a second factor, its TOTP secret. */
interface DemoAccount {
  userId: string;
  email: string;
  salt: string;
  hash: string;
  totpSecretBase32?: string;
}

/**
 * The example's accounts. Their passwords are in the README ("Demo accounts"), the TOTP secret is RFC
 * 4226's test secret in base32: anyone can sign in as them. Replace `checkDemoCredentials` and
 * `demoTotpSecret` with your user store before deploying anything real.
 */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { userId: 'ada', email: 'ada@example.com', salt: 'SK3YHf/tIS/AEVXxbVi6Bw==', hash: '1bIg+jwnxoOnDK3/7FeoU7/A9DjXCDUqxmtxu0hhe9s=' },
  {
    userId: 'grace',
    email: 'grace@example.com',
    salt: 'bnbqQMOr1uh9n96yhit6NQ==',
    hash: 'CoYC/G9M4XxBg99BuSrlYNoyih/Zt0LUNJGmEXybyx8=',
    totpSecretBase32: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
  },
];

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>;

/**
 * The demo password verifier (the coordinator's `checkCredentials`): the email's account when the
 * password's scrypt hash matches, compared in constant time; an unknown email costs one hash too, so
 * timing does not tell which emails exist.
 *
 * @example
 * await checkDemoCredentials({ email: 'ada@example.com', password, ip }); // { userId: 'ada', mfaRequired: false }
 */
export const checkDemoCredentials: CredentialCheck = async ({ email, password }) => {
  const account = DEMO_ACCOUNTS.find((candidate) => candidate.email === email);
  const expected = Buffer.from((account ?? DEMO_ACCOUNTS[0]!).hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from((account ?? DEMO_ACCOUNTS[0]!).salt, 'base64'), expected.length);
  if (!account || !timingSafeEqual(actual, expected)) return undefined;
  return { userId: account.userId, email: account.email, mfaRequired: account.totpSecretBase32 !== undefined };
};

/** The TOTP factor's `secretFor`: the demo account's secret (base32), or none. */
export const demoTotpSecret = async (userId: string): Promise<string | undefined> => DEMO_ACCOUNTS.find((account) => account.userId === userId)?.totpSecretBase32;
