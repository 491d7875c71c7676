import type { ReactNode } from "react";
import type { Check } from "~/generated/graphql";
import { CheckBadge } from "./ui";

/** The indexer's own checks of a row: each result with what it compared. */
export function ChecksTable({ rows }: { rows: { name: string; check: Check; compared: ReactNode }[] }) {
  return (
    <div className="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Result</th>
            <th scope="col">What it compared</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name} data-check={r.name}>
              <th scope="row">{r.name}</th>
              <td>
                <CheckBadge check={r.check} label={r.name} />
              </td>
              <td className="text">{r.compared}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
