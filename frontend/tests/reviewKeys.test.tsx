import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ReviewDesk } from "@/components/review/ReviewDesk";
import { ApiError } from "@/lib/api";
import type { ReviewItem, ReviewPage } from "@/lib/review/api";
import { classKey, keyAction } from "@/lib/review/keys";
import { BOUNCE_MS, type ReviewQueueApi } from "@/lib/review/queue";

const CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

function item(id: string, predicted = "cat"): ReviewItem {
  return {
    id, prediction_id: `p-${id}`, reason: "uncertain", image_url: `/api/classifiers/c10/review/${id}/image`,
    explain_url: `/api/classifiers/c10/review/${id}/explain`, predicted, confidence: 0.41,
    top3: [predicted, ...["dog", "deer", "frog"].filter((name) => name !== predicted)].slice(0, 3)
      .map((name, i) => ({ class: name, p: [0.41, 0.3, 0.1][i]! })),
    uncertain: true, model_version: "v1", created_at: "2026-01-01T00:00:00Z", state: "pending",
  } as ReviewItem;
}

function page(items: ReviewItem[]): ReviewPage {
  return {
    items, strategy: "least_confident", classes: CLASSES,
    counts: { by_class: { cat: items.length }, by_reason: { uncertain: items.length }, by_state: { pending: items.length } },
  };
}

let clock = 1000;
function later(ms = BOUNCE_MS + 1) {
  clock += ms;
}

function calls(items: ReviewItem[]) {
  const api = {
    next: vi.fn(async () => page(items)),
    decide: vi.fn(async (...args: [string, string, string, unknown]) => ({ item: { ...item(args[2]), state: "labelled" }, repeated: false })),
    undo: vi.fn(async () => ({ item: items[0]!, training_images_removed: 1, kept_trained_on: 0 })),
  };
  return api as unknown as ReviewQueueApi & typeof api;
}

async function open(api: ReviewQueueApi) {
  render(<ReviewDesk classifier="c10" token="secret" settingsHref="/models/#review-settings" calls={api} />);
  await screen.findByTestId("top3");
  later();
}

const shown = () => screen.getByTestId("top3").closest(".review-desk")!.querySelector("[data-item-id]")?.getAttribute("data-item-id");
const press = (key: string, init: KeyboardEventInit = {}) => fireEvent.keyDown(window, { key, ...init });

beforeEach(() => {
  vi.spyOn(performance, "now").mockImplementation(() => clock);
  vi.stubGlobal("fetch", vi.fn(async () => new Response(new Blob([new Uint8Array([1, 2, 3])], { type: "image/png" }))));
  let n = 0;
  URL.createObjectURL = vi.fn(() => `blob:test/${(n += 1)}`);
  URL.revokeObjectURL = vi.fn();
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("keyAction", () => {
  it("maps 1..9 and 0 to the first ten classes, and the letters to their actions", () => {
    expect(keyAction({ key: "1" }, CLASSES)).toEqual({ kind: "label", label: "airplane" });
    expect(keyAction({ key: "9" }, CLASSES)).toEqual({ kind: "label", label: "ship" });
    expect(keyAction({ key: "0" }, CLASSES)).toEqual({ kind: "label", label: "truck" });
    expect(keyAction({ key: "Enter" }, CLASSES)).toEqual({ kind: "accept" });
    expect(keyAction({ key: "x" }, CLASSES)).toEqual({ kind: "none" });
    expect(keyAction({ key: "X" }, CLASSES)).toEqual({ kind: "none" });
    expect(keyAction({ key: "s" }, CLASSES)).toEqual({ kind: "skip" });
    expect(keyAction({ key: "u" }, CLASSES)).toEqual({ kind: "undo" });
  });

  it("ignores a key past the class list, a held key, shortcuts, typing and other keys", () => {
    expect(keyAction({ key: "4" }, ["a", "b", "c"])).toBeNull();
    expect(keyAction({ key: "1", repeat: true }, CLASSES)).toBeNull();
    expect(keyAction({ key: "s", ctrlKey: true }, CLASSES)).toBeNull();
    expect(keyAction({ key: "1", target: document.createElement("input") }, CLASSES)).toBeNull();
    expect(keyAction({ key: "Enter", target: document.createElement("button") }, CLASSES)).toBeNull();
    expect(keyAction({ key: "q" }, CLASSES)).toBeNull();
  });

  it("names each class's key", () => {
    expect([0, 1, 8, 9, 10].map(classKey)).toEqual(["1", "2", "9", "0", null]);
  });
});

describe("the review page's keys", () => {
  it("sends each key's decision for the image on screen, and shows the next one", async () => {
    const items = ["a", "b", "c", "d", "e"].map((id, i) => item(id, CLASSES[i]));
    const api = calls(items);
    await open(api);
    await waitFor(() => expect(shown()).toBe("a"));
    // The grid names each class with its key.
    expect(screen.getByRole("button", { name: /1\s+airplane/ })).toHaveAttribute("aria-keyshortcuts", "1");
    expect(screen.getByRole("button", { name: /0\s+truck/ })).toHaveAttribute("aria-keyshortcuts", "0");

    press("3");
    later();
    press("Enter");
    later();
    press("x");
    later();
    press("s");
    await waitFor(() => expect(api.decide).toHaveBeenCalledTimes(4));
    expect(api.decide.mock.calls.map(([token, classifier, id, decision]) => [token, classifier, id, decision])).toEqual([
      ["secret", "c10", "a", { label: "bird" }],
      ["secret", "c10", "b", { label: "automobile" }], // Enter: the model's answer for b
      ["secret", "c10", "c", { label: null }],
      ["secret", "c10", "d", { skip: true }],
    ]);
    await waitFor(() => expect(shown()).toBe("e"));
  });

  it("sends a double press once, and a held key not at all", async () => {
    const api = calls([item("a"), item("b"), item("c")]);
    await open(api);
    press("4");
    press("4"); // the bounce: the next image has been on screen for no time
    later();
    press("4", { repeat: true });
    await waitFor(() => expect(api.decide).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(api.decide).toHaveBeenCalledTimes(1);
    expect(api.decide.mock.calls[0]![2]).toBe("a");
    expect(shown()).toBe("b");
    later();
    press("4");
    await waitFor(() => expect(api.decide).toHaveBeenCalledTimes(2));
    expect(api.decide.mock.calls[1]![2]).toBe("b");
  });

  it("U undoes the last decision and shows its image again", async () => {
    const items = [item("a"), item("b")];
    const api = calls(items);
    await open(api);
    press("1");
    await waitFor(() => expect(shown()).toBe("b"));
    later();
    press("u");
    await waitFor(() => expect(api.undo).toHaveBeenCalledOnce());
    expect(api.undo).toHaveBeenCalledWith("secret", "c10");
    await waitFor(() => expect(shown()).toBe("a"));
    expect(await screen.findByTestId("review-notice")).toHaveTextContent("Undone");
    // The item can be decided again.
    later();
    press("2");
    await waitFor(() => expect(api.decide).toHaveBeenCalledTimes(2));
    expect(api.decide.mock.calls[1]!.slice(2)).toEqual(["a", { label: "automobile" }]);
  });

  it("taps decide too: a class button, accept, none of these", async () => {
    const api = calls([item("a"), item("b"), item("c"), item("d")]);
    await open(api);
    fireEvent.click(screen.getByRole("button", { name: /5\s+deer/ }));
    await waitFor(() => expect(shown()).toBe("b"));
    fireEvent.click(screen.getByTestId("accept"));
    await waitFor(() => expect(shown()).toBe("c"));
    fireEvent.click(screen.getByRole("button", { name: /None of these/ }));
    await waitFor(() => expect(api.decide).toHaveBeenCalledTimes(3));
    expect(api.decide.mock.calls.map((call) => call[3])).toEqual([{ label: "deer" }, { label: "cat" }, { label: null }]);
  });

  it("shows a 409 (already labelled) and moves on; a 422 is shown and the item comes back", async () => {
    const api = calls([item("a"), item("b"), item("c")]);
    api.decide.mockRejectedValueOnce(new ApiError(409, "already_labelled", "Item a is labelled dog already (by admin)"));
    await open(api);
    press("1");
    expect(await screen.findByRole("alert")).toHaveTextContent("Already labelled: Item a is labelled dog already");
    expect(shown()).toBe("b");

    api.decide.mockRejectedValueOnce(new ApiError(422, "unknown_class", "'zebra' is not a class. Classes: cat, dog."));
    later();
    press("2");
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("Not saved: 'zebra' is not a class. Classes: cat, dog."));
    await waitFor(() => expect(shown()).toBe("b"));
  });

  it("says what to do when nothing is kept for review", async () => {
    const api = calls([]);
    api.next.mockResolvedValue({ ...page([]), counts: { by_class: {}, by_reason: {}, by_state: {} } });
    render(<ReviewDesk classifier="c10" token="secret" settingsHref="/models/?c=c10#review-settings" calls={api} />);
    const empty = await screen.findByTestId("review-empty");
    expect(empty).toHaveTextContent("Nothing to review: turn on keeping uncertain answers in the classifier's review settings");
    expect(screen.getByRole("link", { name: "review settings" })).toHaveAttribute("href", expect.stringMatching(/^\/models\/?\?c=c10#review-settings$/));
  });

  it("fetches each image with the token and shows it as an object URL", async () => {
    const api = calls([item("a"), item("b")]);
    await open(api);
    await waitFor(() => expect(screen.getByTestId("review-image")).toHaveAttribute("src", expect.stringMatching(/^blob:test\//)));
    const fetchMock = globalThis.fetch as unknown as ReturnType<typeof vi.fn>;
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toMatch(/\/api\/classifiers\/c10\/review\/a\/image$/);
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer secret");
    await act(async () => undefined);
  });
});
