import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { classCounts, classNameProblem, mergeReports, TrainingDataStep } from "@/components/classifiers/TrainingDataStep";

import type { UploadReport } from "@/lib/api";

import { fakeApi, json, png, renderFresh } from "./support";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const PATH = "/api/classifiers/pets/training-data";
/** A /training-data answer: nothing stored unless said. */
function report(overrides: Partial<UploadReport>): UploadReport {
  return { uploaded: 0, duplicates: 0, rejected: [], class_counts: {}, classes: [], split_counts: {}, ...overrides };
}

const zip = (name = "set.zip") => new File([new Uint8Array([80, 75, 3, 4])], name, { type: "application/zip" });

describe("classNameProblem and classCounts", () => {
  it("asks for a name, refuses slashes and a name used twice", () => {
    expect(classNameProblem("  ", [])).toMatch(/Name this class/);
    expect(classNameProblem("a/b", [])).toMatch(/cannot contain/);
    expect(classNameProblem("Cat", ["cat"])).toMatch(/already a class/);
    expect(classNameProblem("cat", ["dog"])).toBeNull();
  });

  it("lists every known class, zero included", () => {
    const cat = { train: 3, test: 1 };
    const bird = { train: 1, test: 0 };
    expect(classCounts(["cat", "dog"], { cat, bird })).toEqual([["cat", cat], ["dog", { train: 0, test: 0 }], ["bird", bird]]);
  });
});

describe("mergeReports", () => {
  it("adds counts, lists every rejection, keeps the latest images per class", () => {
    const first = report({ uploaded: 2, duplicates: 1, rejected: [{ filename: "a", reason: "x" }], class_counts: { cat: 2 },
      classes: ["cat"], split_counts: { cat: { train: 2, test: 0 } } });
    const second = report({ uploaded: 3, rejected: [{ filename: "b", reason: "y" }], class_counts: { cat: 2, dog: 3 },
      classes: ["cat", "dog"], split_counts: { dog: { train: 2, test: 1 } } });
    expect(mergeReports(null, first)).toBe(first);
    expect(mergeReports(first, second)).toEqual({
      uploaded: 5, duplicates: 1, rejected: [{ filename: "a", reason: "x" }, { filename: "b", reason: "y" }],
      class_counts: { cat: 2, dog: 3 }, classes: ["cat", "dog"],
      split_counts: { cat: { train: 2, test: 0 }, dog: { train: 2, test: 1 } },
    });
  });
});

describe("TrainingDataStep", () => {
  it("uploads chosen folders one class at a time, each image under its folder's name", async () => {
    let count = 0;
    const fake = fakeApi({
      [`POST ${PATH}`]: (_request, url) => {
        count += 1;
        const name = url.searchParams.get("class_name") ?? "";
        const split = { train: 1, test: 0 };
        return json(200, report({ uploaded: 1, class_counts: { [name]: 1 }, classes: count > 1 ? ["cats", "dogs"] : ["cats"],
          split_counts: { [name]: split } }));
      },
    });
    renderFresh(<TrainingDataStep token="t" classifier={{ name: "pets", classes: [] }} />);
    const inFolder = (path: string) => {
      const image = png(path.split("/").pop()!);
      Object.defineProperty(image, "webkitRelativePath", { value: path });
      return image;
    };
    fireEvent.change(screen.getByTestId("folder-input"), { target: { files: [inFolder("pets/cats/1.png"), inFolder("pets/dogs/2.png")] } });
    expect(await screen.findByTestId("upload-report")).toHaveTextContent("2 accepted");
    expect(fake.calls().map((r) => new URL(r.url).searchParams.get("class_name"))).toEqual(["cats", "dogs"]);
    const tally = screen.getByTestId("class-tally");
    expect(within(tally).getByRole("row", { name: /^cats 1 0 9 more needed/ })).toBeInTheDocument();
    expect(within(tally).getByRole("row", { name: /^dogs 1 0 9 more needed/ })).toBeInTheDocument();
  });

  it("asks for the class's name before uploading images to it", async () => {
    const fake = fakeApi();
    renderFresh(<TrainingDataStep token="t" classifier={{ name: "pets", classes: [] }} />);
    const [first] = screen.getAllByTestId("class-row");
    fireEvent.change(within(first!).getByTestId("file-input"), { target: { files: [png("a.png")] } });
    expect(await within(first!).findByRole("alert")).toHaveTextContent("Name this class first.");
    expect(within(first!).getByLabelText("Class 1")).toHaveAttribute("aria-invalid", "true");
    expect(fake.fetchMock).not.toHaveBeenCalled();
  });

  it("uploads images under the class typed for them", async () => {
    const fake = fakeApi({
      [`POST ${PATH}`]: () => json(200, report({ uploaded: 2, class_counts: { cat: 2 }, classes: ["cat"],
        split_counts: { cat: { train: 2, test: 0 } } })),
    });
    const onUploaded = vi.fn();
    renderFresh(<TrainingDataStep token="secret" classifier={{ name: "pets", classes: [] }} onUploaded={onUploaded} />);
    const [first] = screen.getAllByTestId("class-row");
    fireEvent.change(within(first!).getByLabelText("Class 1"), { target: { value: "cat" } });
    fireEvent.change(within(first!).getByTestId("file-input"), { target: { files: [png("a.png"), png("b.png")] } });
    expect(await screen.findByTestId("upload-report")).toHaveTextContent("2 accepted");
    const [request] = fake.calls();
    expect(request?.url).toMatch(/\/api\/classifiers\/pets\/training-data\?class_name=cat$/);
    expect(request?.headers.get("Authorization")).toBe("Bearer secret");
    expect(onUploaded).toHaveBeenCalledOnce();
  });

  it("sends a zip without a class and shows the report: rejected files with why, classes short of images", async () => {
    const fake = fakeApi({
      [`POST ${PATH}`]: () => json(200, report({
        uploaded: 25, duplicates: 2,
        rejected: [{ filename: "cats/notes.txt", reason: "not an image" }, { filename: "dogs/x.jpg", reason: "also in class cats" }],
        class_counts: { cats: 20, dogs: 5 }, classes: ["cats", "dogs"],
        split_counts: { cats: { train: 16, test: 4 }, dogs: { train: 4, test: 1 } },
      })),
    });
    renderFresh(<TrainingDataStep token="t" classifier={{ name: "pets", classes: [] }} />);
    fireEvent.change(within(screen.getByTestId("zip-drop")).getByTestId("file-input"), { target: { files: [zip()] } });
    const shown = await screen.findByTestId("upload-report");
    expect(shown).toHaveTextContent("25 accepted");
    expect(shown).toHaveTextContent("2 duplicates");
    expect(shown).toHaveTextContent("cats/notes.txt: not an image");
    expect(shown).toHaveTextContent("dogs/x.jpg: also in class cats");
    const tally = screen.getByTestId("class-tally");
    expect(within(tally).getByRole("row", { name: "cats 16 4 enough" })).toBeInTheDocument();
    expect(within(tally).getByRole("row", { name: "dogs 4 1 5 more needed" })).toBeInTheDocument();
    expect(new URL(fake.calls()[0]!.url).search).toBe("");
  });

  it("refuses a file that is not a zip in the zip box, and shows the API's refusal of a zip", async () => {
    fakeApi({ [`POST ${PATH}`]: () => json(422, { detail: "The zip has no class folders.", code: "no_class_folders" }) });
    renderFresh(<TrainingDataStep token="t" classifier={{ name: "pets", classes: [] }} />);
    const input = within(screen.getByTestId("zip-drop")).getByTestId("file-input");
    fireEvent.change(input, { target: { files: [png("cat.png")] } });
    expect(await screen.findByTestId("upload-error")).toHaveTextContent("cat.png: not a .zip");
    fireEvent.change(input, { target: { files: [zip()] } });
    expect(await screen.findByText("The zip has no class folders.")).toBeInTheDocument();
  });
});
