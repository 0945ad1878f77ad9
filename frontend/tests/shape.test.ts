import { describe, expect, it } from "vitest";

import type { DatasetStats, Monitoring } from "@/lib/api";
import {
  appendLatency,
  confusionCells,
  distributionRows,
  formatDuration,
  historyRows,
  percent,
  probabilityRows,
} from "@/lib/shape";

describe("confusionCells", () => {
  it("gives one cell per pair with the share of the actual class's row", () => {
    const cells = confusionCells(["cat", "dog"], [[8, 2], [0, 5]]);
    expect(cells).toHaveLength(4);
    expect(cells[0]).toEqual({ actual: "cat", predicted: "cat", count: 8, share: 0.8 });
    expect(cells[1]).toEqual({ actual: "cat", predicted: "dog", count: 2, share: 0.2 });
    expect(cells[3]?.share).toBe(1);
  });

  it("handles empty rows without dividing by zero", () => {
    const cells = confusionCells(["a", "b"], [[0, 0], [1, 1]]);
    expect(cells[0]?.share).toBe(0);
    expect(cells[2]?.share).toBe(0.5);
  });
});

describe("historyRows", () => {
  it("zips the curves by epoch, starting at 1, skipping missing values", () => {
    const rows = historyRows({ loss: [1.5, 1.0], accuracy: [0.5, 0.7], val_loss: [1.6, null], val_accuracy: [0.4, 0.6] });
    expect(rows).toEqual([
      { epoch: 1, loss: 1.5, val_loss: 1.6, accuracy: 0.5, val_accuracy: 0.4 },
      { epoch: 2, loss: 1.0, accuracy: 0.7, val_accuracy: 0.6 },
    ]);
  });

  it("is empty for no history", () => {
    expect(historyRows({})).toEqual([]);
  });
});

describe("distributionRows", () => {
  it("gives each class its train, test and upload counts, zero when absent", () => {
    const stats: DatasetStats = {
      dataset: "cifar10", classes: ["cat", "dog"], train: { cat: 5000, dog: 5000 },
      test: { cat: 1000 }, uploads: { dog: 3 }, total: 11003,
    };
    expect(distributionRows(stats)).toEqual([
      { class: "cat", train: 5000, test: 1000, uploads: 0 },
      { class: "dog", train: 5000, test: 0, uploads: 3 },
    ]);
  });
});

describe("appendLatency", () => {
  const sample = (p50: number): Monitoring => ({
    requests: 10, rps: 2, errors: 1, latency_ms: { p50, p95: p50 * 2, p99: p50 * 3 },
    class_distribution: {}, confidence: { mean: 0.9, series: [] }, drift: {},
    system: { cpu_percent: 1, memory_percent: 2, disk_percent: 3 },
  });

  it("appends a point per poll and keeps only the newest", () => {
    let series = appendLatency([], sample(4), 1000, 2);
    series = appendLatency(series, sample(5), 2000, 2);
    series = appendLatency(series, sample(6), 3000, 2);
    expect(series.map((p) => p.t)).toEqual([2000, 3000]);
    expect(series[1]).toEqual({ t: 3000, rps: 2, p50: 6, p95: 12, p99: 18, errors: 1 });
  });
});

describe("formatting", () => {
  it("sorts probabilities, highest first", () => {
    expect(probabilityRows({ a: 0.1, b: 0.7, c: 0.2 }).map((r) => r.class)).toEqual(["b", "c", "a"]);
  });

  it("formats durations and percentages for people", () => {
    expect(formatDuration(42)).toBe("42s");
    expect(formatDuration(3725)).toBe("1h 2m");
    expect(formatDuration(null)).toBe("–");
    expect(percent(0.9412, 2)).toBe("94.12%");
    expect(percent(undefined)).toBe("–");
  });
});
