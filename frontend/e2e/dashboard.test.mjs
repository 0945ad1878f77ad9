// Each page in a real browser against the real API. Screenshots go to e2e-artifacts/.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, test } from "node:test";

import { chromium } from "playwright-core";

const API = process.env.E2E_API_URL;
const WEB = process.env.E2E_WEB_URL;
const DATA = process.env.E2E_DATA;
const TOKEN = process.env.E2E_TOKEN;
const SHOTS = new URL("../e2e-artifacts/", import.meta.url).pathname;

let browser;
let page;
const problems = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    // Network statuses are asserted by the tests themselves; script errors are not allowed.
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) problems.push(msg.text());
  });
});

after(async () => {
  await browser?.close();
});

async function open(path) {
  problems.length = 0;
  await page.goto(`${WEB}${path}`, { waitUntil: "networkidle" });
}

async function shot(name, fullPage = true) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage });
}

function images(split, shape) {
  const folder = `${DATA}/${split}/${shape}`;
  return readdirSync(folder).sort().map((name) => `${folder}/${name}`);
}

test("dashboard shows the model's metrics as the API reports them", async () => {
  const metrics = await (await fetch(`${API}/api/metrics`)).json();
  await open("/");
  const accuracy = page.getByTestId("accuracy");
  await accuracy.waitFor();
  assert.equal(await accuracy.textContent(), `${(metrics.accuracy * 100).toFixed(2)}%`);
  assert.equal(await page.getByTestId("model-version").textContent(), metrics.model_version);
  await page.getByRole("table", { name: "confusion matrix" }).waitFor();
  await shot("dashboard");
  await page.setViewportSize({ width: 390, height: 844 });
  // Charts re-measure on a ResizeObserver tick: let them, and check nothing is wider.
  await page.waitForTimeout(500);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390));
  await shot("dashboard-phone");
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(problems, []);
});

test("predict an image and see its class", async () => {
  const file = images("test", "circle")[0];
  const form = new FormData();
  form.append("file", new Blob([readFileSync(file)], { type: "image/png" }), "circle.png");
  const expected = (await (await fetch(`${API}/api/predict`, { method: "POST", body: form })).json()).prediction;
  await open("/predict/");
  await page.getByTestId("file-input").setInputFiles(file);
  const predicted = page.getByTestId("predicted-class");
  await predicted.waitFor({ timeout: 30000 });
  assert.equal(await predicted.textContent(), expected);
  await page.getByTestId("recent-table").waitFor();
  await shot("predict");
  assert.deepEqual(problems, []);
});

test("upload images and run a retraining to its end", async () => {
  await open("/retrain/");
  await page.getByLabel("Admin token").fill(TOKEN);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByLabel("Class", { exact: true }).selectOption("circle"); // not "Classifier", the header's switcher
  await page.getByTestId("file-input").setInputFiles(images("train", "circle").slice(0, 12));
  const report = page.getByTestId("upload-report");
  await report.waitFor({ timeout: 30000 });
  assert.match(await report.textContent(), /12 accepted/);
  await page.getByLabel("Epochs").fill("2");
  await page.getByTestId("start-retrain").click();
  await page.waitForFunction(
    () => ["completed", "rejected"].includes(document.querySelector("[data-testid=job-status]")?.textContent ?? ""),
    null, { timeout: 180000 },
  );
  await page.getByTestId("promoted").waitFor();
  // The gate's out-of-class check is shown beside the accuracies, one row per kind.
  for (const kind of ["Flat colour", "Noise", "Text"]) {
    await page.getByRole("cell", { name: `${kind} images flagged uncertain` }).waitFor();
  }
  // A finished job is a full bar (after its 0.4 s width transition, for the screenshot).
  assert.equal(await page.getByRole("progressbar").getAttribute("aria-valuenow"), "100");
  await page.waitForTimeout(500);
  await shot("retrain");
  assert.deepEqual(problems, []);
});

test("models page lists every version with production highlighted", async () => {
  const models = await (await fetch(`${API}/api/models`)).json();
  await open("/models/");
  const table = page.getByTestId("models-table");
  await table.waitFor();
  assert.equal(await table.locator("tbody tr").count(), models.items.length);
  assert.equal(await table.locator("tr.highlight td").first().textContent(), models.production);
  await shot("models");
  assert.deepEqual(problems, []);
});

test("monitoring page renders live figures", async () => {
  await open("/monitoring/");
  await page.getByText("Requests/s").waitFor({ timeout: 20000 });
  await page.waitForTimeout(4500); // a second poll, so the time series has two points
  await shot("monitoring");
  assert.deepEqual(problems, []);
});

test("the dashboard's server sends security headers and survives a malformed path", async () => {
  const bad = await fetch(`${WEB}/%E0%A4%A`);
  assert.equal(bad.status, 404);
  const home = await fetch(`${WEB}/`);
  assert.equal(home.status, 200);
  assert.equal(home.headers.get("x-frame-options"), "DENY");
  const csp = home.headers.get("content-security-policy");
  assert.match(csp, /connect-src 'self' http:\/\/127\.0\.0\.1:\d+/);
  assert.match(csp, /frame-ancestors 'none'/);
});
