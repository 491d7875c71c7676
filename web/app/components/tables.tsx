import { Link } from "@remix-run/react";
import { formatTime, formatWei, modelLabel } from "~/lib/format";
import type { InferenceRow, SettlementRow, SlashRow } from "~/models/types";
import { BlockCell, CheckBadge, EmptyRow, HexLink, StatusBadge, TableScroll } from "./ui";

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
      <table>
        <caption className="sr-only">{label}</caption>
        <thead>
          <tr>
            <th scope="col">Inference</th>
            {showNode ? <th scope="col">Node</th> : null}
            {showModel ? <th scope="col">Model</th> : null}
            <th scope="col">Mode</th>
            <th scope="col">Status</th>
            <th scope="col">Checks (commitment, on time, TEE signature, PCR)</th>
            <th scope="col">Committed</th>
            <th scope="col">Committed at</th>
            <th scope="col">Verdict block</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? <EmptyRow colSpan={columns}>No inferences.</EmptyRow> : null}
          {rows.map((r) => (
            <tr key={r.id} data-inference-id={r.id}>
              <td>
                <HexLink to={`/inferences/${r.id}`} value={r.id} />
              </td>
              {showNode ? (
                <td>
                  <HexLink to={`/nodes/${r.node.id}`} value={r.node.id} keep={4} />
                </td>
              ) : null}
              {showModel ? (
                <td className="text">
                  <Link to={`/models/${r.model.id}`}>{modelLabel(r.model)}</Link>
                </td>
              ) : null}
              <td>{r.mode}</td>
              <td>
                <StatusBadge status={r.status} />{" "}
                {r.discrepancy ? (
                  <span className="badge discrepancy" title="The chain says VERIFIED, an own check says FAIL">
                    discrepancy
                  </span>
                ) : null}
              </td>
              <td>
                <CheckBadge check={r.checks.commitment} label="commitment" />{" "}
                <CheckBadge check={r.checks.revealOnTime} label="reveal on time" />{" "}
                <CheckBadge check={r.checks.teeSignature} label="TEE signature" />{" "}
                <CheckBadge check={r.checks.pcrValid} label="PCR valid" />
              </td>
              <td>
                <BlockCell block={r.committed} />
              </td>
              <td>{formatTime(r.committed.timestamp)}</td>
              <td>
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
      <table>
        <caption className="sr-only">{label}</caption>
        <thead>
          <tr>
            <th scope="col">Settlement</th>
            <th scope="col">TEE</th>
            <th scope="col">Signature</th>
            <th scope="col">Fresh</th>
            <th scope="col">TEE enabled</th>
            <th scope="col">PCR valid</th>
            <th scope="col">Signed at</th>
            <th scope="col">Block</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? <EmptyRow colSpan={8}>No settlements.</EmptyRow> : null}
          {rows.map((s) => (
            <tr key={s.id} data-settlement-id={s.id}>
              <td>
                <HexLink to={`/settlements/${encodeURIComponent(s.id)}`} value={s.id} />
              </td>
              <td>
                {s.node ? (
                  <HexLink to={`/nodes/${s.node.id}`} value={s.teeId} keep={4} />
                ) : (
                  <span title="No TEE with this id is registered">
                    <code>{s.teeId.slice(0, 10)}…</code> (unknown)
                  </span>
                )}
              </td>
              <td>
                <CheckBadge check={s.checks.signature} label="signature" />
              </td>
              <td>
                <CheckBadge check={s.checks.freshness} label="freshness" />
              </td>
              <td>
                <CheckBadge check={s.checks.teeEnabled} label="TEE enabled" />
              </td>
              <td>
                <CheckBadge check={s.checks.pcrValid} label="PCR valid" />
              </td>
              <td>{s.timestamp ? formatTime(s.timestamp) : `${s.timestampSeconds} s`}</td>
              <td>
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
      <table>
        <caption className="sr-only">{label}</caption>
        <thead>
          <tr>
            {showNode ? <th scope="col">Node</th> : null}
            <th scope="col">Reason</th>
            <th scope="col" className="num">
              Amount
            </th>
            <th scope="col" className="num">
              Stake left
            </th>
            <th scope="col">Inference</th>
            <th scope="col">Time</th>
            <th scope="col">Block</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? <EmptyRow colSpan={showNode ? 7 : 6}>No slashes.</EmptyRow> : null}
          {rows.map((s) => (
            <tr key={s.id} id={s.id}>
              {showNode ? (
                <td>
                  <HexLink to={`/nodes/${s.node.id}`} value={s.node.id} />
                </td>
              ) : null}
              <td>{s.reason}</td>
              <td className="num">{formatWei(s.amount)}</td>
              <td className="num">{formatWei(s.remainingStake)}</td>
              <td>
                {s.inference ? <HexLink to={`/inferences/${s.inference.id}`} value={s.inference.id} /> : "—"}
              </td>
              <td>{formatTime(s.block.timestamp)}</td>
              <td>
                <BlockCell block={s.block} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
