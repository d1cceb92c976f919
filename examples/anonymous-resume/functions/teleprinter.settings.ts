/**
 * The teleprinter's settings (read at init by teleprinter.ts and teleprinter-core.ts; listed in
 * dist/manifest.json by the build). Its Terraform is the example's main.tf, not the module's.
 */
import { choice, integer, string } from '../../../packages/contract/src/settings';

export const TABLE_NAME = /* @__PURE__ */ string({ name: 'TABLE_NAME', required: true, description: "the stack's table", terraform: { source: "the module's `table_name`" } });
export const LOG_LEVEL = /* @__PURE__ */ choice({
  name: 'LOG_LEVEL',
  choices: ['debug', 'info', 'warn', 'error'] as const,
  default: 'info',
  description: 'the lowest level logged',
  terraform: { source: '`"info"`' },
});
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
/** The module's connection lifetime: a session linked to a connection lives as long as the connection's item. */
export const CONNECTION_TTL_SECONDS = /* @__PURE__ */ integer({
  name: 'CONNECTION_TTL_SECONDS',
  default: 7800,
  min: 60,
  max: 7 * 86_400,
  description: "a connection item's lifetime, as the module's connect function has it",
  terraform: { source: "the module's connect function's `CONNECTION_TTL_SECONDS`" },
});
export const MANAGEMENT_ENDPOINT = /* @__PURE__ */ string({ name: 'MANAGEMENT_ENDPOINT', description: "the Management API's endpoint; unset, derived from each event" });

export const settings = [TABLE_NAME, LOG_LEVEL, TELEPRINTER_INTERVAL_MS, TELEPRINTER_TEXT, CONNECTION_TTL_SECONDS, MANAGEMENT_ENDPOINT];
