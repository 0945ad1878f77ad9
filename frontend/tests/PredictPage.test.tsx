import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import PredictPage from "@/app/predict/page";

function png(name: string): File {
  return new File([new Uint8Array([137, 80, 78, 71])], name, { type: "image/png" });
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

const PREDICTION = {
  id: "p1", prediction: "cat", confidence: 0.9, probabilities: { cat: 0.9, dog: 0.1 },
  top_k: [{ class: "cat", p: 0.9 }], uncertain: false, model_version: "v1", time_ms: 3,
  created_at: "2026-01-01T00:00:00Z",
};

/** A fetch answering each route: ``explain`` as the test says, the rest as a healthy API. */
function api(explain: () => Response) {
  return vi.fn(async (request: Request) => {
    const path = new URL(request.url).pathname;
    if (path === "/api/explain") return explain();
    if (path === "/api/predict") return json(200, PREDICTION);
    return json(200, { items: [], total: 0, limit: 20, offset: 0, next_cursor: null });
  });
}

const uploads = (fetchMock: ReturnType<typeof api>) =>
  fetchMock.mock.calls.map(([request]) => new URL((request as Request).url).pathname).filter((p) => p !== "/api/predictions");

beforeEach(() => {
  vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: () => "blob:x", revokeObjectURL: () => undefined }));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("PredictPage", () => {
  it("shows explain's 4xx about the file and does not upload it again", async () => {
    const fetchMock = api(() => json(415, { detail: "The file is not an image Sightline can read.", code: "unsupported_image" }));
    vi.stubGlobal("fetch", fetchMock);
    render(<PredictPage />);
    fireEvent.change(screen.getByTestId("file-input"), { target: { files: [png("a.png")] } });

    expect(await screen.findByRole("alert")).toHaveTextContent("The file is not an image Sightline can read.");
    expect(uploads(fetchMock)).toEqual(["/api/explain"]);
    expect(screen.queryByTestId("predicted-class")).not.toBeInTheDocument();
  });

  it.each([404, 500])("falls back to predict when explain itself fails (%i)", async (status) => {
    const fetchMock = api(() => json(status, { detail: "no", code: "error" }));
    vi.stubGlobal("fetch", fetchMock);
    render(<PredictPage />);
    fireEvent.change(screen.getByTestId("file-input"), { target: { files: [png("a.png")] } });

    expect(await screen.findByTestId("predicted-class")).toHaveTextContent("cat");
    await waitFor(() => expect(uploads(fetchMock)).toEqual(["/api/explain", "/api/predict"]));
  });

  it("falls back to predict when the explain call does not get through", async () => {
    const fetchMock = api(() => {
      throw new TypeError("Failed to fetch");
    });
    vi.stubGlobal("fetch", fetchMock);
    render(<PredictPage />);
    fireEvent.change(screen.getByTestId("file-input"), { target: { files: [png("a.png")] } });

    expect(await screen.findByTestId("predicted-class")).toHaveTextContent("cat");
  });
});
