/**
 * Every function's declared settings, by function name: what the build writes into dist/manifest.json
 * (`settings`) and the docs table is generated from. Importing it has no side effects.
 */
import { settings as authorizer } from '../authorizer.settings';
import { settings as connect } from '../connect.settings';
import { settings as disconnect } from '../disconnect.settings';
import { settings as fanout } from '../fanout.settings';
import { settings as message } from '../message.settings';
import { settings as sweeper } from '../sweeper.settings';
import { settings as teleprinter } from '../../examples/anonymous-resume/functions/teleprinter.settings';
import { settings as loginApi } from '../../examples/login-flow/functions/login-api.settings';
import type { Setting } from '../../packages/contract/src/settings';

export const FUNCTION_SETTINGS = { authorizer, connect, disconnect, message, sweeper, fanout, teleprinter, 'login-api': loginApi } satisfies Record<string, readonly Setting[]>;
