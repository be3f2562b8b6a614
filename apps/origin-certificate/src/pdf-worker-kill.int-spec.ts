// A certificate's PDF survives a worker killed mid-render, on the real stack: a worker child process
// (worker.ts from source, each render held up by PDF_RENDER_DELAY_MS) takes the job and is SIGKILLed while
// it is active; a second worker takes the stalled job once its lock (PDF_LOCK_MS) runs out and stores the
// PDF. One job (deterministic id), one PDF.
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { redisOptions } from '@cic/platform-queue';
import { isRunning, spawnService, waitFor } from '@cic/platform-testing';
import { Queue } from 'bullmq';
import { PDF_QUEUE, type PdfJobData, pdfJobId } from './jobs/pdf-queue';
import { applicationBody, type OriginHarness, startOrigin } from './testing/origin-harness';

const LOCK_MS = 2000;
let h: OriginHarness;
let queue: Queue<PdfJobData>;
let child: ChildProcess | undefined;
let childOutput = '';

beforeAll(async () => {
  h = await startOrigin({ PDF_LOCK_MS: String(LOCK_MS) }, { worker: false });
  queue = new Queue<PdfJobData>(PDF_QUEUE, {
    connection: redisOptions(h.config.REDIS_URL, 'it-pdf-kill'),
    prefix: h.config.QUEUE_PREFIX,
  });
});
afterAll(async () => {
  if (child && isRunning(child)) child.kill('SIGKILL');
  await h?.close();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
});

it('a worker SIGKILLed mid-render: another takes the stalled job and stores the PDF', async () => {
  const issued = await h.call('POST', '/v1/certificates/applications', {
    body: applicationBody('IT-KILL-1'),
  });
  const number: string = issued.body.certificate.number;
  expect((await h.call('GET', `/v1/certificates/${number}/pdf`)).status).toBe(202);

  child = spawnService('apps/origin-certificate/src/worker.ts', {
    ...h.env,
    WORKER_PORT: '0',
    PDF_RENDER_DELAY_MS: '120000',
  });
  child.stdout!.on('data', (d) => (childOutput = (childOutput + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (childOutput = (childOutput + d).slice(-20_000)));
  const exited = new Promise<void>((r) => child!.once('exit', () => r()));
  const jobId = pdfJobId(number);
  try {
    await waitFor(
      'the child worker rendering',
      async () => {
        if (child!.exitCode !== null) throw new Error(`the child worker exited: ${childOutput}`);
        return (await queue.getJobState(jobId)) === 'active';
      },
      { timeoutMs: 90_000, intervalMs: 50 },
    );
  } finally {
    child.kill('SIGKILL');
  }
  await exited;
  expect(child.signalCode).toBe('SIGKILL');
  expect((await h.call('GET', `/v1/certificates/${number}/pdf`)).status).toBe(202);

  const killedAt = Date.now();
  await h.startWorker();
  const pdf = await waitFor(
    'the PDF from the second worker',
    async () => {
      const r = await h.call('GET', `/v1/certificates/${number}/pdf`);
      return r.status === 200 && r;
    },
    { timeoutMs: 3 * LOCK_MS + 30_000, intervalMs: 200 },
  );
  const job = (await queue.getJob(jobId))!;
  expect(job.stalledCounter).toBeGreaterThanOrEqual(1);
  expect(await queue.getJobCounts('completed', 'waiting', 'active', 'delayed')).toMatchObject({
    completed: 1,
    waiting: 0,
    active: 0,
  });
  const dir = mkdtempSync(join(tmpdir(), 'origin-pdf-'));
  writeFileSync(join(dir, 'c.pdf'), pdf.bytes);
  const text = (await promisify(execFile)('pdftotext', [join(dir, 'c.pdf'), '-'])).stdout;
  expect(text).toContain(number);
  process.stdout.write(`pdf-worker-kill: PDF stored ${Date.now() - killedAt} ms after the kill\n`);
});
