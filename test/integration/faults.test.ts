import { createHash, randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type WebSocket from 'ws';
import { audienceKeys } from '../../functions/lib/store/connection-store';
import { connectionKey } from '../../packages/contract/src/table-keys';
import type { DynamoCall, DynamoFaultKind } from '../../sandbox/dynamo-faults';
import { FANOUT_DLQ, FANOUT_QUEUE, SWEEPER_INPUT } from '../../sandbox/project';
import type { SqsFaultKind } from '../../sandbox/sqs';
import { connect, sleep, type TestClient } from '../helpers/clients';
import { allItems, documentClient } from '../helpers/dynamo';
import { startTestProject } from '../helpers/project-sandbox';

/**
 * Seeded faults on the functions' SQS sends and DynamoDB calls. A call's fate is decided by a hash of
 * the seed and the call (its operation and body), per round of the SDK's three attempts: doomed (every
 * attempt fails: the caller sees the error), transient (the first attempt fails: the SDK's retry
 * hides it), or clean. The calls carry fresh connection and message ids, so each run meets other
 * faults under the same rule; the counts are printed. Connections are anonymous: `auth` is not driven.
 */
const SEED = process.env.FAULT_SEED ?? 'faults-1';
const chance = (...parts: Array<string | number>): number => createHash('sha256').update([SEED, ...parts].join('\n')).digest().readUInt32BE(0) / 2 ** 32;
const DOOMED = 0.05;
const TRANSIENT = 0.1;
const DYNAMO_KINDS: DynamoFaultKind[] = ['ThrottlingException', 'ProvisionedThroughputExceededException', 'InternalServerError', 'reset', 'reset-after-apply', 'timeout'];
const SQS_KINDS: SqsFaultKind[] = ['RequestThrottled', 'ThrottlingException', 'InternalFailure', 'ServiceUnavailable'];
/** sendBatched tries a failed entry four times; the SDK tries a request three times. */
const ROUND = { dynamo: 3, sqsRequest: 3, sqsEntry: 4 };

/** Actions whose answer the fanout function posts (their record goes through the queue). */
const QUEUED_ANSWERS: ReadonlySet<string> = new Set(['subscribe', 'resume']);
/** Long enough for a record to be retried a few times (visibility 3 s below). */
const QUEUED_ANSWER_WAIT_MS = 20_000;

const CLIENTS = 6;
const ROOM = `room-${randomUUID().slice(0, 8)}`;
const MAX_TRIES = 8;

type Frame = { type?: string; id?: unknown; code?: string; message?: string; seq?: number; channel?: string; data?: unknown; [key: string]: unknown };
type Outcome = 'ok' | `error:${string}` | 'gateway_500' | 'resumed_then_failed' | 'no_answer';

interface Client {
  user: string;
  test: TestClient;
  connectionId: string;
  frames: Frame[];
  sessionId?: string;
  resumeToken?: string;
  state: { state: unknown; version: number };
}

describe('seeded faults on SQS sends and DynamoDB calls: every action completes or is answered with an error, and nothing is half-written or lost', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let faultsOn = true;
  /** A targeted fault, for the tests of one failure (the seeded faults are off then). */
  let targeted: ((call: DynamoCall) => DynamoFaultKind | undefined) | undefined;
  const injected = { dynamo: new Map<string, number>(), sqs: new Map<string, number>() };
  const sqsAttempts = new Map<string, number>();
  const outcomes = new Map<string, number>();
  const count = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
  /** Resolvers waiting for a connection's next MESSAGE access-log line (its invocation is over). */
  const invocationDone = new Map<string, Array<() => void>>();
  const disconnects: Array<Record<string, unknown>> = [];

  /** Doomed, transient or clean, for attempt `attempt` of a call with this key. */
  const fate = (key: string, attempt: number, round: number): boolean => {
    const draw = chance('fate', key, Math.ceil(attempt / round));
    return draw < DOOMED || (draw < DOOMED + TRANSIENT && attempt % round === 1);
  };

  beforeAll(async () => {
    project = await startTestProject({
      // Anyone may broadcast here: the test drives every action with one kind of client.
      functionEnv: { message: { ACTION_PERMISSIONS: '{}' } },
      // Failed records come back quickly; five receives would drop some into the DLQ at these rates.
      fanout: { visibilityTimeoutMs: 3000, maxReceiveCount: 20 },
      dynamoFaultHoldMs: 500,
      sweepEveryMs: 3_600_000,
      injectDynamoFault: ({ operation, input, attempt }) => {
        if (targeted) return targeted({ operation, input, attempt });
        if (!faultsOn) return undefined;
        const key = `${operation}\n${JSON.stringify(input)}`;
        if (!fate(key, attempt, ROUND.dynamo)) return undefined;
        const kind: DynamoFaultKind =
          operation.startsWith('Transact') && chance('tx', key, attempt) < 0.5 ? 'TransactionCanceledException' : DYNAMO_KINDS[Math.floor(chance('kind', key, attempt) * DYNAMO_KINDS.length)]!;
        count(injected.dynamo, `${operation} ${kind}`);
        return kind;
      },
      injectSqsFault: ({ operation, entryId, input }) => {
        if (!faultsOn || !operation.startsWith('SendMessage')) return undefined;
        const key = `${operation}\n${entryId ?? ''}\n${JSON.stringify(input)}`;
        const attempt = (sqsAttempts.get(key) ?? 0) + 1;
        sqsAttempts.set(key, attempt);
        if (!fate(key, attempt, entryId === undefined ? ROUND.sqsRequest : ROUND.sqsEntry)) return undefined;
        const kind = SQS_KINDS[Math.floor(chance('kind', key, attempt) * SQS_KINDS.length)]!;
        count(injected.sqs, `${operation}${entryId === undefined ? '' : ' entry'} ${kind}`);
        return kind;
      },
      onAccessLog: (entry) => {
        if (entry.eventType === 'MESSAGE') invocationDone.get(entry.connectionId as string)?.shift()?.();
        if (entry.routeKey === '$disconnect') disconnects.push(entry);
      },
    });
  }, 60_000);
  afterAll(async () => {
    await project.sandbox.stop();
  });

  const items = () => allItems(project.tableName);

  /** Opens a connection, retrying a handshake the connect function failed (a 5xx the client may retry). */
  const open = async (user: string): Promise<Client> => {
    for (let attempt = 1; ; attempt++) {
      try {
        // A User-Agent of its own tells this connection apart among the gateway's.
        const tag = `faults-${randomUUID()}`;
        const test = await connect(project.sandbox.url, { protocols: user, headers: { 'User-Agent': tag } });
        count(outcomes, 'connect ok');
        const frames: Frame[] = [];
        test.ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Frame));
        const live = [...project.sandbox.gateway.connections.values()].find((c) => c.facts.userAgent === tag)!;
        return { user, test, connectionId: live.facts.connectionId, frames, state: { state: null, version: 0 } };
      } catch (error) {
        const status = (error as { status?: number }).status;
        // A failed $connect is a 5xx handshake; anything else is a failure of the test itself.
        expect(status === 500 || status === 502).toBe(true);
        count(outcomes, `connect error:${status}`);
        if (attempt >= MAX_TRIES) throw error;
      }
    }
  };

  /** Waits until frames already sent to the socket have arrived (a ping is answered after them). */
  const barrier = (ws: WebSocket): Promise<void> => new Promise((resolve) => ws.once('pong', () => resolve()).ping());

  let requestId = 0;
  /** Sends one frame and returns what answered it, once its invocation is over and its frames have arrived. */
  const act = async (client: Client, frame: Record<string, unknown>): Promise<{ outcome: Outcome; answers: Frame[] }> => {
    const id = ++requestId;
    const start = client.frames.length;
    const done = new Promise<void>((resolve) => {
      const waiting = invocationDone.get(client.connectionId) ?? [];
      waiting.push(resolve);
      invocationDone.set(client.connectionId, waiting);
    });
    client.test.send({ ...frame, id });
    await done;
    await barrier(client.test.ws);
    // An uncaught error's answer may not carry the request's id: API Gateway's frame, or an INTERNAL error frame.
    const answered = () =>
      client.frames
        .slice(start)
        .filter((f) => f.id === id || f.message === 'Internal server error' || (f.type === 'error' && f.code === 'INTERNAL' && f.id === undefined));
    // subscribe and resume are answered by the fanout function, in the channel's or the connection's
    // FIFO group, once their record is planned: a record that meets a fault is retried by SQS.
    if (QUEUED_ANSWERS.has(frame.action as string)) {
      for (let waited = 0; answered().length === 0 && waited < QUEUED_ANSWER_WAIT_MS; waited += 25) await sleep(25);
    }
    const answers = answered();
    const error = answers.find((f) => f.type === 'error');
    const gateway = answers.some((f) => f.message === 'Internal server error');
    const success = answers.find((f) => f.type !== 'error' && f.message === undefined);
    let outcome: Outcome;
    if (success?.type === 'resumed' && (gateway || error)) outcome = 'resumed_then_failed';
    else if (error) outcome = `error:${error.code!}`;
    else if (gateway) outcome = 'gateway_500';
    else outcome = success ? 'ok' : 'no_answer';
    count(outcomes, `${frame.action as string} ${outcome}`);
    return { outcome, answers };
  };

  /** Repeats an action until it completes; every failed attempt must have been answered with something the client can act on. */
  const until = async (client: Client, frame: () => Record<string, unknown>, onAnswer?: (answers: Frame[], outcome: Outcome) => void): Promise<Frame[]> => {
    for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
      const { outcome, answers } = await act(client, frame());
      onAnswer?.(answers, outcome);
      expect(outcome).not.toBe('no_answer');
      // Never API Gateway's `Internal server error`, never `resumed` followed by a failure.
      expect(outcome).not.toBe('gateway_500');
      expect(outcome).not.toBe('resumed_then_failed');
      if (outcome === 'ok') return answers;
      // Only failures the client can act on: nothing here is the client's fault, so a retryable error
      // (INTERNAL, or any marked `retryable`), or a VERSION_CONFLICT carrying the current state.
      const error = answers.find((f) => f.type === 'error');
      if (error) expect({ code: error.code, actionable: error.retryable === true || error.code === 'INTERNAL' || error.code === 'VERSION_CONFLICT' }).toEqual({ code: error.code, actionable: true });
    }
    throw new Error(`${JSON.stringify(frame())} did not complete in ${MAX_TRIES} tries`);
  };

  it('drives every action and function under faults and checks the invariants', async () => {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => open(randomUUID())));

    // hello: welcome, or an error and no session half-made.
    await Promise.all(
      clients.map(async (client) => {
        const [welcome] = await until(client, () => ({ action: 'hello' }));
        client.sessionId = welcome!.sessionId as string;
        client.resumeToken = welcome!.resumeToken as string;
      }),
    );
    // subscribe, state.set, state.get, ping.
    await Promise.all(
      clients.map(async (client, n) => {
        await until(client, () => ({ action: 'subscribe', channel: ROOM }));
        const wanted = { n, note: 'é"\\' };
        await until(
          client,
          () => ({ action: 'state.set', version: client.state.version, state: wanted }),
          (answers) => {
            const answer = answers.find((f) => f.type === 'state' || f.code === 'VERSION_CONFLICT');
            // A conflict carries the current state (here: our own write, applied before its answer was lost).
            if (answer) client.state = { state: answer.state, version: answer.version as number };
          },
        );
        expect(client.state.state).toEqual(wanted);
        const [state] = await until(client, () => ({ action: 'state.get' }));
        expect(state).toMatchObject(client.state);
        await until(client, () => ({ action: 'ping' }));
      }),
    );

    // publish (each client twice) and broadcast (two clients): a marker in `data` tells every attempt apart.
    const acked = new Map<string, string>();
    const failedMarkers: string[] = [];
    const post = (client: Client, action: 'publish' | 'broadcast') => {
      let marker = '';
      return until(
        client,
        () => {
          marker = randomUUID();
          return action === 'publish' ? { action, channel: ROOM, data: { marker } } : { action, data: { marker } };
        },
        (answers, outcome) => void (outcome === 'ok' ? acked.set(answers[0]!.messageId as string, action) : failedMarkers.push(marker)),
      );
    };
    const publishAll = (who: Client[], rounds: number) =>
      Promise.all(
        who.map(async (client) => {
          for (let round = 0; round < rounds; round++) await post(client, 'publish');
        }),
      );
    await publishAll(clients, 2);
    await Promise.all(clients.slice(0, 2).map((client) => post(client, 'broadcast')));
    await project.sandbox.queues.get(FANOUT_QUEUE)!.drained(60_000);
    const roomSeqs = (client: Client) => client.frames.filter((f) => f.type === 'message' && f.channel === ROOM).map((f) => f.seq!);
    const ids = (client: Client) => new Set(client.frames.filter((f) => f.type === 'message').map((f) => f.id as string));
    // Everyone subscribed before the first publish: each has seq 1 … 2 × CLIENTS, in order, and both broadcasts.
    for (const client of clients) {
      const unique = [...new Set(roomSeqs(client))];
      expect(unique).toEqual(Array.from({ length: CLIENTS * 2 }, (_, n) => n + 1));
      for (const [id, action] of acked) if (action === 'broadcast') expect(ids(client).has(id)).toBe(true);
    }

    // unsubscribe (half the clients).
    const leaving = clients.slice(0, CLIENTS / 2);
    await Promise.all(
      leaving.map(async (client) => {
        const [ack] = await until(client, () => ({ action: 'unsubscribe', channel: ROOM }));
        expect(ack).toMatchObject({ action: 'unsubscribe' });
      }),
    );

    // resume: the other half reconnect on a new connection and resume from the last contiguous seq.
    const resuming = clients.slice(CLIENTS / 2);
    const lastContiguous = (seqs: number[]): number => [...new Set(seqs)].sort((a, b) => a - b).reduce((last, seq) => (seq === last + 1 ? seq : last), 0);
    const before = new Map(resuming.map((client) => [client, lastContiguous(roomSeqs(client))]));
    for (const client of resuming) client.test.ws.close();
    await publishAll(leaving, 1);
    const resumed = await Promise.all(
      resuming.map(async (old) => {
        const client = await open(old.user);
        const last = before.get(old)!;
        await until(client, () => ({ action: 'resume', sessionId: old.sessionId, resumeToken: old.resumeToken, channels: { [ROOM]: last } }));
        return Object.assign(client, { sessionId: old.sessionId, resumedAfter: last });
      }),
    );
    await project.sandbox.queues.get(FANOUT_QUEUE)!.drained(60_000);

    // The sweeper under faults: a run completes or fails (the next scheduled run repeats it).
    const ghosts = Array.from({ length: 2 }, (_, n) => `ghost${n}${randomUUID().slice(0, 8)}=`);
    for (const connectionId of ghosts) {
      const connectedAt = Date.now() - 3 * 3600_000;
      await documentClient().send(
        new PutCommand({
          TableName: project.tableName,
          Item: { ...connectionKey(connectionId), ...audienceKeys(connectionId, `ghost-${connectionId}`, undefined, connectedAt), type: 'connection', connectionId, userId: `ghost-${connectionId}`, authMode: 'anonymous', connectedAt, ttl: Math.floor(Date.now() / 1000) + 3600 },
        }),
      );
    }
    const sweeper = project.sandbox.functions.get('sweeper')!;
    for (let run = 0; run < 2; run++) count(outcomes, `sweeper ${(await sweeper.invoke(SWEEPER_INPUT, 29_000)).status}`);

    // disconnect: the resumed clients leave; $disconnect completes or fails (API Gateway does not retry it).
    await Promise.all(resumed.map((client) => (client.test.ws.close(), client.test.closed)));
    const settled = async (client: Client): Promise<boolean> =>
      disconnects.some((d) => d.connectionId === client.connectionId && d.integrationError !== undefined) ||
      !(await items()).some((i) => i.type === 'connection' && i.connectionId === client.connectionId);
    for (const client of resumed) {
      for (let i = 0; i < 300 && !(await settled(client)); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const failedDisconnects = disconnects.filter((d) => d.integrationError !== undefined).length;

    // ---- invariants, read with faults off ----
    faultsOn = false;
    const table = await items();
    const fanoutMapping = project.sandbox.eventSourceMappings[0]!;

    // Sessions: one per user, linked where the client believes; state as the client last saw it.
    for (const client of clients) {
      const sessions = table.filter((i) => i.type === 'session' && i.userId === client.user);
      expect(sessions.map((s) => s.sessionId)).toEqual([client.sessionId]);
      expect(JSON.parse(sessions[0]!.state as string)).toEqual(client.state.state);
      expect(Number(sessions[0]!.version)).toBe(client.state.version);
    }
    // Connection items count their subscriptions exactly.
    for (const connection of table.filter((i) => i.type === 'connection')) {
      const subscriptions = table.filter((i) => i.type === 'subscription' && i.connectionId === connection.connectionId).length;
      expect({ connectionId: connection.connectionId, subscriptionCount: Number(connection.subscriptionCount ?? 0) }).toEqual({ connectionId: connection.connectionId, subscriptionCount: subscriptions });
    }
    // The clients that unsubscribed are not subscribed.
    for (const client of leaving) expect(table.find((i) => i.type === 'subscription' && i.connectionId === client.connectionId)).toBeUndefined();

    // Publishes and broadcasts: the logs hold exactly the acknowledged messages, each once, and no failed attempt.
    const logged = table.filter((i) => i.type === 'channel_log');
    expect(logged.map((i) => i.messageId).sort()).toEqual([...acked.keys()].sort());
    const payloads = logged.map((i) => i.payload as string).join('\n');
    for (const marker of failedMarkers) expect(payloads).not.toContain(marker);
    const seqOf = new Map(logged.filter((i) => i.PK === `CHANNEL#${ROOM}`).map((i) => [i.messageId as string, Number(i.seq)]));
    let duplicates = 0;
    for (const client of clients) duplicates += roomSeqs(client).length - new Set(roomSeqs(client)).size;
    // The resumed clients got everything after their cut, once each after de-duplication by seq, in order.
    for (const client of resumed) {
      const got = roomSeqs(client);
      const unique = [...new Set(got)];
      duplicates += got.length - unique.length;
      expect(unique).toEqual([...seqOf.values()].filter((seq) => seq > client.resumedAfter).sort((a, b) => a - b));
    }
    // Nothing went to the dead-letter queue: every failed record was retried by SQS until it went through.
    expect(project.sandbox.queues.get(FANOUT_DLQ)!.messages()).toEqual([]);

    // A sweep without faults finishes what failed runs left.
    expect((await sweeper.invoke(SWEEPER_INPUT, 29_000)).status).toBe('ok');
    const afterSweep = await items();
    for (const connectionId of ghosts) expect(afterSweep.filter((i) => i.connectionId === connectionId)).toEqual([]);

    // A $disconnect that failed left its items behind: the next post to the connection (410) removes them.
    await post(leaving[0]!, 'publish');
    await project.sandbox.queues.get(FANOUT_QUEUE)!.drained(30_000);
    const finalItems = await items();
    for (const client of [...resumed, ...resuming]) {
      expect(finalItems.filter((i) => (i.type === 'connection' || i.type === 'subscription') && i.connectionId === client.connectionId)).toEqual([]);
    }
    const leftActive = finalItems.filter((i) => i.type === 'session' && i.status === 'active' && resumed.some((c) => c.sessionId === i.sessionId)).length;

    console.log(
      `fault run (seed ${SEED}): ${[...outcomes].map(([k, v]) => `${k}=${v}`).join(', ')}; disconnect failed=${failedDisconnects} (sessions still active after their connection left: ${leftActive}); ` +
        `fanout invocations=${fanoutMapping.counters.invocations} failedBatches=${fanoutMapping.counters.failedBatches} failedRecords=${fanoutMapping.counters.failedRecords} duplicateFrames=${duplicates}; ` +
        `injected dynamo: ${[...injected.dynamo].map(([k, v]) => `${k}=${v}`).join(', ')}; injected sqs: ${[...injected.sqs].map(([k, v]) => `${k}=${v}`).join(', ')}`,
    );
    expect(injected.dynamo.size).toBeGreaterThan(0);
    expect(injected.sqs.size).toBeGreaterThan(0);
  }, 120_000);

  it('an unsubscribe whose count update fails leaves the subscription and its count as they were (mocked: every decrement fails)', async () => {
    faultsOn = false;
    const client = await open(randomUUID());
    const channel = `count-${randomUUID().slice(0, 8)}`;
    await until(client, () => ({ action: 'subscribe', channel }));
    // Every attempt of the call that decrements the count fails, whichever form the call takes.
    targeted = ({ input }) => (JSON.stringify(input).includes('subscriptionCount') && JSON.stringify(input).includes(':minusOne') ? 'InternalServerError' : undefined);
    const { outcome } = await act(client, { action: 'unsubscribe', channel });
    targeted = undefined;
    expect(outcome).not.toBe('ok');
    const counted = async () => {
      const table = await items();
      const connection = table.find((i) => i.type === 'connection' && i.connectionId === client.connectionId)!;
      return {
        subscriptionCount: Number(connection.subscriptionCount ?? 0),
        subscriptions: table.filter((i) => i.type === 'subscription' && i.connectionId === client.connectionId).length,
      };
    };
    // The failed unsubscribe changed nothing: the client may retry it.
    expect(await counted()).toEqual({ subscriptionCount: 1, subscriptions: 1 });
    const [ack] = await until(client, () => ({ action: 'unsubscribe', channel }));
    expect(ack).toMatchObject({ action: 'unsubscribe', channel, subscribed: true });
    expect(await counted()).toEqual({ subscriptionCount: 0, subscriptions: 0 });
    client.test.ws.close();
  }, 60_000);

  it("a $disconnect that fails after deleting the connection item leaves no subscription behind once the next post finds it gone (mocked: the subscriptions' query fails)", async () => {
    faultsOn = false;
    const [leaving, publisher] = await Promise.all([open(randomUUID()), open(randomUUID())]);
    const channel = `orphan-${randomUUID().slice(0, 8)}`;
    await until(leaving, () => ({ action: 'subscribe', channel }));
    targeted = ({ operation, input }) => (operation === 'Query' && JSON.stringify(input).includes(`CONNECTION#${leaving.connectionId}`) ? 'InternalServerError' : undefined);
    leaving.test.ws.close();
    for (let i = 0; i < 200 && !disconnects.some((d) => d.connectionId === leaving.connectionId && d.integrationError !== undefined); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    targeted = undefined;
    const left = async () => (await items()).filter((i) => i.connectionId === leaving.connectionId).map((i) => i.type);
    // The failed $disconnect deleted the connection item and left its subscription.
    expect(await left()).toEqual(['subscription']);
    // The next message to the channel meets a 410 for it, and the fan-out forgets all of it.
    await until(publisher, () => ({ action: 'publish', channel, data: 'after' }));
    await project.sandbox.queues.get(FANOUT_QUEUE)!.drained(30_000);
    expect(await left()).toEqual([]);
    publisher.test.ws.close();
  }, 60_000);
});
