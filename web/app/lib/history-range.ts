import type { Interval } from "~/models/types";
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

/** Days of data up to which charts default to hourly buckets (a young network, e.g. the devnet, fits in a few). */
export const HOURLY_UP_TO_DAYS = 3;

/** The default interval for a network with `days` daily buckets of data. */
export function defaultInterval(days: number): Interval {
  return days <= HOURLY_UP_TO_DAYS ? "HOUR" : "DAY";
}
