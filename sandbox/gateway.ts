import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  authorizerEvent,
  connectEvent,
  disconnectEvent,
  messageEvent,
  newId,
  type ConnectionFacts,
  type HeaderPairs,
  type StageFacts,
} from './events';
import type { InvokeOutcome, LocalFunction } from './lambda';
import { evaluateAuthorizerResult } from './authorizer-result';
import { handleManagement, type ManagementFault } from './management';

/** API Gateway's fixed limits, overridable so tests need not wait 10 minutes or 2 hours. */
export interface Limits {
  idleTimeoutMs: number;
  maxConnectionMs: number;
  integrationTimeoutMs: number;
  maxMessageBytes: number;
  maxFrameBytes: number;
}

export const API_GATEWAY_LIMITS: Limits = {
  idleTimeoutMs: 10 * 60_000,
  maxConnectionMs: 2 * 60 * 60_000,
  integrationTimeoutMs: 29_000,
  maxMessageBytes: 128 * 1024,
  maxFrameBytes: 32 * 1024,
};

export interface Route {
  fn: LocalFunction;
  /** A route response is configured: the integration's `body` is sent back to the client. */
  twoWay?: boolean;
}

export interface GatewayIntegrations {
  authorizer?: { fn: LocalFunction; identitySources: string[] };
  routes: Record<string, Route>;
}

export interface GatewayOptions {
  stage: string;
  apiId: string;
  region: string;
  accountId: string;
  routeSelectionExpression: string;
  limits: Limits;
  /** Test hook for faults the sandbox cannot otherwise cause (throttling). */
  injectFault?: ManagementFault;
  /** The Management API's modelled round trip, waited before each call is served (sandbox/latency.ts). */
  holdManagement?: () => Promise<void>;
  onAccessLog?: (entry: Record<string, unknown>) => void;
}

/** A live connection as the gateway holds it. */
export interface LiveConnection {
  facts: ConnectionFacts;
  socket: WebSocket;
  authorizer?: Record<string, unknown>;
  lastActiveAt: number;
  idleTimer?: NodeJS.Timeout;
  maxTimer?: NodeJS.Timeout;
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 426: 'Upgrade Required', 500: 'Internal Server Error', 502: 'Bad Gateway' };
const STATUS_MESSAGE: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 500: 'Internal server error', 502: 'Internal server error' };

function rejectHandshake(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  const body = STATUS_MESSAGE[status] ? JSON.stringify({ message: STATUS_MESSAGE[status] }) : '';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

const pairsOf = (raw: string[]): HeaderPairs => {
  const pairs: HeaderPairs = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
};

const headerValue = (pairs: HeaderPairs, name: string): string | undefined =>
  pairs.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

/** True when every identity source is present and non-empty: otherwise API Gateway answers 401 unasked. */
function identitySourcesPresent(sources: string[], headers: HeaderPairs, search: URLSearchParams): boolean {
  return sources.every((source) => {
    const header = /^route\.request\.header\.(.+)$/i.exec(source);
    if (header) return Boolean(headerValue(headers, header[1]!)?.trim());
    const query = /^route\.request\.querystring\.(.+)$/i.exec(source);
    if (query) return Boolean(search.get(query[1]!)?.trim());
    return true;
  });
}

/** `$request.body.a.b` against a MESSAGE body; anything that does not resolve to a custom route goes to `$default`. */
export function selectRoute(expression: string, body: string, routeKeys: Iterable<string>): string {
  const prefix = '$request.body.';
  if (!expression.startsWith(prefix)) return '$default';
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return '$default';
  }
  for (const part of expression.slice(prefix.length).split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return '$default';
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value !== 'string' || value.startsWith('$')) return '$default';
  return [...routeKeys].includes(value) ? value : '$default';
}

/** Caps the size of each frame (API Gateway: 32 KB) on top of `ws`'s cap on the whole message. */
function limitFrameSize(socket: WebSocket, maxFrameBytes: number): void {
  const receiver = (socket as unknown as { _receiver?: Record<string, unknown> })._receiver;
  if (!receiver || typeof receiver.haveLength !== 'function') return;
  const haveLength = receiver.haveLength as (this: Record<string, unknown>, cb: (error?: Error) => void) => void;
  receiver.haveLength = function (this: Record<string, unknown>, cb: (error?: Error) => void) {
    if ((this._opcode as number) < 0x08 && (this._payloadLength as number) > maxFrameBytes) {
      const createError = this.createError as (...args: unknown[]) => Error;
      return cb(createError.call(this, RangeError, 'Frame size exceeded', false, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'));
    }
    return haveLength.call(this, cb);
  };
}

/**
 * A local API Gateway WebSocket API: the handshake with its authorizer, route selection, limits, and the
 * Management API on the same port. See docs/sandbox.md for the behaviours it reproduces.
 */
export class Gateway {
  readonly connections = new Map<string, LiveConnection>();
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly protocols = new WeakMap<IncomingMessage, string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private integrations: GatewayIntegrations = { routes: {} };
  private stageFacts?: StageFacts;

  constructor(private readonly options: GatewayOptions) {
    this.server = createServer((req, res) => this.handleHttp(req, res));
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: options.limits.maxMessageBytes,
      handleProtocols: () => false,
    });
    // API Gateway sends Sec-WebSocket-Protocol only when $connect returned it, offered or not.
    this.wss.on('headers', (headers, req) => {
      const protocol = this.protocols.get(req);
      if (protocol !== undefined) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
    });
    this.server.on('upgrade', (req, socket, head) => {
      this.track(this.handleUpgrade(req, socket, head)).catch(() => rejectHandshake(socket, 500));
    });
  }

  /** Starts listening and returns the stage facts (domain name includes the bound port). */
  async listen(port: number, host: string): Promise<StageFacts> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.stageFacts = {
      apiId: this.options.apiId,
      stage: this.options.stage,
      region: this.options.region,
      accountId: this.options.accountId,
      domainName: `${host}:${address.port}`,
    };
    return this.stageFacts;
  }

  setIntegrations(integrations: GatewayIntegrations): void {
    this.integrations = integrations;
  }

  /** Closes every connection (code 1001, `$disconnect` runs) and stops listening. */
  async close(): Promise<void> {
    for (const connection of this.connections.values()) connection.socket.close(1001, 'Going away');
    await this.drain(1_000);
    // A closing handshake begun by both sides at once can leave `ws` without a 'close' event: cut
    // those sockets and finish the connections here ($disconnect with 1006, as for a dropped socket).
    for (const connection of [...this.connections.values()]) {
      connection.socket.terminate();
      this.closed(connection, 1006, '');
    }
    await this.drain(5_000);
    this.wss.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Keep-alive sockets of the functions' SDK clients would hold close() open.
    this.server.closeAllConnections();
    await closed;
  }

  /** Waits until no connection is open and no integration call is under way, or `timeoutMs` passes. */
  private async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.connections.size > 0 || this.inFlight.size > 0) && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => setTimeout(resolve, 50))]);
    }
  }

  private get stage(): StageFacts {
    if (!this.stageFacts) throw new Error('gateway is not listening');
    return this.stageFacts;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  private accessLog(entry: Record<string, unknown>): void {
    this.options.onAccessLog?.({ time: new Date().toISOString(), ...entry });
  }

  private handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const handled = handleManagement(req, res, {
      stage: this.options.stage,
      connections: this.connections,
      maxPayloadBytes: this.options.limits.maxMessageBytes,
      hold: this.options.holdManagement,
      injectFault: this.options.injectFault,
      onActivity: (connection) => this.touch(connection),
      accessLog: (entry) => this.accessLog(entry),
    });
    if (handled) return;
    res.writeHead(426, { 'Content-Type': 'application/json', Upgrade: 'websocket', Connection: 'Upgrade' });
    res.end(JSON.stringify({ message: 'Upgrade Required' }));
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== `/${this.options.stage}`) return rejectHandshake(socket, 403);

    const now = Date.now();
    const rawPairs = pairsOf(req.rawHeaders);
    const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    const forwarded: HeaderPairs = [
      ['X-Amzn-Trace-Id', `Root=1-${Math.floor(now / 1000).toString(16)}-${newId().replace(/[^A-Za-z0-9]/g, '').toLowerCase().padEnd(24, '0').slice(0, 24)}`],
      ['X-Forwarded-For', sourceIp],
      ['X-Forwarded-Port', String((req.socket.localPort ?? 0))],
      ['X-Forwarded-Proto', 'http'],
    ];
    const facts: ConnectionFacts = { connectionId: newId(), connectedAt: now, sourceIp, userAgent: headerValue(rawPairs, 'User-Agent') };
    const log = (status: number, extra: Record<string, unknown> = {}) =>
      this.accessLog({ connectionId: facts.connectionId, routeKey: '$connect', eventType: 'CONNECT', status, ...extra });

    let authorizer: Record<string, unknown> | undefined;
    const { authorizer: auth, routes } = this.integrations;
    if (auth) {
      if (!identitySourcesPresent(auth.identitySources, rawPairs, url.searchParams)) {
        log(401, { error: 'identity source missing' });
        return rejectHandshake(socket, 401);
      }
      const started = Date.now();
      const outcome = await auth.fn.invoke(
        authorizerEvent(this.stage, facts, [...rawPairs, ...forwarded], url.searchParams, now),
        this.options.limits.integrationTimeoutMs,
      );
      const verdict = evaluateAuthorizerResult(outcome, `arn:aws:execute-api:${this.stage.region}:${this.stage.accountId}:${this.stage.apiId}/${this.stage.stage}/$connect`);
      if (verdict.status !== 200) {
        log(verdict.status, { authorizerError: verdict.error });
        return rejectHandshake(socket, verdict.status);
      }
      authorizer = { ...verdict.context, principalId: verdict.principalId, integrationLatency: Date.now() - started };
    }

    let protocol: string | undefined;
    const connectRoute = routes.$connect;
    if (connectRoute) {
      // API Gateway does not pass the hop-by-hop upgrade headers to the $connect integration.
      const headers = [...rawPairs.filter(([name]) => !/^(connection|upgrade)$/i.test(name)), ...forwarded];
      const outcome = await connectRoute.fn.invoke(
        connectEvent(this.stage, facts, headers, url.searchParams, authorizer, now),
        this.options.limits.integrationTimeoutMs,
      );
      if (outcome.status !== 'ok') {
        log(502, { integrationError: describeFailure(outcome) });
        return rejectHandshake(socket, 502);
      }
      const result = (outcome.result ?? {}) as { statusCode?: unknown; headers?: Record<string, unknown> };
      const statusCode = typeof result.statusCode === 'number' ? result.statusCode : 200;
      if (statusCode < 200 || statusCode > 299) {
        log(statusCode);
        return rejectHandshake(socket, statusCode);
      }
      const echoed = Object.entries(result.headers ?? {}).find(([name]) => name.toLowerCase() === 'sec-websocket-protocol')?.[1];
      if (typeof echoed === 'string') protocol = echoed;
    }

    if (socket.destroyed) return;
    if (protocol !== undefined) this.protocols.set(req, protocol);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, facts, authorizer));
    log(101);
  }

  private open(socket: WebSocket, facts: ConnectionFacts, authorizer: Record<string, unknown> | undefined): void {
    const connection: LiveConnection = { facts, socket, authorizer, lastActiveAt: Date.now() };
    this.connections.set(facts.connectionId, connection);
    limitFrameSize(socket, this.options.limits.maxFrameBytes);
    this.touch(connection);
    connection.maxTimer = setTimeout(() => socket.close(1001, 'Going away'), this.options.limits.maxConnectionMs);

    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        socket.close(1003, 'Binary frames are not supported');
        return;
      }
      this.touch(connection);
      void this.track(this.dispatch(connection, (data as Buffer).toString('utf8')));
    });
    socket.on('error', () => undefined);
    socket.on('close', (code, reason) => this.closed(connection, code, reason.toString('utf8')));
  }

  /** Forgets a connection and runs `$disconnect`, once, whichever way the connection ended. */
  private closed(connection: LiveConnection, code: number, reason: string): void {
    if (this.connections.get(connection.facts.connectionId) !== connection) return;
    clearTimeout(connection.idleTimer);
    clearTimeout(connection.maxTimer);
    this.connections.delete(connection.facts.connectionId);
    void this.track(this.disconnected(connection, code, reason));
  }

  /** Resets the idle timer: API Gateway closes a connection after 10 minutes without messages. */
  private touch(connection: LiveConnection): void {
    connection.lastActiveAt = Date.now();
    clearTimeout(connection.idleTimer);
    connection.idleTimer = setTimeout(() => connection.socket.close(1001, 'Going away'), this.options.limits.idleTimeoutMs);
  }

  private async dispatch(connection: LiveConnection, body: string): Promise<void> {
    const { routes } = this.integrations;
    const routeKey = selectRoute(this.options.routeSelectionExpression, body, Object.keys(routes));
    const route = routes[routeKey];
    const requestId = newId();
    const reply = (message: string) =>
      connection.socket.readyState === WebSocket.OPEN &&
      connection.socket.send(JSON.stringify({ message, connectionId: connection.facts.connectionId, requestId }));
    if (!route) {
      this.accessLog({ connectionId: connection.facts.connectionId, routeKey, eventType: 'MESSAGE', status: 403, error: 'no route' });
      reply('Forbidden');
      return;
    }
    const outcome = await route.fn.invoke(
      messageEvent(this.stage, connection.facts, routeKey, body, connection.authorizer, Date.now()),
      this.options.limits.integrationTimeoutMs,
    );
    if (outcome.status !== 'ok') {
      this.accessLog({ connectionId: connection.facts.connectionId, routeKey, eventType: 'MESSAGE', status: 500, integrationError: describeFailure(outcome) });
      reply('Internal server error');
      return;
    }
    const result = outcome.result as { statusCode?: number; body?: unknown } | null;
    this.accessLog({ connectionId: connection.facts.connectionId, routeKey, eventType: 'MESSAGE', status: result?.statusCode ?? 200 });
    if (route.twoWay && result && typeof result.body === 'string' && connection.socket.readyState === WebSocket.OPEN) {
      connection.socket.send(result.body);
    }
  }

  private async disconnected(connection: LiveConnection, code: number, reason: string): Promise<void> {
    const route = this.integrations.routes.$disconnect;
    this.accessLog({ connectionId: connection.facts.connectionId, routeKey: '$disconnect', eventType: 'DISCONNECT', status: code });
    if (!route) return;
    const outcome = await route.fn.invoke(
      disconnectEvent(this.stage, connection.facts, code, reason, connection.authorizer, Date.now()),
      this.options.limits.integrationTimeoutMs,
    );
    if (outcome.status !== 'ok') {
      this.accessLog({ connectionId: connection.facts.connectionId, routeKey: '$disconnect', integrationError: describeFailure(outcome) });
    }
  }
}

function describeFailure(outcome: InvokeOutcome): string {
  if (outcome.status === 'timeout') return 'timeout';
  if (outcome.status === 'error') return `${outcome.errorType}: ${outcome.errorMessage}`;
  return 'ok';
}
