import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import type {
  InferenceRowFragment as InferenceRow,
  SettlementRowFragment as SettlementRow,
  SlashRowFragment as SlashRow,
} from "~/generated/graphql";
import { formatWei, modelLabel } from "~/lib/format";
import { Age } from "./age";
import { CopyButton } from "./copy-button";
import { BlockCell, CheckBadge, EmptyRow, HexLink, SlashReasonText, StatusBadge, TableScroll } from "./ui";

// The explorer's lists: one line per row at desktop width (fixed column widths from the header's classes, long
// values cut with an ellipsis and whole in their tooltip and copy button: styles.css "Lists"), cards on a phone
// (each cell labelled from its data-label).

/** A list's column header: its width class (w-*) and, for numbers, right alignment. */
export function Th({ w, num = false, children }: { w: string; num?: boolean; children: ReactNode }) {
  return (
    <th scope="col" className={num ? `num ${w}` : w}>
      {children}
    </th>
  );
}

/** A chain-supplied name cut to its column, whole in its tooltip and shown whole when the link has focus. */
export function TruncatedLink({ to, text }: { to: string; text: string }) {
  return (
    <Link to={to} title={text} data-full={text} className="trunc">
      {text}
    </Link>
  );
}

export function InferenceTable({
  rows,
  label,
  showNode = true,
  showModel = true,
}: {
  rows: InferenceRow[];
  label: string;
  showNode?: boolean;
  showModel?: boolean;
}) {
  const columns = 7 + (showNode ? 1 : 0) + (showModel ? 1 : 0);
  return (
    <TableScroll label={label}>
      <table className="list">
        <caption className="sr-only">{label}</caption>
        <thead>
          <tr>
            <Th w="w-hex">Inference</Th>
            {showNode ? <Th w="w-node">Node</Th> : null}
            {showModel ? <Th w="w-fill">Model</Th> : null}
            <Th w="w-mode">Mode</Th>
            <Th w="w-status">Status</Th>
            <Th w="w-checks">Checks (commitment, on time, TEE signature, PCR)</Th>
            <Th w="w-age">Age</Th>
            <Th w="w-block">Committed</Th>
            <Th w="w-block">Verdict block</Th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? <EmptyRow colSpan={columns}>No inferences.</EmptyRow> : null}
          {rows.map((r) => (
            <tr key={r.id} data-inference-id={r.id}>
              <td data-label="Inference">
                <HexLink to={`/inferences/${r.id}`} value={r.id} />
              </td>
              {showNode ? (
                <td data-label="Node">
                  <HexLink to={`/nodes/${r.node.id}`} value={r.node.id} keep={4} />
                </td>
              ) : null}
              {showModel ? (
                <td data-label="Model">
                  <TruncatedLink to={`/models/${r.model.id}`} text={modelLabel(r.model)} />
                </td>
              ) : null}
              <td data-label="Mode">{r.mode}</td>
              <td data-label="Status" className="wrap">
                <StatusBadge status={r.status} />{" "}
                {r.discrepancy ? (
                  <span className="badge discrepancy" title="The chain says VERIFIED, an own check says FAIL">
                    discrepancy
                  </span>
                ) : null}
              </td>
              <td data-label="Checks" className="wrap">
                <CheckBadge check={r.checks.commitment} label="commitment" tag="commit" />{" "}
                <CheckBadge check={r.checks.revealOnTime} label="reveal on time" tag="reveal" />{" "}
                <CheckBadge check={r.checks.teeSignature} label="TEE signature" tag="sig" />{" "}
                <CheckBadge check={r.checks.pcrValid} label="PCR valid" tag="PCR" />
              </td>
              <td data-label="Age">
                <Age time={r.committed.timestamp} />
              </td>
              <td data-label="Committed">
                <BlockCell block={r.committed} />
              </td>
              <td data-label="Verdict block">
                <BlockCell block={r.settled} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function SettlementTable({ rows, label }: { rows: SettlementRow[]; label: string }) {
  return (
    <TableScroll label={label}>
      <table className="list">
        <caption className="sr-only">{label}</caption>
        <thead>
          <tr>
            <Th w="w-fill">Settlement</Th>
            <Th w="w-node">TEE</Th>
            <Th w="w-check">Signature</Th>
            <Th w="w-check">Fresh</Th>
            <Th w="w-check">TEE enabled</Th>
            <Th w="w-check">PCR valid</Th>
            <Th w="w-age">Age</Th>
            <Th w="w-block">Block</Th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? <EmptyRow colSpan={8}>No settlements.</EmptyRow> : null}
          {rows.map((s) => (
            <tr key={s.id} data-settlement-id={s.id}>
              <td data-label="Settlement">
                <HexLink to={`/settlements/${encodeURIComponent(s.id)}`} value={s.id} />
              </td>
              <td data-label="TEE">
                {s.node ? (
                  <HexLink to={`/nodes/${s.node.id}`} value={s.teeId} keep={4} what="TEE id" />
                ) : (
                  <span className="copyable" title="No TEE with this id is registered">
                    <code>{s.teeId.slice(0, 10)}…</code> (unknown)
                    <CopyButton value={s.teeId} what="TEE id" />
                  </span>
                )}
              </td>
              <td data-label="Signature">
                <CheckBadge check={s.checks.signature} label="signature" />
              </td>
              <td data-label="Fresh">
                <CheckBadge check={s.checks.freshness} label="freshness" />
              </td>
              <td data-label="TEE enabled">
                <CheckBadge check={s.checks.teeEnabled} label="TEE enabled" />
              </td>
              <td data-label="PCR valid">
                <CheckBadge check={s.checks.pcrValid} label="PCR valid" />
              </td>
              <td data-label="Age">
                <Age time={s.block.timestamp} />
              </td>
              <td data-label="Block">
                <BlockCell block={s.block} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function SlashTable({
  rows,
  label,
  showNode = true,
}: {
  rows: SlashRow[];
  label: string;
  showNode?: boolean;
}) {
  return (
    <TableScroll label={label}>
      <table className="list">
        <caption className="sr-only">{label}</caption>
        <thead>
          <tr>
            {showNode ? <Th w="w-hex">Node</Th> : null}
            <Th w="w-fill">Reason</Th>
            <Th w="w-eth" num>
              Amount
            </Th>
            <Th w="w-eth" num>
              Stake left
            </Th>
            <Th w="w-hex">Inference</Th>
            <Th w="w-age">Age</Th>
            <Th w="w-block">Block</Th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? <EmptyRow colSpan={showNode ? 7 : 6}>No slashes.</EmptyRow> : null}
          {rows.map((s) => (
            <tr key={s.id} id={s.id}>
              {showNode ? (
                <td data-label="Node">
                  <HexLink to={`/nodes/${s.node.id}`} value={s.node.id} />
                </td>
              ) : null}
              <td data-label="Reason">
                <SlashReasonText reason={s.reason} />
              </td>
              <td data-label="Amount" className="num">
                {formatWei(s.amount)}
              </td>
              <td data-label="Stake left" className="num">
                {formatWei(s.remainingStake)}
              </td>
              <td data-label="Inference">
                {s.inference ? <HexLink to={`/inferences/${s.inference.id}`} value={s.inference.id} /> : "—"}
              </td>
              <td data-label="Age">
                <Age time={s.block.timestamp} />
              </td>
              <td data-label="Block">
                <BlockCell block={s.block} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
