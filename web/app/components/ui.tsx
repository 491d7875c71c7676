import { Link, useLocation } from "@remix-run/react";
import type { ReactNode } from "react";
import { formatInt, formatTime, shortHex } from "~/lib/format";
import { NO_COMMIT_REVEAL } from "~/lib/network-mode";
import type { BlockRef, Check, PageInfo } from "~/models/types";

/** A hex value shown short, with the whole value as its accessible name and tooltip. */
export function Hex({ value, keep = 6 }: { value: string | null | undefined; keep?: number }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <code className="hex" title={value}>
      {shortHex(value, keep)}
    </code>
  );
}

/** A hex value in full (wraps on narrow screens), for identity fields. */
export function FullHex({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="muted">—</span>;
  return <code className="hex full">{value}</code>;
}

export function HexLink({ to, value, keep }: { to: string; value: string; keep?: number }) {
  return (
    <Link to={to} title={value} data-value={value} className="hex-link">
      <Hex value={value} keep={keep} />
    </Link>
  );
}

const CHECK_LABEL: Record<Check, string> = {
  PASS: "pass",
  FAIL: "fail",
  UNKNOWN: "unknown",
  NOT_APPLICABLE: "n/a",
};

export function CheckBadge({ check, label }: { check: Check; label?: string }) {
  return (
    <span className={`badge check-${check.toLowerCase()}`} title={label ? `${label}: ${check}` : check}>
      {CHECK_LABEL[check]}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status.toLowerCase()}`}>{status.toLowerCase()}</span>;
}

/** Marks rows whose block is not final yet: a reorg can still roll them back. */
export function FinalityBadge({ finalized }: { finalized: boolean }) {
  return finalized ? (
    <span className="badge final" title="In a finalized block">
      final
    </span>
  ) : (
    <span className="badge pending" title="Not final yet: a reorg can still roll this row back">
      not final
    </span>
  );
}

export function BlockCell({ block }: { block: Pick<BlockRef, "number" | "finalized"> | null | undefined }) {
  if (!block) return <span className="muted">—</span>;
  return (
    <span className="block-cell">
      {formatInt(block.number)} {block.finalized ? null : <FinalityBadge finalized={false} />}
    </span>
  );
}

/** Block, time, transaction and finality of an event. */
export function BlockRefView({ block }: { block: BlockRef | null | undefined }) {
  if (!block) return <span className="muted">not yet</span>;
  return (
    <span className="blockref">
      block {formatInt(block.number)} · {formatTime(block.timestamp)} · tx <Hex value={block.txHash} /> · log{" "}
      {block.logIndex} <FinalityBadge finalized={block.finalized} />
    </span>
  );
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>
        <span className="value">{value}</span>
        {hint ? <span className="hint">{hint}</span> : null}
      </dd>
    </div>
  );
}

/** Next-page and first-page links that keep the current filters (keyset paging: cursors are opaque). */
export function Pager({
  pageInfo,
  totalCount,
  shown,
  label,
}: {
  pageInfo: PageInfo;
  totalCount: number;
  shown: number;
  label: string;
}) {
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  const onFirstPage = !params.get("after");
  const pageNumber = Number(params.get("page") ?? "1") || 1;
  const next = new URLSearchParams(params);
  if (pageInfo.endCursor) next.set("after", pageInfo.endCursor);
  next.set("page", String(pageNumber + 1));
  const first = new URLSearchParams(params);
  first.delete("after");
  first.delete("page");
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <span>
        {formatInt(totalCount)} {label} · page {pageNumber} ({formatInt(shown)} shown)
      </span>
      {onFirstPage ? null : (
        <Link to={`?${first.toString()}`} rel="first">
          First page
        </Link>
      )}
      {pageInfo.hasNextPage && pageInfo.endCursor ? (
        <Link to={`?${next.toString()}`} rel="next">
          Next page
        </Link>
      ) : null}
    </nav>
  );
}

export function EmptyRow({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={colSpan} className="empty">
        {children}
      </td>
    </tr>
  );
}

/** A table that scrolls sideways on a phone instead of breaking the layout. */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section className="table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}

/** Says, where commit-reveal data would have been, why it does not exist on this network. */
export function NoCommitReveal() {
  return (
    <p className="notice" data-testid="no-commit-reveal">
      {NO_COMMIT_REVEAL}
    </p>
  );
}

/** A page whose rows all come from the commit-reveal registry, on a network without one: the why, not a table. */
export function Unavailable({ title }: { title: string }) {
  return (
    <>
      <h1>{title}</h1>
      <NoCommitReveal />
    </>
  );
}
