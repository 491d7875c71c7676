import type { Interval } from "~/generated/graphql";
import { dateParam, intervalParam } from "./params";

/** Without a "from", hourly charts show the last 7 days before the latest indexed block (168 buckets). */
const DEFAULT_HOURLY_SPAN_MS = 7 * 24 * 3600 * 1000;

export interface HistoryRange {
  interval: Interval;
  from?: string;
  to?: string;
  /** The form's values, to show them back. */
  fromInput: string;
  toInput: string;
}

/** The interval and date range of a history chart from the page's query string (see params.ts for the rules). */
export function historyRange(
  params: URLSearchParams,
  latest: string | null | undefined,
  fallback: Interval = "DAY",
): HistoryRange {
  const interval = intervalParam(params, fallback);
  let from = dateParam(params, "from");
  const to = dateParam(params, "to", true);
  // A chosen hourly interval over a long history would exceed the API's 1000 buckets; the hourly default is only
  // picked for a network with a few days of data, which fits from its first bucket.
  if (!from && params.get("interval") === "HOUR" && latest) {
    const end = to ? new Date(to) : new Date(latest);
    from = new Date(end.getTime() - DEFAULT_HOURLY_SPAN_MS).toISOString();
  }
  return { interval, from, to, fromInput: params.get("from") ?? "", toInput: params.get("to") ?? "" };
}

/** A wei string as a float number of ETH, for chart axes only (tables show exact values). */
export function weiToEthNumber(wei: string): number {
  return Number(BigInt(wei) / 10n ** 12n) / 1e6;
}

/** Up to this span of data (seconds), charts default to minute buckets: hours would show one or two bars. */
export const MINUTELY_UP_TO_SECONDS = 2 * 3600;
/** Up to this span, hourly buckets (a devnet of a few days); beyond it, daily ones. */
export const HOURLY_UP_TO_SECONDS = 3 * 86_400;

/**
 * The default interval for data spanning `seconds` (from its first bucket to the latest indexed block): the
 * bucket size that gives a young network more than one bucket and an old one no more than the API's 1000.
 */
export function defaultInterval(seconds: number): Interval {
  if (seconds <= MINUTELY_UP_TO_SECONDS) return "MINUTE";
  return seconds <= HOURLY_UP_TO_SECONDS ? "HOUR" : "DAY";
}
