import { loadKeyMaterial } from '../auth/keys';
import { readOptionalString } from '../../../packages/contract/src/readers';
import { ConfigError } from '../../../packages/contract/src/config-error';

/**
 * The key resume tokens are signed with: SESSION_KEY_SSM_PARAMETER (a SecureString, what the module
 * creates) or SESSION_KEY_SECRET_ARN, read once per container; or SESSION_KEY itself (the sandbox).
 * Exactly one; at least 32 characters.
 */
export function readSessionKey(env: Record<string, string | undefined> = process.env): () => Promise<Buffer> {
  const plain = readOptionalString('SESSION_KEY', env);
  const parameter = readOptionalString('SESSION_KEY_SSM_PARAMETER', env);
  const secret = readOptionalString('SESSION_KEY_SECRET_ARN', env);
  const given = [plain, parameter, secret].filter((value) => value !== undefined).length;
  if (given !== 1) throw new ConfigError('exactly one of SESSION_KEY, SESSION_KEY_SSM_PARAMETER and SESSION_KEY_SECRET_ARN is required (the resume-token key)');
  const check = (material: string): Buffer => {
    if (material.length < 32) throw new ConfigError('the resume-token key must be at least 32 characters');
    return Buffer.from(material, 'utf8');
  };
  if (plain !== undefined) {
    const key = check(plain);
    return async () => key;
  }
  const source = parameter !== undefined ? ({ source: 'ssm', id: parameter } as const) : ({ source: 'secretsmanager', id: secret! } as const);
  return async () => check(await loadKeyMaterial(source));
}
