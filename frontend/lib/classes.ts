// How class names and per-class numbers are laid out, for 2 to 100 classes: pure functions,
// unit-tested in tests/classes.test.ts, used by the charts in components/.

/** Longest label drawn in full; longer ones are cut with an ellipsis and shown whole in a tooltip. */
export const LABEL_MAX_CHARS = 16;
/** Height of one horizontal bar's row, label included: every class gets its own line. */
export const BAR_ROW_PX = 28;
/** Room below the bars for the value axis. */
export const VALUE_AXIS_PX = 32;
/** Average width of one character of the 12 px axis font (system-ui), with a margin. */
const CHAR_PX = 7.2;

/** The name as drawn: whole when short, otherwise cut to `maxChars` ending in "…". */
export function truncateLabel(name: string, maxChars = LABEL_MAX_CHARS): string {
  const chars = Array.from(name); // by code point, so an emoji or accented letter is not split
  if (chars.length <= maxChars) return name;
  return `${chars.slice(0, Math.max(1, maxChars - 1)).join("").trimEnd()}…`;
}

/** Width of the category axis: the longest drawn label, so no name is clipped. */
export function labelColumnWidth(names: string[], maxChars = LABEL_MAX_CHARS): number {
  const longest = Math.max(0, ...names.map((name) => Array.from(truncateLabel(name, maxChars)).length));
  return Math.ceil(Math.max(4, longest) * CHAR_PX) + 12;
}

/** Height of a horizontal bar chart with one row per class: it grows with the class count. */
export function barChartHeight(count: number, rowPx = BAR_ROW_PX): number {
  return Math.max(2, count) * rowPx + VALUE_AXIS_PX;
}

export interface ClassValue {
  class: string;
  value: number;
}

/** Highest first, ties by name, so the predicted class is the first bar. */
export function highestFirst<T extends ClassValue>(rows: T[]): T[] {
  return [...rows].sort((a, b) => b.value - a.value || a.class.localeCompare(b.class));
}

/** Each row of a confusion matrix as shares of that row's total (0 for an empty row). */
export function rowShares(matrix: number[][]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((sum, n) => sum + n, 0);
    return row.map((n) => (total ? n / total : 0));
  });
}

type Rgb = readonly [number, number, number];

// The colour scale of the confusion matrix: from near-white (share 0) to deep blue (share 1).
const SCALE_LOW: Rgb = [241, 245, 255];
const SCALE_HIGH: Rgb = [30, 58, 138];

export function shareColour(share: number): Rgb {
  const t = Math.min(1, Math.max(0, Number.isFinite(share) ? share : 0));
  return SCALE_LOW.map((low, i) => Math.round(low + (SCALE_HIGH[i]! - low) * t)) as unknown as Rgb;
}

/** WCAG relative luminance of an sRGB colour. */
export function luminance([r, g, b]: Rgb): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}

const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];

/** The text colour (black or white) that reads best on `background`: at least 4.5:1 on any colour. */
export function readableText(background: Rgb): "#000000" | "#ffffff" {
  return contrastRatio(background, BLACK) >= contrastRatio(background, WHITE) ? "#000000" : "#ffffff";
}

export const rgb = ([r, g, b]: Rgb) => `rgb(${r}, ${g}, ${b})`;
