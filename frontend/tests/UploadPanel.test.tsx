import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { UploadPanel } from "@/components/UploadPanel";

function png(name: string): File {
  return new File([new Uint8Array([137, 80, 78, 71])], name, { type: "image/png" });
}

function respond(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }));
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("UploadPanel", () => {
  it("asks for a class before sending images", async () => {
    const fetchMock = respond(200, {});
    vi.stubGlobal("fetch", fetchMock);
    render(<UploadPanel token="t" classes={["cat", "dog"]} />);
    fireEvent.change(screen.getByTestId("file-input"), { target: { files: [png("a.png")] } });
    expect(await screen.findByRole("alert")).toHaveTextContent(/Choose the class/);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("sends images with the class and the token, and shows the report", async () => {
    const fetchMock = respond(200, {
      uploaded: 1, duplicates: 1, rejected: [{ filename: "x.txt", reason: "not an image" }],
      class_counts: { cat: 4, dog: 0 },
    });
    vi.stubGlobal("fetch", fetchMock);
    const onUploaded = vi.fn();
    render(<UploadPanel token="secret" classes={["cat", "dog"]} onUploaded={onUploaded} />);
    fireEvent.change(screen.getByLabelText("Class"), { target: { value: "cat" } });
    fireEvent.change(screen.getByTestId("file-input"), { target: { files: [png("a.png"), png("b.png")] } });

    const report = await screen.findByTestId("upload-report");
    expect(report).toHaveTextContent("1 accepted");
    expect(report).toHaveTextContent("1 duplicates");
    expect(report).toHaveTextContent("x.txt: not an image");
    expect(report).toHaveTextContent("cat 4");
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toMatch(/\/api\/upload-training-data\?class_name=cat$/);
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer secret");
    expect((init.body as FormData).getAll("files")).toHaveLength(2);
    await waitFor(() => expect(onUploaded).toHaveBeenCalledOnce());
  });

  it("sends a zip without a class, and shows the API's error", async () => {
    vi.stubGlobal("fetch", respond(401, { detail: "The admin token is wrong.", code: "invalid_token" }));
    render(<UploadPanel token="bad" classes={["cat"]} />);
    const zip = new File([new Uint8Array([80, 75, 3, 4])], "set.zip", { type: "application/zip" });
    fireEvent.change(screen.getByTestId("file-input"), { target: { files: [zip] } });
    expect(await screen.findByRole("alert")).toHaveTextContent("The admin token is wrong.");
  });
});
