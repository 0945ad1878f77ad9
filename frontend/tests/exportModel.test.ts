import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError, api } from "@/lib/api";

afterEach(() => vi.unstubAllGlobals());

describe("api.exportModel", () => {
  it("asks for the version's export with the token and returns the zip", async () => {
    const fetchMock = vi.fn(
      async () => new Response(new Uint8Array([80, 75, 3, 4]), { status: 200, headers: { "content-type": "application/zip" } }),
    );
    vi.stubGlobal("fetch", fetchMock);
    const blob = (await api.exportModel("secret", "pets", "v3", "openvino")) as Blob;
    expect(blob.size).toBe(4);
    const [request] = fetchMock.mock.calls[0] as unknown as [Request];
    expect(request.method).toBe("GET");
    expect(request.url).toMatch(/\/api\/classifiers\/pets\/models\/v3\/export\?format=openvino$/);
    expect(request.headers.get("Authorization")).toBe("Bearer secret");
  });

  it("gives the API's error", async () => {
    const body = JSON.stringify({ detail: "No model version 'v9'.", code: "unknown_version" });
    vi.stubGlobal("fetch", vi.fn(async () => new Response(body, { status: 404, headers: { "content-type": "application/json" } })));
    await expect(api.exportModel("secret", "pets", "v9", "savedmodel")).rejects.toBeInstanceOf(ApiError);
  });
});
