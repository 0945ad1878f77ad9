// Pure functions that turn API answers into chart rows; unit-tested in tests/shape.test.ts.
import type { DatasetStats, History, Metrics, Monitoring } from "./api";

export interface HeatCell {
  actual: string;
  predicted: string;
  count: number;
  share: number; // of the actual class's row, 0..1
}

export function confusionCells(classes: string[], matrix: number[][]): HeatCell[] {
  return classes.flatMap((actual, i) => {
    const row = matrix[i] ?? [];
    const total = row.reduce((sum, n) => sum + n, 0);
    return classes.map((predicted, j) => {
      const count = row[j] ?? 0;
      return { actual, predicted, count, share: total ? count / total : 0 };
    });
  });
}

export interface CurveRow {
  epoch: number;
  loss?: number;
  val_loss?: number;
  accuracy?: number;
  val_accuracy?: number;
}

type Curves = Partial<History> | Record<string, (number | null)[] | undefined>;

export function historyRows(history: Curves): CurveRow[] {
  const curves = history as Record<string, (number | null)[] | undefined>;
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

export function perClassRows(metrics: Metrics): { class: string; accuracy: number; f1: number }[] {
  return metrics.class_names.map((name) => ({
    class: name,
    accuracy: metrics.per_class[name]?.accuracy ?? 0,
    f1: metrics.per_class[name]?.f1 ?? 0,
  }));
}

export function probabilityRows(probabilities: Record<string, number>): { class: string; p: number }[] {
  return Object.entries(probabilities)
    .map(([name, p]) => ({ class: name, p }))
    .sort((a, b) => b.p - a.p);
}

export interface LatencyPoint {
  t: number; // ms since epoch, when the poll answered
  rps: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  errors: number;
}

/** Appends one monitoring poll to the client-side series, keeping the last `keep`. */
export function appendLatency(series: LatencyPoint[], sample: Monitoring, t: number, keep = 120): LatencyPoint[] {
  const point: LatencyPoint = {
    t,
    rps: sample.rps,
    p50: sample.latency_ms.p50,
    p95: sample.latency_ms.p95,
    p99: sample.latency_ms.p99,
    errors: sample.errors,
  };
  return [...series, point].slice(-keep);
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
