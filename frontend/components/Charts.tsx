"use client";

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

import { confusionCells, type CurveRow, type DistributionRow } from "@/lib/shape";

const COLORS = { a: "#4f7cff", b: "#f59e0b", c: "#10b981", d: "#ef4444", e: "#8b5cf6" };
const pct = (v: number) => `${Math.round(v * 100)}%`;

export function TrainingCurves({ rows }: { rows: CurveRow[] }) {
  return (
    <div className="chart-pair">
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={rows} margin={{ top: 8, right: 12, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="epoch" />
          <YAxis width={40} />
          <Tooltip />
          <Legend />
          <Line dataKey="loss" stroke={COLORS.a} dot={false} isAnimationActive={false} />
          <Line dataKey="val_loss" stroke={COLORS.b} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={rows} margin={{ top: 8, right: 12, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="epoch" />
          <YAxis width={48} domain={[0, 1]} tickFormatter={pct} />
          <Tooltip formatter={(v) => pct(Number(v))} />
          <Legend />
          <Line dataKey="accuracy" stroke={COLORS.c} dot={false} isAnimationActive={false} />
          <Line dataKey="val_accuracy" stroke={COLORS.e} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

export function PerClassBars({ rows }: { rows: { class: string; accuracy: number }[] }) {
  return (
    <ResponsiveContainer width="100%" height={Math.max(160, rows.length * 26)}>
      <BarChart data={rows} layout="vertical" margin={{ left: 16, right: 16 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" domain={[0, 1]} tickFormatter={pct} />
        <YAxis type="category" dataKey="class" width={80} />
        <Tooltip formatter={(v) => pct(Number(v))} />
        <Bar dataKey="accuracy" fill={COLORS.a} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export function DistributionBars({ rows }: { rows: DistributionRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={240}>
      <BarChart data={rows} margin={{ left: 0, right: 12 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="class" interval={0} angle={-30} textAnchor="end" height={56} />
        <YAxis width={48} />
        <Tooltip />
        <Legend />
        <Bar dataKey="train" stackId="a" fill={COLORS.a} isAnimationActive={false} />
        <Bar dataKey="test" stackId="a" fill={COLORS.b} isAnimationActive={false} />
        <Bar dataKey="uploads" stackId="a" fill={COLORS.c} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export function ProbabilityBars({ rows }: { rows: { class: string; p: number }[] }) {
  return (
    <ResponsiveContainer width="100%" height={Math.max(140, rows.length * 24)}>
      <BarChart data={rows} layout="vertical" margin={{ left: 16, right: 16 }}>
        <XAxis type="number" domain={[0, 1]} tickFormatter={pct} />
        <YAxis type="category" dataKey="class" width={80} />
        <Tooltip formatter={(v) => pct(Number(v))} />
        <Bar dataKey="p" fill={COLORS.a} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export function SimpleBars({ data, dataKey, label }: { data: object[]; dataKey: string; label: string }) {
  return (
    <ResponsiveContainer width="100%" height={220}>
      <BarChart data={data} margin={{ left: 0, right: 12 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey={label} interval={0} angle={-30} textAnchor="end" height={56} />
        <YAxis width={40} allowDecimals={false} />
        <Tooltip />
        <Bar dataKey={dataKey} fill={COLORS.c} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export function SeriesLines({ data, lines, x, yFormat }: {
  data: object[];
  lines: { key: string; label?: string }[];
  x: string;
  yFormat?: (v: number) => string;
}) {
  const palette = Object.values(COLORS);
  return (
    <ResponsiveContainer width="100%" height={220}>
      <LineChart data={data} margin={{ top: 8, right: 12, left: 0, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey={x} minTickGap={24} />
        <YAxis width={48} tickFormatter={yFormat} />
        <Tooltip formatter={(v) => (yFormat ? yFormat(Number(v)) : String(v))} />
        <Legend />
        {lines.map((line, i) => (
          <Line key={line.key} dataKey={line.key} name={line.label ?? line.key} stroke={palette[i % palette.length]}
            dot={false} isAnimationActive={false} connectNulls />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

/** Rows are actual classes, columns predicted; colour is the share of the row. */
export function ConfusionHeatmap({ classes, matrix }: { classes: string[]; matrix: number[][] }) {
  const cells = confusionCells(classes, matrix);
  return (
    <div className="heatmap-wrap">
      <table className="heatmap" aria-label="confusion matrix">
        <thead>
          <tr>
            <th className="corner">actual ↓ predicted →</th>
            {classes.map((c) => <th key={c} className="col">{c}</th>)}
          </tr>
        </thead>
        <tbody>
          {classes.map((actual) => (
            <tr key={actual}>
              <th>{actual}</th>
              {cells.filter((cell) => cell.actual === actual).map((cell) => (
                <td key={cell.predicted} title={`${actual} → ${cell.predicted}: ${cell.count}`}
                  style={{ background: `rgba(79, 124, 255, ${0.08 + cell.share * 0.92})`,
                           color: cell.share > 0.5 ? "white" : "inherit" }}>
                  {cell.count}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
