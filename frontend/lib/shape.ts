// Pure functions that turn API answers into chart rows; unit-tested in tests/shape.test.ts.
import type { DatasetStats, Metrics, Monitoring } from "./api";
import { highestFirst, rowShares } from "./classes";

export interface HeatCell {
  actual: string;
  predicted: string;
  count: number;
  share: number; // of the actual class's row, 0..1
}

/** One cell per (actual, predicted) pair, row by row; `share` is row-normalised. */
export function confusionCells(classes: string[], matrix: number[][]): HeatCell[] {
  const square = classes.map((_, i) => classes.map((__, j) => matrix[i]?.[j] ?? 0));
  const shares = rowShares(square);
  return classes.flatMap((actual, i) =>
    classes.map((predicted, j) => ({ actual, predicted, count: square[i]![j]!, share: shares[i]![j]! })),
  );
}

export interface CurveRow {
  epoch: number;
  loss?: number;
  val_loss?: number;
  accuracy?: number;
  val_accuracy?: number;
}

type Curves = Record<string, (number | null)[] | undefined>;

export function historyRows(curves: Curves): CurveRow[] {
  const length = Math.max(0, ...Object.values(curves).map((values) => values?.length ?? 0));
  return Array.from({ length }, (_, i) => {
    const row: CurveRow = { epoch: i + 1 };
    for (const key of ["loss", "val_loss", "accuracy", "val_accuracy"] as const) {
      const value = curves[key]?.[i];
      if (typeof value === "number" && Number.isFinite(value)) row[key] = value;
    }
    return row;
  });
}

export interface DistributionRow {
  class: string;
  train: number;
  test: number;
  uploads: number;
}

export function distributionRows(stats: DatasetStats): DistributionRow[] {
  return stats.classes.map((name) => ({
    class: name,
    train: stats.train[name] ?? 0,
    test: stats.test[name] ?? 0,
    uploads: stats.uploads[name] ?? 0,
  }));
}

/** Accuracy per class, in the model's class order. */
export function perClassRows(metrics: Pick<Metrics, "class_names" | "per_class">): { class: string; value: number }[] {
  return metrics.class_names.map((name) => ({ class: name, value: metrics.per_class[name]?.accuracy ?? 0 }));
}

/** Every class's probability, highest first: the predicted class is the first bar. */
export function probabilityRows(probabilities: Record<string, number>): { class: string; value: number }[] {
  return highestFirst(Object.entries(probabilities).map(([name, value]) => ({ class: name, value })));
}

/** One bucket of the server's monitoring series, as the charts draw it. */
export interface MonitoringRow {
  t: number; // ms since epoch, the bucket's middle
  requests: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  confidence: number | null;
}

/** The window's buckets, oldest first, as the charts draw them. */
export function monitoringRows(series: Monitoring["series"]): MonitoringRow[] {
  return series
    .map((bucket) => ({
      t: Date.parse(bucket.t),
      requests: bucket.requests,
      errors: bucket.errors,
      p50: bucket.p50 ?? null,
      p95: bucket.p95 ?? null,
      confidence: bucket.confidence ?? null,
    }))
    .filter((row) => Number.isFinite(row.t))
    .sort((a, b) => a.t - b.t);
}

/** A bucket's time as an axis label: minutes for short windows, day and hour for long ones. */
export function bucketLabel(t: number, windowSeconds: number): string {
  const date = new Date(t);
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return windowSeconds > 6 * 3600 ? `${date.toLocaleDateString([], { weekday: "short" })} ${time}` : time;
}

/** A bucket's width for people: "30 s", "3 min", "2 h". */
export function bucketWidth(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return "–";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "–";
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

export function percent(value: number | null | undefined, digits = 1): string {
  return value == null || !Number.isFinite(value) ? "–" : `${(value * 100).toFixed(digits)}%`;
}

/** How long ago `iso` was, for people: "just now", "5 min ago", "3 h ago", "2 days ago". */
export function timeAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "–";
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return "–";
  const seconds = Math.max(0, (now - then) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  const days = Math.floor(seconds / 86400);
  return days === 1 ? "yesterday" : `${days} days ago`;
}
