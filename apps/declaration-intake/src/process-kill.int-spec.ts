// declaration-intake's api process SIGKILLed in the middle of a Kafka burst and of HTTP submissions, and
// started again (main.ts from source in a child process, reached only over HTTP and Kafka): a batch cut
// off anywhere (before, inside or after its transaction, between publish and delete, before its offsets
// are committed) loses nothing and does nothing twice. HTTP clients whose request died with the process
// send it again, as the contract says, and get 202 or 200 for the one declaration it made.
import type { ChildProcess } from 'node:child_process';
import { Topics } from '@cic/contracts';
import { deadLetterTopic, eventIdsBySubject, KafkaProbe } from '@cic/platform-messaging';
import {
  freePort,
  isRunning,
  pace,
  runId,
  runService,
  spawnService,
  stopServices,
  testInfra,
  waitFor,
  waitReady,
} from '@cic/platform-testing';
import { DataSource } from 'typeorm';
import { DECLARANT_A, declaration, submittedMessage } from './testing/intake-harness';

const MAIN = 'apps/declaration-intake/src/main.ts';
const infra = testInfra();
const run = runId();
const tag = `pk-${run}`;
let env: Record<string, string>;
let url: string;
let key: string;
let ds: DataSource;
const probe = new KafkaProbe(infra.brokers, 'it-intake-process-kill-probe');
const children: ChildProcess[] = [];

function start(): ChildProcess {
  const child = spawnService(MAIN, env);
  let output = '';
  child.stdout!.on('data', (d) => (output = (output + d).slice(-4000)));
  child.stderr!.on('data', (d) => (output = (output + d).slice(-4000)));
  child.on('exit', (code, signal) => {
    // SIGKILL is the test's; SIGTERM is the graceful stop at the end (Nest re-raises it once closed).
    if (code !== 0 && signal !== 'SIGKILL' && signal !== 'SIGTERM')
      process.stderr.write(`intake api exited ${code ?? signal}: ${output}\n`);
  });
  children.push(child);
  return child;
}

async function stored(): Promise<Array<{ id: string; local_ref: string }>> {
  return ds.query(`SELECT id, local_ref FROM "${env['DB_SCHEMA']}"."declarations" WHERE local_ref LIKE $1`, [
    `${tag}-%`,
  ]);
}

/** POST until the service answers: a request that died with the process (or met it starting) is sent again as it was. */
async function submit(localRef: string): Promise<{ status: number; declarationId: string; tries: number }> {
  const body = JSON.stringify(declaration(localRef));
  for (let tries = 1; ; tries++) {
    try {
      const res = await fetch(`${url}/v1/declarations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const answer = (await res.json()) as { declarationId?: string };
      if (res.status === 202 || res.status === 200)
        return { status: res.status, declarationId: answer.declarationId!, tries };
      if (res.status !== 503) throw new Error(`POST ${localRef}: ${res.status} ${JSON.stringify(answer)}`);
    } catch (error) {
      if ((error as Error).message.startsWith('POST ')) throw error;
      // connection refused or reset: the process is gone or not listening yet
    }
    await pace(200);
  }
}

beforeAll(async () => {
  env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    KAFKA_BROKERS: infra.brokers.join(','),
    DB_SCHEMA: `it_pkill_${run}`,
    KAFKA_GROUP_ID: `it-pkill-${run}`,
    KAFKA_TOPIC_PREFIX: `it-${run}.`,
    PORT: String(await freePort()),
    // Only the Kafka and HTTP submissions here; the deadline has its own tests (and no worker runs).
    DECISION_TIMEOUT_MS: String(15 * 60_000),
  };
  url = `http://127.0.0.1:${env['PORT']}`;
  // The CLI runs the migrations and makes the key.
  const made = JSON.parse(
    await runService('apps/declaration-intake/src/cli/api-keys.cli.ts', env, [
      'create',
      '--name',
      'it-process-kill',
      '--role',
      'declarant',
      '--declarant',
      DECLARANT_A,
    ]),
  ) as { key: string };
  key = made.key;
  ds = await new DataSource({ type: 'postgres', url: infra.databaseUrl }).initialize();
  start();
  await waitReady('intake api', url);
  await probe.connect();
}, 180_000);

afterAll(async () => {
  await stopServices(children);
  await probe.disconnect();
  await ds?.query(`DROP SCHEMA IF EXISTS "${env['DB_SCHEMA']}" CASCADE`);
  await ds?.destroy();
});

it('loses no submission and handles none twice when the api process is SIGKILLed mid-burst and started again', async () => {
  const viaKafka = Array.from({ length: 3000 }, (_, i) => `${tag}-k${i}`);
  const viaHttp = Array.from({ length: 200 }, (_, i) => `${tag}-h${i}`);
  await probe.produceAll(
    env['KAFKA_TOPIC_PREFIX'] + Topics.DeclarationSubmittedV1.name,
    viaKafka.map((ref) => submittedMessage(ref)),
    200,
  );
  // Eight HTTP clients at once, each sending its share one after the other, across the kill.
  const http = Promise.all(
    Array.from({ length: 8 }, async (_, c) => {
      const answers = [];
      for (let i = c; i < viaHttp.length; i += 8)
        answers.push({ ref: viaHttp[i], ...(await submit(viaHttp[i])) });
      return answers;
    }),
  ).then((a) => a.flat());

  await waitFor('some of the burst stored', async () => (await stored()).length >= 300, {
    timeoutMs: 60_000,
    intervalMs: 20,
  });
  const first = children[0];
  first.kill('SIGKILL');
  await new Promise((r) => (isRunning(first) ? first.once('exit', r) : r(null)));
  const storedAtKill = (await stored()).length;
  const restartedAt = Date.now();
  start();
  await waitReady('intake api again', url);

  const answers = await http;
  const rows = await waitFor(
    'every submission stored',
    async () => {
      const r = await stored();
      return r.length >= viaKafka.length + viaHttp.length && r;
    },
    { timeoutMs: 120_000 },
  );
  const storedAllMs = Date.now() - restartedAt;
  // Once each: no localRef stored twice, and every HTTP answer names the declaration that was stored.
  expect(rows).toHaveLength(viaKafka.length + viaHttp.length);
  expect(new Set(rows.map((r) => r.local_ref)).size).toBe(rows.length);
  const idOf = new Map(rows.map((r) => [r.local_ref, r.id]));
  expect(answers.filter((a) => idOf.get(a.ref) !== a.declarationId)).toEqual([]);

  // One accepted event (by id) for each, once the outbox has drained; nothing dead-lettered.
  await waitFor(
    'the outbox drained',
    async () => {
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM "${env['DB_SCHEMA']}"."outbox" WHERE published_at IS NULL AND parked_at IS NULL`,
      );
      return n === 0;
    },
    { timeoutMs: 60_000 },
  );
  const accepted = eventIdsBySubject(
    await probe.readAll(env['KAFKA_TOPIC_PREFIX'] + Topics.DeclarationAcceptedV1.name, 30_000),
    new Set(rows.map((r) => r.id)),
  );
  expect(rows.filter((r) => accepted.ids.get(r.id)?.size !== 1)).toEqual([]);
  expect(await probe.count(deadLetterTopic(env['KAFKA_GROUP_ID']))).toBe(0);

  const resent = answers.filter((a) => a.tries > 1).length;
  process.stdout.write(
    `[process-kill] intake api SIGKILLed with ${storedAtKill}/${viaKafka.length + viaHttp.length} stored; started again, all stored ${storedAllMs} ms after the restart, each once; ` +
      `HTTP: ${resent} request(s) sent again after the kill, answers ${answers.filter((a) => a.status === 202).length}×202 ${answers.filter((a) => a.status === 200).length}×200; ` +
      `accepted ${accepted.copies} messages for ${accepted.ids.size} declarations; dead letters 0\n`,
  );
}, 300_000);
