/** A setting in the function's environment is missing, malformed or out of range. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
