import { readChoiceSetting, readStringSetting } from '../../../packages/contract/src/settings';
import { LOG_LEVEL, METRICS_NAMESPACE, TABLE_NAME } from '../../settings/shared';
import { configureLog, type Level } from '../log';

export interface CommonConfig {
  tableName: string;
  logLevel: Level;
  metricsNamespace: string;
}

/** Reads the settings every function shares and configures logging. Throws `ConfigError` on bad values. */
export function readCommonConfig(env: Record<string, string | undefined> = process.env): CommonConfig {
  const config: CommonConfig = {
    tableName: readStringSetting(TABLE_NAME, env) as string,
    logLevel: readChoiceSetting(LOG_LEVEL, env),
    metricsNamespace: readStringSetting(METRICS_NAMESPACE, env) as string,
  };
  configureLog({ level: config.logLevel, namespace: config.metricsNamespace });
  return config;
}
