import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import PredictPage from "@/app/predict/page";

import { resetNavigation } from "./navigation";
import { CLASSIFIERS, fakeApi, json, png, renderFresh } from "./support";

const PREDICTION = {
  id: "p1", prediction: "cat", confidence: 0.9, probabilities: { cat: 0.9, dog: 0.1 },
  top_k: [{ class: "cat", p: 0.9 }], uncertain: false, model_version: "v1", time_ms: 3,
  created_at: "2026-01-01T00:00:00Z",
};
const EMPTY_PAGE = { items: [], total: 0, limit: 20, offset: 0, next_cursor: null };
const BASE = "/api/classifiers/cifar10";

/** The API answering ``explain`` as the test says, the rest as a healthy one. */
function api(explain: () => Response) {
  return fakeApi({
    [`POST ${BASE}/explain`]: explain,
    [`POST ${BASE}/predict`]: () => json(200, PREDICTION),
    [`GET ${BASE}/predictions`]: () => json(200, EMPTY_PAGE),
  });
}

const uploads = (fake: ReturnType<typeof api>) => fake.paths().filter((p) => p.startsWith("POST"));

async function dropOne() {
  // The page knows its classifier once the list has answered (the default one here).
  await screen.findByTestId("page-classifier");
  fireEvent.change(screen.getByTestId("file-input"), { target: { files: [png("a.png")] } });
}

beforeEach(() => {
  resetNavigation("/predict/");
  vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: () => "blob:x", revokeObjectURL: () => undefined }));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("PredictPage", () => {
  it("shows explain's 4xx about the file and does not upload it again", async () => {
    const fake = api(() => json(415, { detail: "The file is not an image Sightline can read.", code: "unsupported_image" }));
    renderFresh(<PredictPage />);
    await dropOne();

    expect(await screen.findByRole("alert")).toHaveTextContent("The file is not an image Sightline can read.");
    expect(uploads(fake)).toEqual([`POST ${BASE}/explain`]);
    expect(screen.queryByTestId("predicted-class")).not.toBeInTheDocument();
  });

  it.each([404, 500])("falls back to predict when explain itself fails (%i)", async (status) => {
    const fake = api(() => json(status, { detail: "no", code: "error" }));
    renderFresh(<PredictPage />);
    await dropOne();

    expect(await screen.findByTestId("predicted-class")).toHaveTextContent("cat");
    await waitFor(() => expect(uploads(fake)).toEqual([`POST ${BASE}/explain`, `POST ${BASE}/predict`]));
  });

  it("falls back to predict when the explain call does not get through", async () => {
    api(() => {
      throw new TypeError("Failed to fetch");
    });
    renderFresh(<PredictPage />);
    await dropOne();

    expect(await screen.findByTestId("predicted-class")).toHaveTextContent("cat");
  });

  it("classifies an image dropped before the classifier list has answered, once it has", async () => {
    let answerList: () => void = () => undefined;
    const listed = new Promise<void>((resolve) => { answerList = resolve; });
    const fake = fakeApi({
      "GET /api/classifiers": async () => { await listed; return json(200, CLASSIFIERS); },
      [`POST ${BASE}/explain`]: () => json(200, { ...PREDICTION, heatmap_png: "" }),
      [`GET ${BASE}/predictions`]: () => json(200, EMPTY_PAGE),
    });
    renderFresh(<PredictPage />);
    fireEvent.change(screen.getByTestId("file-input"), { target: { files: [png("a.png")] } });
    expect(screen.getByText("Classifying…")).toBeInTheDocument();
    answerList();
    expect(await screen.findByTestId("predicted-class")).toHaveTextContent("cat");
    expect(uploads(fake)).toEqual([`POST ${BASE}/explain`]);
  });

  it("classifies with the classifier the URL names", async () => {
    resetNavigation("/predict/", "?c=pets-live");
    const fake = fakeApi({
      "POST /api/classifiers/pets-live/explain": () => json(200, { ...PREDICTION, heatmap_png: "" }),
      "GET /api/classifiers/pets-live/predictions": () => json(200, EMPTY_PAGE),
    });
    renderFresh(<PredictPage />);
    await dropOne();
    expect(await screen.findByTestId("predicted-class")).toHaveTextContent("cat");
    expect(uploads(fake)).toEqual(["POST /api/classifiers/pets-live/explain"]);
    expect(screen.getByTestId("page-classifier")).toHaveTextContent("pets-live");
  });
});
