import { readChoice, readOptionalString, readString } from './config';
import { configureLog, type Level } from './log';

export interface CommonConfig {
  tableName: string;
  logLevel: Level;
  metricsNamespace: string;
}

/** Reads the settings every function shares and configures logging. Throws `ConfigError` on bad values. */
export function readCommonConfig(env: Record<string, string | undefined> = process.env): CommonConfig {
  const config: CommonConfig = {
    tableName: readString('TABLE_NAME', env),
    logLevel: readChoice('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info', env),
    metricsNamespace: readOptionalString('METRICS_NAMESPACE', env) ?? 'WebSocketSessions',
  };
  configureLog({ level: config.logLevel, namespace: config.metricsNamespace });
  return config;
}
