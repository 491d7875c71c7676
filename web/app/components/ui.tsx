import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import type { BlockRefFragment as BlockRef, Check } from "~/generated/graphql";
import { formatInt, formatTime, shortHex } from "~/lib/format";
import { NO_COMMIT_REVEAL } from "~/lib/network-mode";
import { slashReasonWords } from "~/models/enums";
import { CopyButton } from "./copy-button";

/** A hex value shown short, with the whole value as its tooltip and, given `copy` (what it is), a copy button. */
export function Hex({
  value,
  keep = 6,
  copy,
}: {
  value: string | null | undefined;
  keep?: number;
  copy?: string;
}) {
  if (!value) return <span className="muted">—</span>;
  const text = (
    <code className="hex" title={value}>
      {shortHex(value, keep)}
    </code>
  );
  if (!copy) return text;
  return (
    <span className="copyable">
      {text}
      <CopyButton value={value} what={copy} />
    </span>
  );
}

/** A hex value in full (wraps on narrow screens), for identity fields, with a copy button. */
export function FullHex({ value, what = "value" }: { value: string | null | undefined; what?: string }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <span className="copyable">
      <code className="hex full">{value}</code>
      <CopyButton value={value} what={what} />
    </span>
  );
}

/** What a link's target is, for its copy button's name: "node id" for /nodes/…. */
const LINKED: [prefix: string, what: string][] = [
  ["/nodes/", "node id"],
  ["/models/", "model id"],
  ["/inferences/", "inference id"],
  ["/settlements/", "settlement id"],
];

/**
 * A link to an entity shown by its shortened id: the whole id is its tooltip, shows beside it when the link has
 * keyboard focus (CSS, from data-full), and is what the copy button beside it copies.
 */
export function HexLink({
  to,
  value,
  keep,
  what,
}: {
  to: string;
  value: string;
  keep?: number;
  what?: string;
}) {
  const label = what ?? LINKED.find(([prefix]) => to.startsWith(prefix))?.[1] ?? "id";
  return (
    <span className="copyable">
      <Link to={to} title={value} data-value={value} data-full={value} className="hex-link">
        <Hex value={value} keep={keep} />
      </Link>
      <CopyButton value={value} what={label} />
    </span>
  );
}

const CHECK_LABEL: Record<Check, string> = {
  PASS: "pass",
  FAIL: "fail",
  UNKNOWN: "unknown",
  NOT_APPLICABLE: "n/a",
};

/** An icon beside each result's word, so a badge reads without its colour. */
const CHECK_ICON: Record<Check, string> = { PASS: "✓", FAIL: "✗", UNKNOWN: "?", NOT_APPLICABLE: "–" };

/**
 * A check's result: icon and word, the check's name (`label`) on hover. With `tag` (several badges side by side,
 * e.g. a list's four checks, which are then not read by position) the badge shows the icon and that short name,
 * its result word for screen readers and in the tooltip.
 */
export function CheckBadge({ check, label, tag }: { check: Check; label?: string; tag?: string }) {
  return (
    <span className={`badge check-${check.toLowerCase()}`} title={label ? `${label}: ${check}` : check}>
      <span aria-hidden="true">{CHECK_ICON[check]}</span>{" "}
      {tag ? (
        <>
          {tag}
          <span className="sr-only"> {CHECK_LABEL[check]}</span>
        </>
      ) : (
        CHECK_LABEL[check]
      )}
    </span>
  );
}

/** A slash reason in words, its contract code on hover. */
export function SlashReasonText({ reason }: { reason: string }) {
  return <span title={reason}>{slashReasonWords(reason)}</span>;
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
      block {formatInt(block.number)} · {formatTime(block.timestamp)} · tx{" "}
      <Hex value={block.txHash} copy="transaction hash" /> · log {block.logIndex}{" "}
      <FinalityBadge finalized={block.finalized} />
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
