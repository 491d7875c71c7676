import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

// Helpers for the deploy tests: the repository root, .dockerignore as Docker reads it, and Dockerfiles split into
// stages and instructions. Small on purpose: enough to check what the images are built from, not a full parser.

export const ROOT = resolve(import.meta.dirname, "..");

export const read = (path: string): string => readFileSync(resolve(ROOT, path), "utf8");

/** A .dockerignore pattern as a regular expression over slash-separated paths relative to the context. */
function patternToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      // `**/` matches any number of directories, zero included; a trailing `**` anything.
      if (pattern[i + 2] === "/") {
        source += "(?:.*/)?";
        i += 2;
      } else {
        source += ".*";
        i += 1;
      }
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/**
 * `isIgnored(path)` as Docker decides it: the last matching pattern wins (`!` re-includes), and a path is out of
 * the context when it or any folder above it is excluded.
 */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const negate = l.startsWith("!");
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+/, "").replace(/\/+$/, "");
      return { negate, re: patternToRegExp(pattern) };
    });
  const matches = (path: string): boolean => {
    let excluded = false;
    for (const r of rules) if (r.re.test(path)) excluded = !r.negate;
    return excluded;
  };
  return (path: string) => {
    const parts = path.split("/");
    for (let i = 1; i <= parts.length; i++) if (matches(parts.slice(0, i).join("/"))) return true;
    return false;
  };
}

/** Every file of the build context (the repository minus .dockerignore), relative to the root. */
export function contextFiles(root = ROOT): string[] {
  const ignored = dockerignore(readFileSync(join(root, ".dockerignore"), "utf8"));
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      const rel = relative(root, abs);
      if (ignored(rel)) continue;
      if (entry.isDirectory()) walk(abs);
      else out.push(rel);
    }
  };
  walk(root);
  return out;
}

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** The FROM line's image (build arguments unresolved) and its `AS` name. */
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** A Dockerfile's stages; continuation lines joined, comments dropped, `ARG`s before the first FROM kept apart. */
export function parseDockerfile(text: string): { globalArgs: string[]; stages: Stage[] } {
  const logical: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!current && (line === "" || line.startsWith("#"))) continue;
    if (current && line.startsWith("#")) continue;
    if (line.endsWith("\\")) current += `${line.slice(0, -1)} `;
    else {
      logical.push(current + line);
      current = "";
    }
  }
  if (current) logical.push(current);
  const globalArgs: string[] = [];
  const stages: Stage[] = [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1].toUpperCase();
    const args = match[2].trim();
    if (keyword === "FROM") {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: m?.[1] ?? args, name: m?.[2], instructions: [] });
    } else if (stages.length === 0) {
      if (keyword === "ARG") globalArgs.push(args);
    } else stages[stages.length - 1].instructions.push({ keyword, args });
  }
  return { globalArgs, stages };
}

/** The sources of a COPY/ADD (flags and destination removed; exec form `["a", "b"]` too) and its --from. */
export function copySources(args: string): { from: string | undefined; sources: string[] } {
  let rest = args;
  let from: string | undefined;
  for (let flag = /^--(\S+?)(?:=(\S*))?\s+/.exec(rest); flag; flag = /^--(\S+?)(?:=(\S*))?\s+/.exec(rest)) {
    if (flag[1] === "from") from = flag[2];
    rest = rest.slice(flag[0].length);
  }
  const tokens = rest.startsWith("[") ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  return { from, sources: tokens.slice(0, -1) };
}

export const fileExists = (path: string): boolean => existsSync(resolve(ROOT, path));
