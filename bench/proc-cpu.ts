// CPU seconds of processes, from /proc (Linux): what the benchmarks report beside their rates, so work moved from
// one process to another (the indexer to the node, say) shows.
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ: the unit of /proc/<pid>/stat's times; 100 on every Linux the project runs on (getconf CLK_TCK). */
const TICKS_PER_SECOND = 100;

interface Stat {
  ppid: number;
  /** utime + stime: the process's own CPU (all its threads). */
  own: number;
  /** cutime + cstime: children it has waited for (and theirs), once they exited. */
  reaped: number;
}

function stat(pid: number | "self"): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // exited
  }
  // The command name (field 2) is in parentheses and may hold spaces: fields count from the last ")".
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
}

/**
 * CPU seconds used so far by a process and all its descendants, living or exited (an exited child counts once its
 * parent has waited for it, as Postgres's postmaster does for each connection's backend).
 */
export function treeCpuSeconds(rootPid: number): number {
  const children = new Map<number, number[]>();
  const stats = new Map<number, Stat>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (!s) continue;
    stats.set(Number(name), s);
    const list = children.get(s.ppid);
    if (list) list.push(Number(name));
    else children.set(s.ppid, [Number(name)]);
  }
  let ticks = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    const s = stats.get(pid);
    if (!s) continue;
    ticks += s.own + s.reaped;
    stack.push(...(children.get(pid) ?? []));
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * CPU seconds of this process's children that have exited and been waited for: the difference across a spawned
 * child's run is that child's CPU (with its own children), as long as no other child exits meanwhile.
 */
export function reapedChildrenCpuSeconds(): number {
  return (stat("self")?.reaped ?? 0) / TICKS_PER_SECOND;
}

/** The postmaster (the server process, parent of every backend) listening on `port`, from its command line. */
export function postmasterPid(port: number): number | undefined {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    if (!argv[0]?.endsWith("/postgres")) continue;
    const p = argv.indexOf("-p");
    if (p >= 0 && argv[p + 1] === String(port)) return Number(name);
  }
  return undefined;
}
