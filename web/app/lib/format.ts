// Display helpers shared by server and browser. Every value here comes from the API (chain data included) and is
// rendered by React as text.

const WEI_PER_ETH = 10n ** 18n;

/** A wei amount (base-10 string) as ETH with up to `digits` decimals, e.g. "12.5 ETH". Exact: no float rounding. */
export function formatWei(wei: string | null | undefined, digits = 4): string {
  if (wei === null || wei === undefined || wei === "") return "—";
  let value: bigint;
  try {
    value = BigInt(wei);
  } catch {
    return wei;
  }
  const sign = value < 0n ? "-" : "";
  const abs = value < 0n ? -value : value;
  const whole = abs / WEI_PER_ETH;
  const frac = (abs % WEI_PER_ETH) / 10n ** BigInt(18 - digits);
  if (abs !== 0n && whole === 0n && frac === 0n) return `${sign}<0.${"0".repeat(digits - 1)}1 ETH`;
  const fracText = frac.toString().padStart(digits, "0").replace(/0+$/, "");
  return `${sign}${groupThousands(whole.toString())}${fracText ? `.${fracText}` : ""} ETH`;
}

export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function formatInt(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  return groupThousands(String(n));
}

/** A share (0..1) as a percentage with one decimal. */
export function formatPercent(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "—";
  return `${(x * 100).toFixed(digits)}%`;
}

export function formatFloat(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined) return "—";
  return x.toFixed(digits);
}

/** 0x1234…abcd for long hex; short values unchanged. */
export function shortHex(hex: string | null | undefined, keep = 6): string {
  if (!hex) return "—";
  if (hex.length <= 2 + keep * 2 + 1) return hex;
  return `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;
}

/** ISO-8601 UTC as "2026-11-26 04:00:00 UTC" (the API's DateTimes are UTC). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * How long ago `iso` was, seen at `nowMs`, in one unit: "12 s ago", "5 min ago", "3 h ago", "2 d ago" ("in 4 s"
 * for a time ahead of the clock, e.g. a block stamped a little in the future).
 */
export function formatAge(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return "—";
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return "—";
  const seconds = Math.round((nowMs - t) / 1000);
  const s = Math.abs(seconds);
  const text =
    s < 60
      ? `${s} s`
      : s < 3600
        ? `${Math.floor(s / 60)} min`
        : s < 86400
          ? `${Math.floor(s / 3600)} h`
          : `${Math.floor(s / 86400)} d`;
  return seconds < 0 ? `in ${text}` : `${text} ago`;
}

/** Bucket labels: hours show the hour, days and weeks the date. */
export function formatBucket(iso: string, interval: string): string {
  const text = new Date(iso).toISOString();
  return interval === "DAY" || interval === "WEEK"
    ? text.slice(0, 10)
    : `${text.slice(5, 10)} ${text.slice(11, 16)}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** Display name of a model: its registered name and version, or its id when it never registered. */
export function modelLabel(model: { id: string; name: string; version?: string }): string {
  if (!model.name) return shortHex(model.id);
  return model.version ? `${model.name} ${model.version}` : model.name;
}
