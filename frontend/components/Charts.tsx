"use client";

import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  LabelList,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import { barChartHeight, labelColumnWidth, readableText, rgb, shareColour, truncateLabel } from "@/lib/classes";
import { confusionCells, type CurveRow, type DistributionRow } from "@/lib/shape";

const COLORS = { a: "#3b63e0", b: "#d97706", c: "#059669", d: "#dc2626", e: "#7c3aed", predicted: "#1e3a8a" };
const pct = (v: number) => `${Math.round(v * 100)}%`;
const count = (v: number) => v.toLocaleString();
const HEADER_CHARS = 12;
const AXIS_TICK = { fontSize: 12, fill: "#334155" };

export function TrainingCurves({ rows }: { rows: CurveRow[] }) {
  return (
    <div className="chart-pair">
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={rows} margin={{ top: 8, right: 12, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="epoch" tick={AXIS_TICK} minTickGap={12} />
          <YAxis width={44} tick={AXIS_TICK} />
          <Tooltip />
          <Legend />
          <Line dataKey="loss" stroke={COLORS.a} dot={false} isAnimationActive={false} />
          <Line dataKey="val_loss" stroke={COLORS.b} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={rows} margin={{ top: 8, right: 12, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="epoch" tick={AXIS_TICK} minTickGap={12} />
          <YAxis width={52} domain={[0, 1]} tickFormatter={pct} tick={AXIS_TICK} />
          <Tooltip formatter={(v) => pct(Number(v))} />
          <Legend />
          <Line dataKey="accuracy" stroke={COLORS.c} dot={false} isAnimationActive={false} />
          <Line dataKey="val_accuracy" stroke={COLORS.e} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

interface ClassSeries {
  key: string;
  label: string;
  colour: string;
}

/** The class-name tick: the name cut to fit, the whole name in its tooltip (SVG <title>). */
function ClassTick({ x, y, payload, emphasise }: {
  x?: number | string;
  y?: number | string;
  payload?: { value?: unknown };
  emphasise?: string;
}) {
  const name = String(payload?.value ?? "");
  return (
    <text x={Number(x) - 6} y={Number(y)} textAnchor="end" dominantBaseline="central" fontSize={12}
      fill="#1e293b" fontWeight={name === emphasise ? 700 : 400} data-class-label={name}>
      <title>{name}</title>
      {truncateLabel(name)}
    </text>
  );
}

/**
 * Horizontal bars, one row per class, every row named: the chart is as tall as its class
 * count needs (2 to 100), the label column as wide as its longest (truncated) name.
 */
export function ClassBars<Row extends { class: string }>({ rows, series, format, domain, emphasise, testId }: {
  rows: Row[];
  series: ClassSeries[];
  format: (value: number) => string;
  domain?: [number, number];
  emphasise?: string; // a class drawn in bold with its own colour: the predicted one
  testId?: string;
}) {
  const stacked = series.length > 1;
  return (
    <div data-testid={testId} className="class-bars">
      <ResponsiveContainer width="100%" height={barChartHeight(rows.length)}>
        <BarChart data={rows} layout="vertical" margin={{ top: 0, right: stacked ? 16 : 48, left: 0, bottom: 0 }}
          barCategoryGap="18%" accessibilityLayer>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" domain={domain ?? [0, "auto"]} tickFormatter={format} allowDecimals={false} tick={AXIS_TICK} />
          <YAxis type="category" dataKey="class" interval={0} width={labelColumnWidth(rows.map((r) => r.class))}
            tickLine={false} tick={(props) => <ClassTick {...props} emphasise={emphasise} />} />
          <Tooltip formatter={(value, name) => [format(Number(value)), name]} />
          {stacked && <Legend />}
          {series.map((line) => (
            <Bar key={line.key} dataKey={line.key} name={line.label} fill={line.colour} stackId={stacked ? "all" : undefined}
              isAnimationActive={false}>
              {!stacked && emphasise !== undefined && rows.map((row) => (
                <Cell key={row.class} fill={row.class === emphasise ? COLORS.predicted : line.colour} />
              ))}
              {!stacked && (
                <LabelList dataKey={line.key} position="right" fontSize={11} fill="#334155"
                  formatter={(value) => format(Number(value))} />
              )}
            </Bar>
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export function PerClassBars({ rows }: { rows: { class: string; value: number }[] }) {
  return <ClassBars rows={rows} series={[{ key: "value", label: "accuracy", colour: COLORS.a }]} format={pct}
    domain={[0, 1]} testId="per-class-accuracy" />;
}

/** Probabilities, highest first: the first bar is the predicted class, drawn apart. */
export function ProbabilityBars({ rows }: { rows: { class: string; value: number }[] }) {
  return <ClassBars rows={rows} series={[{ key: "value", label: "probability", colour: COLORS.a }]} format={pct}
    domain={[0, 1]} emphasise={rows[0]?.class} testId="probabilities" />;
}

export function DistributionBars({ rows }: { rows: DistributionRow[] }) {
  return <ClassBars rows={rows} format={count} testId="distribution" series={[
    { key: "train", label: "train", colour: COLORS.a },
    { key: "test", label: "test", colour: COLORS.b },
    { key: "uploads", label: "uploads", colour: COLORS.c },
  ]} />;
}

export function CountBars({ rows, label, testId }: { rows: { class: string; value: number }[]; label: string; testId?: string }) {
  return <ClassBars rows={rows} series={[{ key: "value", label, colour: COLORS.c }]} format={count} testId={testId} />;
}

export function SeriesLines({ data, lines, x, yFormat, yDomain, testId }: {
  data: object[];
  lines: { key: string; label?: string }[];
  x: string;
  yFormat?: (v: number) => string;
  yDomain?: [number, number];
  testId?: string;
}) {
  const palette = Object.values(COLORS);
  // A dot per point while they are few enough to tell apart; a line alone beyond that.
  const dot = data.length <= 60 ? { r: 2.5 } : false;
  return (
    <div data-testid={testId} className="series-lines">
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 8, right: 12, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey={x} minTickGap={24} tick={AXIS_TICK} />
          <YAxis width={52} tickFormatter={yFormat} domain={yDomain} tick={AXIS_TICK} />
          <Tooltip formatter={(v) => (yFormat ? yFormat(Number(v)) : String(v))} />
          <Legend />
          {lines.map((line, i) => (
            <Line key={line.key} dataKey={line.key} name={line.label ?? line.key} stroke={palette[i % palette.length]}
              dot={dot} isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

/**
 * Rows are actual classes, columns predicted; each cell shows its count, coloured by its share
 * of the row (row-normalised, so a rare class reads as clearly as a common one). The table
 * scrolls inside its card when it is wider or taller than the card, with sticky headers.
 */
export function ConfusionHeatmap({ classes, matrix }: { classes: string[]; matrix: number[][] }) {
  const cells = confusionCells(classes, matrix);
  return (
    <div className="heatmap-wrap" tabIndex={0} role="region" aria-label="confusion matrix (scrolls)">
      <table className="heatmap" aria-label="confusion matrix" data-testid="confusion-matrix">
        <thead>
          <tr>
            <th className="corner" scope="col"><span>actual ↓</span> <span>predicted →</span></th>
            {classes.map((c) => <th key={c} className="col" scope="col" title={c}>{truncateLabel(c, HEADER_CHARS)}</th>)}
          </tr>
        </thead>
        <tbody>
          {classes.map((actual, i) => (
            <tr key={actual}>
              <th scope="row" title={actual}>{truncateLabel(actual, HEADER_CHARS)}</th>
              {cells.slice(i * classes.length, (i + 1) * classes.length).map((cell) => {
                const background = shareColour(cell.share);
                return (
                  <td key={cell.predicted}
                    title={`actual ${actual}, predicted ${cell.predicted}: ${cell.count} (${pct(cell.share)} of ${actual})`}
                    style={{ background: rgb(background), color: readableText(background) }}>
                    {cell.count}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="heatmap-legend muted">Colour: share of the actual class&apos;s images (each row sums to 100%).</p>
    </div>
  );
}
