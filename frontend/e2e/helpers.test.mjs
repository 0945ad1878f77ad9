// The checks the browser tests rely on must be able to fail: each is run here on a page
// built to break it (a name missing, clipped, covered, off screen; a page too wide).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { assertNoHorizontalOverflow, DESKTOP, hiddenClassNames, launch, openPage, PHONE, storedZip } from "./helpers.mjs";

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

test("storedZip writes a zip that a zip reader lists and extracts", async () => {
  const { execFileSync } = await import("node:child_process");
  const { mkdtempSync, readFileSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(`${tmpdir()}/stored-zip-`);
  const png = Buffer.from([137, 80, 78, 71, 1, 2, 3]);
  writeFileSync(`${dir}/set.zip`, storedZip([["train/cat/a.png", png], ["test/dog/b.png", Buffer.from("x")]]));
  const python = new URL("../../.venv/bin/python", import.meta.url).pathname;
  const listed = execFileSync(python, ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip(), *z.namelist())",
    `${dir}/set.zip`]).toString().trim();
  assert.equal(listed, "None train/cat/a.png test/dog/b.png");
  execFileSync(python, ["-m", "zipfile", "-e", `${dir}/set.zip`, `${dir}/out`]);
  assert.deepEqual(readFileSync(`${dir}/out/train/cat/a.png`), png);
});
