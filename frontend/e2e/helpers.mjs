// What the browser tests share: Debian's chromium (never a downloaded one), what a person
// checks on a page (text visible, nothing sideways, an accessibility scan), screenshots.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import zlib from "node:zlib";

import AxeBuilder from "@axe-core/playwright";
import { chromium } from "playwright-core";

export const DESKTOP = { width: 1400, height: 1000 };
export const PHONE = { width: 390, height: 844 };
export const SHOTS = new URL("../e2e-artifacts/", import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** A page that records script errors (network statuses are asserted by the tests). */
export async function openPage(browser, viewport) {
  const context = await browser.newContext({ viewport }); // axe needs a page of its own context
  const page = await context.newPage();
  page.setDefaultTimeout(45000); // the API shares the CPU with the tests (and, in CI, with more)
  page.close = () => context.close();
  page.problems = [];
  page.on("pageerror", (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) page.problems.push(msg.text());
  });
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

/** The page's own text of an element (not its <title> tooltip child): what is drawn. */
const OWN_TEXT = (el) =>
  Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("").trim();

/**
 * For each class name, whether a person sees it in `selector`'s element: an element whose own
 * text is the name is inside the viewport and inside the chart's box (not clipped), and is the
 * topmost thing at its centre (not covered). The chart is scrolled into view first.
 * Returns the names that fail, with why.
 */
export async function hiddenClassNames(page, selector, names) {
  await page.locator(selector).first().scrollIntoViewIfNeeded();
  return page.evaluate(
    ({ selector, names, ownText }) => {
      const own = new Function(`return (${ownText})`)();
      const chart = document.querySelector(selector);
      if (!chart) return names.map((name) => `${name}: no ${selector}`);
      const box = chart.getBoundingClientRect();
      const labels = Array.from(chart.querySelectorAll("text, th, td, span, div, li, p"));
      const failures = [];
      for (const name of names) {
        const drawn = labels.filter((el) => own(el) === name);
        if (!drawn.length) { failures.push(`${name}: not drawn`); continue; }
        const seen = drawn.some((el) => {
          const r = el.getBoundingClientRect();
          if (r.width < 1 || r.height < 1) return false;
          const inViewport = r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
          const inChart = r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          const onTop = hit !== null && (hit === el || el.contains(hit));
          return inViewport && inChart && onTop;
        });
        if (!seen) failures.push(`${name}: drawn but off screen, clipped or covered`);
      }
      return failures;
    },
    { selector, names, ownText: OWN_TEXT.toString() },
  );
}

export async function assertClassNamesVisible(page, selector, names) {
  assert.deepEqual(await hiddenClassNames(page, selector, names), [], `class names in ${selector}`);
}

/** Nothing wider than the screen: a phone user never scrolls the page sideways. */
export async function assertNoHorizontalOverflow(page) {
  const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scrollWidth <= innerWidth, `page is ${scrollWidth}px wide on a ${innerWidth}px screen`);
}

/** axe-core's WCAG scan: no serious or critical violation. */
export async function assertAccessible(page, what) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  assert.deepEqual(bad, [], `accessibility of ${what}`);
}

/** Lets charts re-measure after a resize (ResizeObserver) before anything is measured. */
export const settle = (page, ms = 600) => page.waitForTimeout(ms);

/** A .zip (stored, not deflated) of `files`, [path inside the zip, bytes][]: enough to hand a
 *  browser a dataset laid out in class folders without a zip tool. */
export function storedZip(files) {
  const { crc32 } = zlib;
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [path, data] of files) {
    const name = Buffer.from(path, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
