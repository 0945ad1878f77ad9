// The checks the browser tests rely on must be able to fail: each is run here on a page
// built to break it (a name missing, clipped, covered, off screen; a page too wide).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { assertNoHorizontalOverflow, DESKTOP, hiddenClassNames, launch, openPage, PHONE } from "./helpers.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const CHART = `
  <div id="chart" style="position:relative;width:300px;height:200px;overflow:hidden;font:12px sans-serif">
    <svg width="300" height="200">
      <text x="10" y="20" data-class-label="cat"><title>cat</title>cat</text>
      <text x="10" y="60" data-class-label="dog"><title>dog</title>dog</text>
      <text x="10" y="260" data-class-label="clipped"><title>clipped</title>clipped</text>
    </svg>
    <div style="position:absolute;left:0;top:45px;width:100px;height:20px;background:white"></div>
  </div>`;

test("a name that is missing, clipped by its chart or covered is reported; a visible one is not", async () => {
  const page = await openPage(browser, DESKTOP);
  await page.setContent(CHART);
  const failures = await hiddenClassNames(page, "#chart", ["cat", "dog", "clipped", "bird"]);
  assert.deepEqual(failures, [
    "dog: drawn but off screen, clipped or covered",
    "clipped: drawn but off screen, clipped or covered",
    "bird: not drawn",
  ]);
  await page.close();
});

test("a page wider than a phone is caught", async () => {
  const page = await openPage(browser, PHONE);
  await page.setContent(`<div style="width:600px">wide</div>`);
  await assert.rejects(assertNoHorizontalOverflow(page), /\d+px wide on a 390px screen/);
  await page.close();
});
