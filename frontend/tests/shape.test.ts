import { describe, expect, it } from "vitest";

import type { DatasetStats } from "@/lib/api";
import {
  confusionCells,
  distributionRows,
  formatDuration,
  bucketWidth,
  historyRows,
  monitoringRows,
  perClassRows,
  percent,
  probabilityRows,
  timeAgo,
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

describe("monitoringRows", () => {
  const bucket = (t: string, requests: number, p50: number | null = null, confidence: number | null = null) => ({
    t, requests, errors: 0, predictions: requests, p50, p95: p50, confidence,
  });

  it("draws the server's buckets oldest first, empty buckets included", () => {
    const rows = monitoringRows([bucket("2026-01-01T10:02:00Z", 3, 12, 0.8), bucket("2026-01-01T10:00:00Z", 0)]);
    expect(rows).toEqual([
      { t: Date.parse("2026-01-01T10:00:00Z"), requests: 0, errors: 0, p50: null, p95: null, confidence: null },
      { t: Date.parse("2026-01-01T10:02:00Z"), requests: 3, errors: 0, p50: 12, p95: 12, confidence: 0.8 },
    ]);
  });

  it("drops a bucket whose time cannot be read", () => {
    expect(monitoringRows([bucket("not a time", 1)])).toEqual([]);
  });
});

describe("perClassRows", () => {
  it("gives every class, in the model's order, its accuracy (0 when missing)", () => {
    const pc = { precision: 1, recall: 1, f1: 1, support: 10 };
    const rows = perClassRows({ class_names: ["cat", "dog"], per_class: { cat: { ...pc, accuracy: 0.9 } } });
    expect(rows).toEqual([{ class: "cat", value: 0.9 }, { class: "dog", value: 0 }]);
  });
});

describe("formatting", () => {
  it("sorts probabilities, highest first", () => {
    expect(probabilityRows({ a: 0.1, b: 0.7, c: 0.2 }).map((r) => r.class)).toEqual(["b", "c", "a"]);
    expect(probabilityRows({ a: 0.1, b: 0.7 })[0]).toEqual({ class: "b", value: 0.7 });
  });

  it("formats durations and percentages for people", () => {
    expect(formatDuration(42)).toBe("42s");
    expect(formatDuration(3725)).toBe("1h 2m");
    expect(formatDuration(null)).toBe("–");
    expect(bucketWidth(10)).toBe("10 s");
    expect(bucketWidth(180)).toBe("3 min");
    expect(bucketWidth(2880)).toBe("48 min");
    expect(bucketWidth(7200)).toBe("2 h");
    expect(percent(0.9412, 2)).toBe("94.12%");
    expect(percent(undefined)).toBe("–");
  });
});

describe("timeAgo", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  it("says how long ago, for people", () => {
    expect(timeAgo("2026-03-01T11:59:30Z", now)).toBe("just now");
    expect(timeAgo("2026-03-01T11:55:00Z", now)).toBe("5 min ago");
    expect(timeAgo("2026-03-01T09:00:00Z", now)).toBe("3 h ago");
    expect(timeAgo("2026-02-28T11:00:00Z", now)).toBe("yesterday");
    expect(timeAgo("2026-02-20T12:00:00Z", now)).toBe("9 days ago");
    expect(timeAgo(null, now)).toBe("–");
    expect(timeAgo("garbage", now)).toBe("–");
  });
});
