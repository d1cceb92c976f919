/**
 * The teleprinter's settings (read at init by teleprinter.ts and teleprinter-core.ts; listed in
 * dist/manifest.json by the build). Its Terraform is the example's main.tf, not the module's.
 */
import { integer, string } from '../../../functions/lib/config/settings';
import { AWS_REQUEST_TIMEOUT_MS, CONNECTION_TTL_SECONDS, LOG_LEVEL, METRICS_NAMESPACE, TABLE_NAME } from '../../../functions/settings/shared';

export const TELEPRINTER_INTERVAL_MS = /* @__PURE__ */ integer({
  name: 'TELEPRINTER_INTERVAL_MS',
  default: 100,
  min: 1,
  max: 10_000,
  description: 'the time between two characters',
  terraform: { source: '`teleprinter_interval_ms`', variable: 'teleprinter_interval_ms' },
});
export const TELEPRINTER_TEXT = /* @__PURE__ */ string({
  name: 'TELEPRINTER_TEXT',
  description: 'the text printed, one character per frame (default: the opening of the Gettysburg Address)',
  terraform: { source: '`teleprinter_text`', variable: 'teleprinter_text', when: 'teleprinter_text is set' },
});
export const MANAGEMENT_ENDPOINT = /* @__PURE__ */ string({ name: 'MANAGEMENT_ENDPOINT', description: "the Management API's endpoint; unset, derived from each event" });

export const settings = [
  { ...TABLE_NAME, terraform: { source: "the module's `table_name`" } },
  { ...LOG_LEVEL, terraform: { source: '`"info"`' } },
  { ...METRICS_NAMESPACE, terraform: undefined },
  AWS_REQUEST_TIMEOUT_MS,
  TELEPRINTER_INTERVAL_MS,
  TELEPRINTER_TEXT,
  { ...CONNECTION_TTL_SECONDS, terraform: { source: "the module's connect function's `CONNECTION_TTL_SECONDS`" } },
  MANAGEMENT_ENDPOINT,
];
