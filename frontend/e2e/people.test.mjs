// The dashboard as a person sees it, against whichever model the API serves (run-e2e.sh runs
// this file against the small generated model and against the shipped CIFAR-10 one): every
// class named in every chart, the confusion matrix whole on a desktop, monitoring charts
// drawn on arrival, nothing sideways on a phone, no serious accessibility violation.
// Screenshots of every page at both sizes go to e2e-artifacts/<model>-<page>-<size>.png.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, test } from "node:test";

import {
  assertAccessible,
  assertClassNamesVisible,
  assertNoHorizontalOverflow,
  DESKTOP,
  launch,
  openPage,
  PHONE,
  settle,
  shot,
} from "./helpers.mjs";

const API = process.env.E2E_API_URL;
const WEB = process.env.E2E_WEB_URL;
const DATA = process.env.E2E_DATA;
const MODEL = process.env.E2E_MODEL_NAME ?? "model";
const PAGES = [["dashboard", "/"], ["predict", "/predict/"], ["retrain", "/retrain/"], ["monitoring", "/monitoring/"], ["models", "/models/"]];

// The pages poll the API every few seconds, so "network idle" may never come on a busy
// machine: each page is ready when what it shows from the API is drawn.
async function ready(page, name) {
  if (name === "dashboard") await page.getByTestId("confusion-matrix").waitFor();
  if (name === "predict") {
    await page.getByTestId("file-input").setInputFiles(sampleImages[1]);
    await page.getByTestId("predicted-class").waitFor({ timeout: 60000 });
  }
  if (name === "retrain") await page.getByLabel("Admin token").waitFor();
  if (name === "monitoring") await page.getByTestId("requests-chart").waitFor();
  if (name === "models") await page.getByTestId("models-table").waitFor();
  await settle(page);
}

let browser;
let classNames;
let sampleImages;

function someImages(n) {
  const found = [];
  for (const split of ["test", "train"]) {
    for (const folder of readdirSync(`${DATA}/${split}`).sort()) {
      for (const name of readdirSync(`${DATA}/${split}/${folder}`).sort().slice(0, 2)) found.push(`${DATA}/${split}/${folder}/${name}`);
    }
  }
  return found.slice(0, n);
}

async function predictThroughApi(file) {
  const form = new FormData();
  form.append("file", new Blob([readFileSync(file)], { type: "image/png" }), "sample.png");
  const response = await fetch(`${API}/api/predict`, { method: "POST", body: form });
  assert.equal(response.status, 200);
  return response.json();
}

before(async () => {
  browser = await launch();
  classNames = (await (await fetch(`${API}/api/metrics`)).json()).class_names;
  assert.ok(classNames.length >= 2, "the model has classes");
  sampleImages = someImages(4);
  // The history has rows before any page opens: the monitoring charts must show them on arrival.
  for (const file of sampleImages) await predictThroughApi(file);
});

after(async () => {
  await browser?.close();
});

test(`${MODEL}: the dashboard names every class in every chart and shows the whole matrix`, async () => {
  const page = await openPage(browser, DESKTOP);
  await page.goto(`${WEB}/`);
  await ready(page, "dashboard");
  await page.getByTestId("distribution").waitFor();

  await assertClassNamesVisible(page, "[data-testid=per-class-accuracy]", classNames);
  await assertClassNamesVisible(page, "[data-testid=distribution]", classNames);

  // Every cell and both headers of the matrix on screen at once, nothing to scroll in its card.
  await page.getByTestId("confusion-matrix").scrollIntoViewIfNeeded();
  const matrix = await page.evaluate(() => {
    const table = document.querySelector("[data-testid=confusion-matrix]");
    const wrap = table.closest(".heatmap-wrap");
    const onScreen = (el) => {
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight && (hit === el || el.contains(hit));
    };
    const cells = Array.from(table.querySelectorAll("td"));
    const headers = Array.from(table.querySelectorAll("th:not(.corner)"));
    return {
      cells: cells.length,
      cellsOnScreen: cells.filter(onScreen).length,
      headers: headers.map((th) => th.textContent),
      headersOnScreen: headers.filter(onScreen).length,
      scrollsSideways: wrap.scrollWidth > wrap.clientWidth,
      scrollsDown: wrap.scrollHeight > wrap.clientHeight,
    };
  });
  const n = classNames.length;
  assert.equal(matrix.cells, n * n);
  assert.deepEqual(matrix.headers, [...classNames, ...classNames]);
  if (n <= 10) {
    assert.equal(matrix.cellsOnScreen, n * n, "every cell of the matrix is on screen");
    assert.equal(matrix.headersOnScreen, 2 * n, "every row and column header is on screen");
    assert.equal(matrix.scrollsSideways || matrix.scrollsDown, false, "the matrix fits its card");
  }
  await assertClassNamesVisible(page, "[data-testid=confusion-matrix]", classNames);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test(`${MODEL}: predict draws every class's probability, the predicted one first`, async () => {
  const page = await openPage(browser, DESKTOP);
  await page.goto(`${WEB}/predict/`);
  await page.getByTestId("file-input").setInputFiles(sampleImages[0]);
  const predicted = page.getByTestId("predicted-class");
  await predicted.waitFor({ timeout: 60000 });
  await settle(page);
  await assertClassNamesVisible(page, "[data-testid=probabilities]", classNames);
  const labelsTopDown = await page.evaluate(() =>
    Array.from(document.querySelectorAll("[data-testid=probabilities] [data-class-label]"))
      .map((el) => [el.getBoundingClientRect().top, el.getAttribute("data-class-label")])
      .sort((a, b) => a[0] - b[0])
      .map(([, name]) => name),
  );
  assert.equal(labelsTopDown.length, classNames.length);
  assert.equal(labelsTopDown[0], await predicted.textContent(), "the predicted class is the first bar");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test(`${MODEL}: monitoring draws the window's series on arrival, and the window buttons change it`, async () => {
  const page = await openPage(browser, DESKTOP);
  await page.goto(`${WEB}/monitoring/`);
  // On the first answer, not after polls have accumulated: the series comes from the server.
  const charts = ["requests-chart", "latency-chart", "confidence-chart"];
  for (const id of charts) await page.getByTestId(id).waitFor(); // the first answer: nothing accumulates client-side
  for (const id of charts) {
    const points = await page.getByTestId(id).locator(".recharts-line-dot, .recharts-dot").count();
    assert.ok(points > 0, `${id} has points`);
  }
  await assertClassNamesVisible(page, "[data-testid=predicted-classes]", classNames);

  const firstTick = () => page.getByTestId("requests-chart").locator(".recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value").first().textContent();
  const hourTicks = await firstTick();
  await page.getByRole("button", { name: "24 hours" }).click();
  await page.waitForFunction(
    (before) => document.querySelector("[data-testid=requests-chart] .recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value")?.textContent !== before,
    hourTicks, { timeout: 15000 },
  );
  assert.equal(await page.getByRole("button", { name: "24 hours" }).getAttribute("aria-pressed"), "true");
  assert.deepEqual(page.problems, []);
  await page.close();
});

for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  test(`${MODEL}: every page at ${size} size: no sideways scrolling, no serious accessibility violation`, async () => {
    const page = await openPage(browser, viewport);
    for (const [name, path] of PAGES) {
      await page.goto(`${WEB}${path}`);
      await ready(page, name);
      await assertNoHorizontalOverflow(page);
      await assertAccessible(page, `${name} at ${size} size`);
      await shot(page, `${MODEL}-${name}-${size}`);
    }
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}
