import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { UploadPanel } from "@/components/UploadPanel";
import { multipart } from "@/lib/api";

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
    render(<UploadPanel token="t" classifier="pets" classes={["cat", "dog"]} />);
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
    render(<UploadPanel token="secret" classifier="pets" classes={["cat", "dog"]} onUploaded={onUploaded} />);
    fireEvent.change(screen.getByLabelText("Class"), { target: { value: "cat" } });
    fireEvent.change(screen.getByTestId("file-input"), { target: { files: [png("a.png"), png("b.png")] } });

    const report = await screen.findByTestId("upload-report");
    expect(report).toHaveTextContent("1 accepted");
    expect(report).toHaveTextContent("1 duplicates");
    expect(report).toHaveTextContent("x.txt: not an image");
    expect(report).toHaveTextContent("cat 4");
    const [request] = fetchMock.mock.calls[0] as unknown as [Request];
    expect(request.method).toBe("POST");
    expect(request.url).toMatch(/\/api\/classifiers\/pets\/training-data\?class_name=cat$/);
    expect(request.headers.get("Authorization")).toBe("Bearer secret");
    expect(request.headers.get("Content-Type")).toMatch(/^multipart\/form-data; boundary=/);
    await waitFor(() => expect(onUploaded).toHaveBeenCalledOnce());
  });

  it("sends images to a new class named here", async () => {
    const fetchMock = respond(200, { uploaded: 1, duplicates: 0, rejected: [], class_counts: { hamster: 1 }, classes: ["cat", "hamster"], split_counts: {} });
    vi.stubGlobal("fetch", fetchMock);
    render(<UploadPanel token="t" classifier="pets" classes={["cat"]} />);
    fireEvent.change(screen.getByLabelText("Class"), { target: { value: "__new_class__" } });
    fireEvent.change(screen.getByTestId("file-input"), { target: { files: [png("a.png")] } });
    expect(await screen.findByRole("alert")).toHaveTextContent("Name the new class first.");
    fireEvent.change(screen.getByLabelText("New class name"), { target: { value: " hamster " } });
    fireEvent.change(screen.getByTestId("file-input"), { target: { files: [png("a.png")] } });
    expect(await screen.findByTestId("upload-report")).toHaveTextContent("1 accepted");
    const [request] = fetchMock.mock.calls[0] as unknown as [Request];
    expect(request.url).toMatch(/\/api\/classifiers\/pets\/training-data\?class_name=hamster$/);
  });

  it("sends a zip without a class, and shows the API's error", async () => {
    vi.stubGlobal("fetch", respond(401, { detail: "The admin token is wrong.", code: "invalid_token" }));
    render(<UploadPanel token="bad" classifier="pets" classes={["cat"]} />);
    const zip = new File([new Uint8Array([80, 75, 3, 4])], "set.zip", { type: "application/zip" });
    fireEvent.change(screen.getByTestId("file-input"), { target: { files: [zip] } });
    expect(await screen.findByRole("alert")).toHaveTextContent("The admin token is wrong.");
  });
});

describe("multipart", () => {
  it("sends a Blob field as one part and a Blob[] field as one part per file, with file names", () => {
    const form = multipart({ file: png("one.png"), files: [png("a.png"), png("b.png")] });
    expect((form.get("file") as File).name).toBe("one.png");
    expect((form.getAll("files") as File[]).map((file) => file.name)).toEqual(["a.png", "b.png"]);
  });
});
