import { pace } from './wait-for';

export interface ReadAnswer {
  status: number;
  retryAfter: string | null;
  /** The problem's code, when the answer is a problem document. */
  code?: string;
}

/** One round of what clients and the orchestrator saw, `at` ms after the outage began. */
export interface AwayRound {
  at: number;
  reads: ReadAnswer[];
  live: number;
}

/**
 * What clients and an orchestrator see while a dependency is away: once a second until `untilMs` after
 * `since`, every one of `reads` (GET, with its headers) and `<base>/health/live`, all at once.
 */
export async function answersWhileAway(
  base: string,
  reads: Array<{ path: string; headers?: Record<string, string> }>,
  since: number,
  untilMs: number,
): Promise<AwayRound[]> {
  const rounds: AwayRound[] = [];
  while (Date.now() < since + untilMs) {
    const [live, ...answers] = await Promise.all([
      fetch(`${base}/health/live`).then((r) => r.status),
      ...reads.map(async ({ path, headers }) => {
        const res = await fetch(`${base}${path}`, { headers });
        const body = (await res.json().catch(() => ({}))) as { code?: string };
        return { status: res.status, retryAfter: res.headers.get('retry-after'), code: body.code };
      }),
    ]);
    rounds.push({ at: Date.now() - since, reads: answers, live });
    await pace(1000);
  }
  return rounds;
}

/**
 * The rounds after the first `graceMs` (requests already in flight may still complete then): the ones
 * in which every read was refused as a retryable 503 with Retry-After and the SERVICE_UNAVAILABLE problem.
 */
export function refusedAsUnavailable(
  rounds: AwayRound[],
  graceMs = 3000,
): { settled: number; refused: number } {
  const settled = rounds.filter((r) => r.at > graceMs);
  const refused = settled.filter((r) =>
    r.reads.every((a) => a.status === 503 && a.retryAfter !== null && a.code === 'SERVICE_UNAVAILABLE'),
  );
  return { settled: settled.length, refused: refused.length };
}
