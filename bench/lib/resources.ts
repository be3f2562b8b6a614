// CPU and memory per process group, from /proc: CPU is utime+stime of /proc/<pid>/stat (the process's
// threads together), summed over a phase; memory is VmRSS of /proc/<pid>/status, the largest sample.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcessGroup {
  name: string;
  /** The pids of the group now (a group may change: postgres backends come and go). */
  pids: () => number[];
}

export interface GroupUsage {
  cpuS: number;
  rssMaxMb: number;
  processes: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function cpuTicks(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(read(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) : 0;
}

function machineBusyTicks(): number {
  const line = (read('/proc/stat') ?? '').split('\n')[0] ?? '';
  const [, ...v] = line.trim().split(/\s+/).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return total - (v[3] ?? 0) - (v[4] ?? 0);
}

interface ProcEntry {
  pid: number;
  comm: string;
  cmdline: string;
}

/** Every process of the machine with its command name and command line (one pass over /proc). */
export function listProcesses(): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const comm = read(`/proc/${name}/comm`)?.trim();
    if (!comm) continue;
    out.push({ pid: Number(name), comm, cmdline: (read(`/proc/${name}/cmdline`) ?? '').replace(/\0/g, ' ') });
  }
  return out;
}

/**
 * PostgreSQL: the postmaster, its background processes and the backends of `database`. Backends of other
 * databases are left out: the server may be shared (other test runs), and their work is not ours.
 */
export function postgresPids(database: string): number[] {
  return listProcesses()
    .filter((p) => p.comm === 'postgres')
    .filter((p) => {
      const backend = /^postgres: [^:]+: \S+ (\S+) (\[local\]|\S+\(\d+\))/.exec(p.cmdline);
      return !backend || backend[1] === database;
    })
    .map((p) => p.pid);
}

export function findPids(match: (p: ProcEntry) => boolean): number[] {
  return listProcesses()
    .filter(match)
    .map((p) => p.pid);
}

/** Usage of each group over one phase; `sample()` every second or so, `finish()` at the end. */
export class ResourceMeter {
  private readonly last = new Map<string, Map<number, number>>();
  private readonly cpu = new Map<string, number>();
  private readonly rss = new Map<string, number>();
  private readonly seen = new Map<string, Set<number>>();
  private readonly machineStart = machineBusyTicks();
  private readonly startedAt = Date.now();

  constructor(private readonly groups: ProcessGroup[]) {
    for (const g of groups) {
      const ticks = new Map<number, number>();
      for (const pid of g.pids()) {
        const t = cpuTicks(pid);
        if (t !== undefined) ticks.set(pid, t);
      }
      this.last.set(g.name, ticks);
      this.cpu.set(g.name, 0);
      this.rss.set(g.name, 0);
      this.seen.set(g.name, new Set(ticks.keys()));
    }
    this.sample();
  }

  sample(): void {
    for (const g of this.groups) {
      const last = this.last.get(g.name)!;
      let add = 0;
      let rss = 0;
      for (const pid of g.pids()) {
        const t = cpuTicks(pid);
        if (t === undefined) continue;
        // A process that appeared during the phase did all its work in it.
        add += t - (last.get(pid) ?? 0);
        last.set(pid, t);
        rss += rssKb(pid);
        this.seen.get(g.name)!.add(pid);
      }
      this.cpu.set(g.name, this.cpu.get(g.name)! + add);
      this.rss.set(g.name, Math.max(this.rss.get(g.name)!, rss));
    }
  }

  /** CPU seconds of a group so far in the phase. */
  cpuS(name: string): number {
    return (this.cpu.get(name) ?? 0) / CLK_TCK;
  }

  finish(): { groups: Record<string, GroupUsage>; machineBusyS: number; wallS: number } {
    this.sample();
    const groups: Record<string, GroupUsage> = {};
    for (const g of this.groups) {
      groups[g.name] = {
        cpuS: round(this.cpuS(g.name), 2),
        rssMaxMb: round(this.rss.get(g.name)! / 1024, 1),
        processes: this.seen.get(g.name)!.size,
      };
    }
    return {
      groups,
      machineBusyS: round((machineBusyTicks() - this.machineStart) / CLK_TCK, 2),
      wallS: round((Date.now() - this.startedAt) / 1000, 2),
    };
  }
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
