/**
 * What every browser suite shares: the one stack of explorer.test.ts and the sample rows, plus small helpers.
 */
import { expect } from "vitest";
import { visit, type Watched, watchedPage } from "./browser.ts";
import type { Samples } from "./samples.ts";
import type { Stack } from "./stack.ts";

export interface E2E {
  stack: Stack;
  samples: Samples;
}

/** Filled by explorer.test.ts's beforeAll; the suites read it inside their tests. */
export const e2e = {} as E2E;

/** Integers as the explorer prints them (thousands separated by commas). */
export const int = (n: number): string => n.toLocaleString("en-US");

/** A wei amount as the explorer prints ETH: thousands separated, at most four decimals, no trailing zeros. */
export function eth(wei: string | bigint): string {
  const v = BigInt(wei);
  const whole = v / 10n ** 18n;
  const frac = ((v % 10n ** 18n) / 10n ** 14n).toString().padStart(4, "0").replace(/0+$/, "");
  return `${whole.toLocaleString("en-US")}${frac ? `.${frac}` : ""} ETH`;
}

/** A reputation's score as the explorer shows it: "no data" without any verdict (successRate null), else the score. */
export const shownScore = (r: { score: number; successRate: number | null }): string =>
  r.successRate === null ? "no data" : String(r.score);

/** 0x1234…abcd, as the explorer shortens hex. */
export const short = (hex: string, keep = 6): string => `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;

/** Opens a path of the explorer (or of another server at `base`) in a fresh context; the caller closes it. */
export async function open(
  path: string,
  options: Parameters<typeof watchedPage>[1] = {},
  base = e2e.stack.web.url,
): Promise<Watched & { status: number }> {
  const w = await watchedPage(e2e.stack.browser, options);
  try {
    const res = await visit(w.page, `${base}${path}`);
    return Object.assign(w, { status: res.status() });
  } catch (err) {
    await w.close();
    throw err;
  }
}

/** Runs `body` on a page of the explorer and closes it, failing on any page error, console error or dialog. */
export async function onPage(
  path: string,
  body: (w: Watched & { status: number }) => Promise<void>,
  options: Parameters<typeof watchedPage>[1] = {},
  base = e2e.stack.web.url,
): Promise<void> {
  const w = await open(path, options, base);
  try {
    await body(w);
    expectClean(w);
  } catch (err) {
    // What the page itself reported explains most failures (a script error stops hydration, for one).
    const seen = [
      ...w.pageErrors.map((e) => `page error: ${e}`),
      ...w.consoleErrors.map((e) => `console: ${e}`),
      ...w.cspViolations.map((e) => `CSP violation: ${e}`),
    ];
    if (seen.length > 0 && err instanceof Error) err.message += `\n${path}:\n  ${seen.join("\n  ")}`;
    throw err;
  } finally {
    await w.close();
  }
}

export function expectClean(w: Watched): void {
  expect(w.pageErrors, "uncaught errors in the page").toEqual([]);
  expect(w.consoleErrors, "console errors in the page").toEqual([]);
  expect(w.dialogs, "dialogs opened by the page").toEqual([]);
  expect(w.cspViolations, "Content-Security-Policy violations").toEqual([]);
}
