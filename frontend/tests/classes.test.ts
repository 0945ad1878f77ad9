import { describe, expect, it } from "vitest";

import {
  BAR_ROW_PX,
  barChartHeight,
  contrastRatio,
  highestFirst,
  labelColumnWidth,
  LABEL_MAX_CHARS,
  readableText,
  rowShares,
  shareColour,
  truncateLabel,
} from "@/lib/classes";

const CIFAR10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
const hex = (colour: string) => [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16)) as [number, number, number];

describe("truncateLabel", () => {
  it("keeps every CIFAR-10 name whole", () => {
    expect(CIFAR10.map((name) => truncateLabel(name))).toEqual(CIFAR10);
  });

  it("cuts a long name to the limit, ending in an ellipsis", () => {
    const cut = truncateLabel("northern-hemisphere-grey-squirrel", 16);
    expect(cut).toBe("northern-hemisp…");
    expect(Array.from(cut)).toHaveLength(16);
  });

  it("keeps a name exactly at the limit and drops trailing spaces before the ellipsis", () => {
    expect(truncateLabel("a".repeat(LABEL_MAX_CHARS))).toBe("a".repeat(LABEL_MAX_CHARS));
    expect(truncateLabel("sea lion pup", 10)).toBe("sea lion…");
  });

  it("does not split a character made of two code units", () => {
    expect(truncateLabel("🐈🐈🐈🐈🐈", 3)).toBe("🐈🐈…");
  });
});

describe("chart sizing", () => {
  it("gives every class its own row, from 2 to 100 classes", () => {
    for (const n of [2, 10, 100]) expect(barChartHeight(n)).toBeGreaterThanOrEqual(n * BAR_ROW_PX);
    expect(barChartHeight(100)).toBeGreaterThan(barChartHeight(10));
  });

  it("sizes the label column to the longest drawn name, capped by truncation", () => {
    const cifar = labelColumnWidth(CIFAR10);
    expect(cifar).toBeGreaterThan(labelColumnWidth(["cat", "dog"]));
    expect(labelColumnWidth(["x".repeat(80)])).toBe(labelColumnWidth(["x".repeat(LABEL_MAX_CHARS)]));
  });
});

describe("highestFirst", () => {
  it("puts the predicted (highest) class first and breaks ties by name", () => {
    const rows = highestFirst([{ class: "b", value: 0.2 }, { class: "c", value: 0.7 }, { class: "a", value: 0.2 }]);
    expect(rows.map((r) => r.class)).toEqual(["c", "a", "b"]);
  });
});

describe("rowShares", () => {
  it("normalises each row to its own total", () => {
    expect(rowShares([[8, 2], [0, 5]])).toEqual([[0.8, 0.2], [0, 1]]);
  });

  it("leaves an empty row at zero instead of dividing by zero", () => {
    expect(rowShares([[0, 0], [1, 3]])).toEqual([[0, 0], [0.25, 0.75]]);
  });
});

describe("confusion colours", () => {
  it("darkens as the share grows", () => {
    const sum = (share: number) => shareColour(share).reduce((a, b) => a + b, 0);
    expect(sum(0)).toBeGreaterThan(sum(0.5));
    expect(sum(0.5)).toBeGreaterThan(sum(1));
    expect(shareColour(2)).toEqual(shareColour(1));
    expect(shareColour(Number.NaN)).toEqual(shareColour(0));
  });

  it("keeps the count readable (at least 4.5:1) on every colour of the scale", () => {
    for (let i = 0; i <= 100; i += 1) {
      const background = shareColour(i / 100);
      expect(contrastRatio(background, hex(readableText(background)))).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("writes black on pale cells and white on dark ones", () => {
    expect(readableText(shareColour(0))).toBe("#000000");
    expect(readableText(shareColour(1))).toBe("#ffffff");
  });
});

describe("theme colours", () => {
  it("keeps white button text and muted text at WCAG AA contrast", () => {
    expect(contrastRatio(hex("#3358d4"), hex("#ffffff"))).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(hex("#475569"), hex("#f5f7fb"))).toBeGreaterThanOrEqual(4.5);
  });
});
