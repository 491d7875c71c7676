import { useId } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { useHydrated } from "./hydrated";

export interface Series {
  key: string;
  label: string;
  /** A CSS colour; the palette variables follow the theme. */
  color: string;
  /** Plotted against a second y axis on the right (a quantity of another unit). */
  axis?: "right";
}

/** Verdicts per bucket, stacked: the same three series on every history chart. */
export const OUTCOME_SERIES: Series[] = [
  { key: "verified", label: "Verified", color: "var(--ok)" },
  { key: "failed", label: "Failed", color: "var(--bad)" },
  { key: "expired", label: "Expired", color: "var(--warn)" },
];

export type ChartRow = Record<string, string | number | null>;

/**
 * "stacked-bar": one bar per bucket, one segment per series, each segment as tall as its own count in that bucket
 * (never a running total); "line": values over time (scores, amounts).
 */
export type ChartKind = "stacked-bar" | "line";

/**
 * A chart with its accessible name and a table of the same numbers under it (screen readers, printing, and anyone
 * who wants the exact values). recharts draws in the browser after hydration; the server renders the table.
 */
export function ChartFigure({
  title,
  description,
  data,
  xKey,
  xLabel,
  series,
  kind,
  yDomain,
}: {
  title: string;
  description: string;
  data: ChartRow[];
  xKey: string;
  xLabel: string;
  series: Series[];
  kind: ChartKind;
  yDomain?: [number, number];
}) {
  const id = useId();
  const hydrated = useHydrated();
  const empty = data.length === 0;
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>
        <strong>{title}</strong>{" "}
        <span className="muted">
          {description}
          {kind === "stacked-bar" && series.length > 1
            ? " (stacked: each colour is its own count per period)"
            : ""}
        </span>
      </figcaption>
      <div className="chart-canvas" role="img" aria-label={`${title}: ${description}`}>
        {empty ? (
          <p className="empty">No data in this range.</p>
        ) : hydrated ? (
          <ResponsiveContainer width="100%" height={260}>
            {renderChart(kind, data, xKey, series, yDomain)}
          </ResponsiveContainer>
        ) : (
          <p className="muted chart-loading">Drawing the chart…</p>
        )}
      </div>
      <details className="chart-table">
        <summary>Table of “{title}”</summary>
        <div className="table-scroll">
          <table>
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{xLabel}</th>
                {series.map((s) => (
                  <th key={s.key} scope="col" className="num">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.map((row) => (
                <tr key={String(row[xKey])}>
                  <th scope="row">{row[xKey]}</th>
                  {series.map((s) => (
                    <td key={s.key} className="num">
                      {row[s.key] ?? "—"}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

function renderChart(
  kind: ChartKind,
  data: ChartRow[],
  xKey: string,
  series: Series[],
  yDomain?: [number, number],
) {
  const axes = [
    <CartesianGrid key="grid" strokeDasharray="3 3" stroke="var(--grid)" />,
    <XAxis key="x" dataKey={xKey} tick={{ fill: "var(--muted)", fontSize: 12 }} minTickGap={16} />,
    <YAxis
      key="y"
      yAxisId="left"
      tick={{ fill: "var(--muted)", fontSize: 12 }}
      allowDecimals={false}
      domain={yDomain ?? [0, "auto"]}
      width={48}
    />,
    ...(series.some((s) => s.axis === "right")
      ? [
          <YAxis
            key="y2"
            yAxisId="right"
            orientation="right"
            tick={{ fill: "var(--muted)", fontSize: 12 }}
            domain={[0, "auto"]}
            width={56}
          />,
        ]
      : []),
    <Tooltip
      key="tip"
      contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" }}
    />,
    <Legend key="legend" />,
  ];
  if (kind === "line") {
    return (
      <LineChart data={data}>
        {axes}
        {series.map((s) => (
          <Line
            key={s.key}
            yAxisId={s.axis ?? "left"}
            type="monotone"
            dataKey={s.key}
            name={s.label}
            stroke={s.color}
            dot={false}
            strokeWidth={2}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    );
  }
  return (
    <BarChart data={data}>
      {axes}
      {series.map((s) => (
        <Bar
          key={s.key}
          yAxisId={s.axis ?? "left"}
          dataKey={s.key}
          name={s.label}
          stackId="a"
          fill={s.color}
          isAnimationActive={false}
        />
      ))}
    </BarChart>
  );
}
