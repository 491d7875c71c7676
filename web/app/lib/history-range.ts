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
export function historyRange(params: URLSearchParams, latest: string | null | undefined): HistoryRange {
  const interval = intervalParam(params);
  let from = dateParam(params, "from");
  const to = dateParam(params, "to", true);
  if (!from && interval === "HOUR" && latest) {
    const end = to ? new Date(to) : new Date(latest);
    from = new Date(end.getTime() - DEFAULT_HOURLY_SPAN_MS).toISOString();
  }
  return { interval, from, to, fromInput: params.get("from") ?? "", toInput: params.get("to") ?? "" };
}

/** A wei string as a float number of ETH, for chart axes only (tables show exact values). */
export function weiToEthNumber(wei: string): number {
  return Number(BigInt(wei) / 10n ** 12n) / 1e6;
}
