// What the component tests share: a fake API answering by path, classifier entries as the API
// lists them, and a render with a fresh SWR cache (no answer leaks from one test to the next).
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { SWRConfig } from "swr";
import { vi } from "vitest";

import type { Classifier, ClassifierList } from "@/lib/api";

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

export function png(name: string): File {
  return new File([new Uint8Array([137, 80, 78, 71])], name, { type: "image/png" });
}

export function classifier(name: string, overrides: Partial<Classifier> = {}): Classifier {
  return {
    name, status: "active", stage: "live", parent: null, classes: ["cat", "dog"], is_default: false,
    created_at: "2026-01-01T00:00:00Z", production_version: "v1", accuracy: 0.9, predictions_today: 0,
    training_images: 0, last_job: null, ...overrides,
  };
}

export const CLASSIFIERS: ClassifierList = {
  default: "cifar10",
  items: [
    classifier("cifar10", { is_default: true, classes: ["airplane", "cat"], predictions_today: 1234, training_images: 50000 }),
    classifier("pets", { stage: "untrained", production_version: null, accuracy: null, parent: "cifar10" }),
  ],
};

type Handler = (request: Request, url: URL) => Response | Promise<Response>;

/** A fetch that answers `METHOD /path` (or `/path` for any method) from `routes`; the
 *  classifier list by default; 404 for anything else. Every request is kept in `calls`. */
export function fakeApi(routes: Record<string, Handler> = {}) {
  const all: Record<string, Handler> = { "GET /api/classifiers": () => json(200, CLASSIFIERS), ...routes };
  const fetchMock = vi.fn(async (request: Request) => {
    const url = new URL(request.url);
    const handler = all[`${request.method} ${url.pathname}`] ?? all[url.pathname];
    if (!handler) return json(404, { detail: `no route ${request.method} ${url.pathname}`, code: "not_found" });
    return handler(request, url);
  });
  vi.stubGlobal("fetch", fetchMock);
  const calls = () => fetchMock.mock.calls.map(([request]) => request as Request);
  return { fetchMock, calls, paths: () => calls().map((r) => `${r.method} ${new URL(r.url).pathname}`) };
}

export function renderFresh(ui: ReactElement) {
  return render(<SWRConfig value={{ provider: () => new Map(), dedupingInterval: 0 }}>{ui}</SWRConfig>);
}
