import { readFileSync } from 'node:fs';
import path from 'node:path';

const README = path.resolve(__dirname, '..', '..', 'examples', 'login-flow', 'README.md');

/** A demo account as the login example's README gives it ("Demo accounts"): its email, password and second factor's cell. */
export interface DocumentedAccount {
  email: string;
  password: string;
  secondFactor: string;
}

/** The README's "Demo accounts" table, the one place the demo passwords are written down. */
export function documentedAccounts(): DocumentedAccount[] {
  const section = readFileSync(README, 'utf8').split('## Demo accounts')[1]!.split('\n## ')[0]!;
  return [...section.matchAll(/^\| `([^`]+@[^`]+)` \| `([^`]+)` \| (.+) \|$/gm)].map(([, email, password, secondFactor]) => ({ email: email!, password: password!, secondFactor: secondFactor! }));
}

/** The documented password of a demo account. */
export function documentedPassword(email: string): string {
  const account = documentedAccounts().find((candidate) => candidate.email === email);
  if (!account) throw new Error(`${email} is not a demo account of examples/login-flow/README.md`);
  return account.password;
}

/** The README's route table: the route keys it lists, in order. */
export function documentedRouteKeys(): string[] {
  return [...readFileSync(README, 'utf8').matchAll(/^\| `((?:GET|POST) \/[^`]+)` \|/gm)].map(([, key]) => key!);
}
