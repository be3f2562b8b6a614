/**
 * Runs work submitted under the same key in the same turn of the event loop as one unit.
 *
 * kafkajs hands the batches of one fetch to its workers one partition at a time, all in the same turn;
 * with twelve partitions per topic each batch is small, and a transaction per partition pays a commit
 * (a WAL flush), an inbox statement and the handler's fixed statements for a few messages. Joined under
 * the topic's name, the batches of one fetch share one transaction.
 *
 * A joined run that fails is not trusted to speak for everyone in it: when it held more than one
 * submission, each submission runs again alone, so a poison message or a failure of one partition is
 * handled by that partition's own path (isolation, retry, dead letter) and the others go through.
 */
export class BatchCoalescer<E, R> {
  private readonly open = new Map<string, Combo<E, R>>();

  /** @param maxEntries entries one joined run takes at most; more start a second run in the same turn. */
  constructor(private readonly maxEntries: number) {}

  run(key: string, entries: E[], work: (entries: E[]) => Promise<R>): Promise<R> {
    let combo = this.open.get(key);
    if (combo && combo.size + entries.length > this.maxEntries && combo.parts.length > 0) {
      this.open.delete(key); // full: it runs as scheduled; this submission starts the next one
      combo = undefined;
    }
    if (!combo) {
      const fresh: Combo<E, R> = { parts: [], size: 0 };
      combo = fresh;
      this.open.set(key, fresh);
      setImmediate(() => {
        if (this.open.get(key) === fresh) this.open.delete(key);
        void this.flush(fresh);
      });
    }
    const target = combo;
    return new Promise<R>((resolve, reject) => {
      target.parts.push({ entries, resolve, reject, work });
      target.size += entries.length;
    });
  }

  private async flush({ parts }: Combo<E, R>): Promise<void> {
    if (parts.length === 1) {
      const [only] = parts;
      await only.work(only.entries).then(only.resolve, only.reject);
      return;
    }
    try {
      // Every submission under one key does the same work: the first one's runs for all.
      const result = await parts[0].work(parts.flatMap((p) => p.entries));
      for (const p of parts) p.resolve(result);
    } catch {
      // Each on its own: whoever caused the failure meets it again, the others are not held up by it.
      await Promise.all(parts.map((p) => p.work(p.entries).then(p.resolve, p.reject)));
    }
  }
}

interface Combo<E, R> {
  parts: Array<{
    entries: E[];
    resolve: (r: R) => void;
    reject: (e: unknown) => void;
    work: (entries: E[]) => Promise<R>;
  }>;
  size: number;
}
