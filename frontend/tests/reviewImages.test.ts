import { afterEach, describe, expect, it, vi } from "vitest";

import { ImageCache } from "@/lib/review/images";

interface Pending {
  url: string;
  init: RequestInit;
  resolve: (response: Response) => void;
}

/** A fetch whose answers the test releases one by one. */
function controlledFetch() {
  const pending: Pending[] = [];
  const fetch = vi.fn((url: string, init: RequestInit) => new Promise<Response>((resolve) => pending.push({ url, init, resolve })));
  return { fetch, pending };
}

function cache(fetch: (url: string, init: RequestInit) => Promise<Response>, keep = 40) {
  let n = 0;
  const revoked: string[] = [];
  const images = new ImageCache("tok", {
    fetch,
    keep,
    concurrency: 2,
    createUrl: () => `blob:${(n += 1)}`,
    revokeUrl: (url) => revoked.push(url),
    decode: async () => undefined,
  });
  return { images, revoked };
}

const ok = () => new Response(new Blob([new Uint8Array([1])], { type: "image/png" }));
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => vi.restoreAllMocks());

describe("ImageCache (the review page's prefetch)", () => {
  it("prefetches in order, a few at a time, each with the token", async () => {
    const { fetch, pending } = controlledFetch();
    const { images } = cache(fetch);
    images.prefetch(["/i/1", "/i/2", "/i/3", "/i/4"]);
    expect(fetch.mock.calls.map(([url]) => url)).toEqual(["/i/1", "/i/2"]); // concurrency 2
    expect(pending[0]!.init.headers).toEqual({ Authorization: "Bearer tok" });
    pending[0]!.resolve(ok());
    await flush();
    expect(fetch.mock.calls.map(([url]) => url)).toEqual(["/i/1", "/i/2", "/i/3"]);
    expect(images.peek("/i/1")).toBe("blob:1");
    expect(images.peek("/i/2")).toBeUndefined();
  });

  it("loads each image once, however often it is asked for", async () => {
    const fetch = vi.fn(async () => ok());
    const { images } = cache(fetch);
    images.prefetch(["/i/1", "/i/2"]);
    images.prefetch(["/i/1", "/i/2", "/i/3"]);
    await Promise.all([images.load("/i/1"), images.load("/i/3")]);
    await flush();
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(images.peek("/i/3")).toBeDefined();
  });

  it("puts an image needed now ahead of the prefetch queue", async () => {
    const { fetch, pending } = controlledFetch();
    const { images } = cache(fetch);
    images.prefetch(["/i/1", "/i/2", "/i/3", "/i/4"]);
    void images.load("/i/4");
    expect(fetch.mock.calls.map(([url]) => url)).toEqual(["/i/1", "/i/2", "/i/4"]);
    for (const p of pending) p.resolve(ok());
    await flush();
    expect(fetch.mock.calls.filter(([url]) => url === "/i/4")).toHaveLength(1);
  });

  it("tells its subscribers when an image is ready, and records a failure (tried again on load)", async () => {
    const fetch = vi.fn(async (url: string) => (url === "/bad" ? new Response("no", { status: 401 }) : ok()));
    const { images } = cache(fetch);
    const listener = vi.fn();
    images.subscribe(listener);
    await images.load("/i/1");
    expect(listener).toHaveBeenCalled();
    await expect(images.load("/bad")).rejects.toThrow("HTTP 401");
    expect(String(images.failure("/bad"))).toMatch("HTTP 401");
    await expect(images.load("/bad")).rejects.toThrow();
    expect(fetch.mock.calls.filter(([url]) => url === "/bad")).toHaveLength(2);
  });

  it("keeps at most `keep` images, never dropping the ones still wanted, and revokes the rest on close", async () => {
    const fetch = vi.fn(async () => ok());
    const { images, revoked } = cache(fetch, 3);
    for (const url of ["/i/1", "/i/2", "/i/3"]) await images.load(url);
    images.prefetch(["/i/4", "/i/5"]);
    await flush();
    await flush();
    expect(images.size).toBeLessThanOrEqual(3);
    expect(images.peek("/i/4")).toBeDefined();
    expect(images.peek("/i/5")).toBeDefined();
    expect(revoked).toEqual(expect.arrayContaining(["blob:1"]));
    images.close();
    expect(images.size).toBe(0);
    expect(revoked).toEqual(expect.arrayContaining(["blob:4", "blob:5"]));
  });
});
