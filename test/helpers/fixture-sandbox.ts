import path from 'node:path';
import { startSandbox, type Limits, type Sandbox } from '../../sandbox';
import { LogCapture } from './logs';

const handlers = path.join(__dirname, '..', 'fixtures', 'handlers');
const file = (name: string) => ({ file: path.join(handlers, `${name}.js`) });

/**
 * The sandbox serving the scripted fixture handlers: an authorizer on `$connect` (identity source
 * `Sec-WebSocket-Protocol`), `$connect`, `$disconnect`, `$default`, a custom `echo` route and a two-way
 * `reply` route. Pass `withDefault: false` to drop `$default`.
 */
export async function startFixtureSandbox(
  options: { limits?: Partial<Limits>; withDefault?: boolean; withAuthorizer?: boolean } = {},
): Promise<{ sandbox: Sandbox; logs: LogCapture }> {
  const logs = new LogCapture();
  const sandbox = await startSandbox({
    port: 0,
    functions: {
      authorizer: { source: file('authorizer') },
      connect: { source: file('connect') },
      disconnect: { source: file('disconnect') },
      message: { source: file('message') },
    },
    authorizer: options.withAuthorizer === false ? undefined : { function: 'authorizer', identitySources: ['route.request.header.Sec-WebSocket-Protocol'] },
    routes: {
      $connect: { function: 'connect' },
      $disconnect: { function: 'disconnect' },
      ...(options.withDefault === false ? {} : { $default: { function: 'message' } }),
      echo: { function: 'message' },
      reply: { function: 'message', twoWay: true },
    },
    limits: options.limits,
    onLog: logs.sink,
  });
  return { sandbox, logs };
}
