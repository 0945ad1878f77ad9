// The review queue in the browser (issue #32): the default classifier keeps every answer
// (keep_uncertain and an audit rate of 1.0, set through the API), ~60 predictions are made
// through the API, and 50 images are labelled on the review page by keyboard. For each key
// press the time from the keydown to the next image painted is measured in the page, and
// p50/p95 are printed (the target: p95 <= 100 ms; printed, not asserted: the machine
// is shared). Asserted: the labels landed (training images up by the number labelled), a
// double press and a retried request made one, undo put the image back, the page is
// accessible and fits a phone, and the monitoring page shows the live accuracy.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, test } from "node:test";

import { assertAccessible, assertNoHorizontalOverflow, DESKTOP, launch, openPage, settle, shot } from "./helpers.mjs";

const API = process.env.E2E_API_URL;
const WEB = process.env.E2E_WEB_URL;
const DATA = process.env.E2E_DATA;
const TOKEN = process.env.E2E_TOKEN;
const MODEL = process.env.E2E_MODEL_NAME ?? "model";
const PREDICTIONS = 60;
const LABELS = 50;
const PHONE_375 = { width: 375, height: 740 };
const auth = { Authorization: `Bearer ${TOKEN}` };

let browser;
let classifier;

function images(n) {
  const found = [];
  for (const split of ["train", "test"]) {
    for (const folder of readdirSync(`${DATA}/${split}`).sort()) {
      for (const name of readdirSync(`${DATA}/${split}/${folder}`).sort()) found.push(`${DATA}/${split}/${folder}/${name}`);
    }
  }
  return found.slice(0, n);
}

async function json(path, init = {}) {
  const response = await fetch(`${API}${path}`, init);
  const body = await response.json().catch(() => null);
  assert.ok(response.ok, `${init.method ?? "GET"} ${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

const trainingImages = async () => (await json(`/api/classifiers/${classifier}`)).training_images;
const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

before(async () => {
  browser = await launch();
  classifier = (await json("/api/classifiers")).default;
  const changed = await json(`/api/classifiers/${classifier}`, {
    method: "PATCH",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ review: { keep_uncertain: true, audit_rate: 1.0 } }),
  });
  assert.equal(changed.review.keep_uncertain, true);
  assert.equal(changed.review.audit_rate, 1);
  for (const file of images(PREDICTIONS)) {
    const form = new FormData();
    form.append("file", new Blob([readFileSync(file)], { type: "image/png" }), "sample.png");
    await json(`/api/classifiers/${classifier}/predict`, { method: "POST", body: form });
  }
  const queue = await json(`/api/classifiers/${classifier}/review?limit=200`, { headers: auth });
  assert.ok(queue.items.length >= LABELS + 2, `the queue has ${queue.items.length} items`);
});

after(async () => {
  await browser?.close();
});

/** Records, in the page, the time from each keydown to the next review image painted. */
function installTimer() {
  window.__latencies = [];
  let pressedAt = null;
  let shownId = document.querySelector("[data-testid=review-image]")?.getAttribute("data-item-id") ?? null;
  window.addEventListener("keydown", () => { pressedAt = performance.now(); }, true);
  const painted = (img) => {
    const done = () => requestAnimationFrame(() => {
      if (pressedAt !== null) window.__latencies.push(performance.now() - pressedAt);
      pressedAt = null;
    });
    if (img.complete && img.naturalWidth > 0) done();
    else img.addEventListener("load", done, { once: true });
  };
  new MutationObserver(() => {
    const img = document.querySelector("[data-testid=review-image]");
    const id = img?.getAttribute("data-item-id") ?? null;
    if (img && id !== shownId) {
      shownId = id;
      painted(img);
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["src", "data-item-id"] });
}

const shownId = (page) => page.getByTestId("review-image").getAttribute("data-item-id");

async function nextImage(page, previous) {
  await page.waitForFunction(
    (before) => {
      const img = document.querySelector("[data-testid=review-image]");
      return img && img.getAttribute("data-item-id") !== before && img.complete && img.naturalWidth > 0;
    },
    previous,
    { timeout: 30000 },
  ).catch(async (error) => {
    await shot(page, `${MODEL}-review-stuck`);
    const text = await page.locator("main").innerText();
    throw new Error(`no next image after ${previous}: ${error.message}\n${text.slice(0, 1500)}\n${page.problems.join("\n")}`);
  });
}

test(`${MODEL}: 50 images labelled by keyboard, the next image on screen at once; labels land once`, async () => {
  const before = await trainingImages();
  const page = await openPage(browser, DESKTOP);
  await page.addInitScript((token) => window.localStorage.setItem("sightline.adminToken", token), TOKEN);
  await page.goto(`${WEB}/review/`);
  await page.getByTestId("review-image").waitFor({ timeout: 60000 });
  await page.waitForFunction(() => document.querySelector("[data-testid=review-image]")?.complete);
  await settle(page, 1500); // the first prefetches land
  await page.evaluate(installTimer);

  const keys = ["Enter", "1", "2", "3", "Enter", "4", "5", "Enter", "6", "7", "8", "9", "0"];
  const decided = [];
  let pressed = 0;
  let undone = false;
  while (decided.length < LABELS) {
    const id = await shownId(page);
    const key = keys[pressed % keys.length];
    pressed += 1;
    if (decided.length === 10) {
      // A double press: the second lands while the next image is only just on screen.
      await page.keyboard.press(key);
      await page.keyboard.press(key);
    } else {
      await page.keyboard.press(key);
    }
    await nextImage(page, id);
    decided.push(id);
    if (decided.length === 25 && !undone) {
      undone = true;
      // Undo the 25th: its image comes back; label it again.
      const back = decided.pop();
      await page.waitForTimeout(120);
      const showing = await shownId(page);
      await page.keyboard.press("u");
      await page.waitForFunction((want) => document.querySelector("[data-testid=review-image]")?.getAttribute("data-item-id") === want, back);
      assert.notEqual(showing, back);
    }
    await page.waitForTimeout(120); // a person looks at the image before the next key
  }
  assert.equal(new Set(decided).size, LABELS, "each press decided a different image");
  await page.getByTestId("labelled-count").filter({ hasText: `${LABELS} labelled` }).waitFor({ timeout: 30000 });

  const latencies = (await page.evaluate(() => window.__latencies)).sort((a, b) => a - b);
  console.log(
    `review keyboard flow (${MODEL}): ${latencies.length} key presses to the next image on screen: ` +
      `p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p95 ${percentile(latencies, 0.95).toFixed(1)} ms, ` +
      `max ${latencies.at(-1).toFixed(1)} ms (target p95 <= 100 ms)`,
  );
  assert.ok(latencies.length >= LABELS, `${latencies.length} presses measured`);

  // Every label landed once: the double press decided one image, the undone one counts once.
  assert.equal(await trainingImages(), before + LABELS, "training images went up by the number labelled");
  const mine = await json(`/api/classifiers/${classifier}/review?limit=200`, { headers: auth });
  assert.ok(mine.items.every((item) => !decided.includes(item.id)), "no labelled image is still waiting");

  // A retried request (the same decision sent twice) makes one training image too.
  const [spare] = mine.items;
  const send = () => json(`/api/classifiers/${classifier}/review/${spare.id}`, {
    method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ label: spare.predicted }),
  });
  assert.equal((await send()).repeated, false);
  assert.equal((await send()).repeated, true);
  assert.equal(await trainingImages(), before + LABELS + 1);

  await assertAccessible(page, "review at desktop size");
  await shot(page, `${MODEL}-review-desktop`);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test(`${MODEL}: the review page on a 375-wide phone (taps), the settings form and the live accuracy`, async () => {
  const page = await openPage(browser, PHONE_375);
  await page.addInitScript((token) => window.localStorage.setItem("sightline.adminToken", token), TOKEN);
  await page.goto(`${WEB}/review/`);
  await page.getByTestId("review-image").waitFor({ timeout: 60000 });
  await settle(page);
  await assertNoHorizontalOverflow(page);
  const accept = page.getByTestId("accept");
  const box = await accept.boundingBox();
  assert.ok(box.height >= 44, `the accept button is ${box.height}px tall`);
  const before = await shownId(page);
  await page.getByRole("button", { name: /Skip/ }).tap().catch(() => page.getByRole("button", { name: /Skip/ }).click());
  await nextImage(page, before);
  await assertAccessible(page, "review at phone size");
  await shot(page, `${MODEL}-review-phone`);

  await page.goto(`${WEB}/models/`);
  const form = page.getByTestId("review-settings-form");
  await form.waitFor();
  assert.equal(await page.getByLabel(/Keep the answers the model is uncertain of/).isChecked(), true);
  assert.equal(await page.getByLabel("Audit sample, % of all answers").inputValue(), "100");
  await assertNoHorizontalOverflow(page);

  await page.goto(`${WEB}/monitoring/`);
  await page.getByTestId("live-accuracy-chart").waitFor({ timeout: 30000 });
  const audit = await page.getByTestId("live-audit").textContent();
  assert.match(audit, /%\s\(95%: [\d.]+%–[\d.]+%\)/);
  await settle(page);
  await assertNoHorizontalOverflow(page);
  await assertAccessible(page, "monitoring with live accuracy at phone size");
  await shot(page, `${MODEL}-monitoring-live-accuracy-phone`);
  assert.deepEqual(page.problems, []);
  await page.close();
});
