import { describe, expect, it } from "vitest";

import { batches, groupByFolder, pickedFiles } from "@/lib/folders";

const file = (name: string, size = 4) => new File([new Uint8Array(size)], name);

describe("groupByFolder", () => {
  it("labels each image by the folder directly holding it, whatever is above", () => {
    const { classes, skipped } = groupByFolder([
      { file: file("1.jpg"), path: "cats/1.jpg" },
      { file: file("2.PNG"), path: "pets/cats/2.PNG" },
      { file: file("3.jpeg"), path: "pets/dogs/3.jpeg" },
      { file: file("notes.txt"), path: "pets/dogs/notes.txt" },
      { file: file(".DS_Store.png"), path: "pets/dogs/.DS_Store.png" },
      { file: file("loose.jpg"), path: "loose.jpg" },
    ]);
    expect([...classes.keys()]).toEqual(["cats", "dogs"]);
    expect(classes.get("cats")?.map((f) => f.name)).toEqual(["1.jpg", "2.PNG"]);
    expect(skipped).toEqual(["pets/dogs/notes.txt", "pets/dogs/.DS_Store.png", "loose.jpg"]);
  });
});

describe("batches", () => {
  it("splits by count and by bytes, never leaving a file out or a batch empty", () => {
    const files = Array.from({ length: 7 }, (_, i) => file(`${i}.png`, 10));
    expect(batches(files, 3).map((b) => b.length)).toEqual([3, 3, 1]);
    expect(batches(files, 50, 25).map((b) => b.length)).toEqual([2, 2, 2, 1]);
    expect(batches([file("huge.png", 100)], 50, 10).map((b) => b.length)).toEqual([1]);
    expect(batches([])).toEqual([]);
  });
});

describe("pickedFiles", () => {
  it("keeps the path a folder picker gives", () => {
    const picked = file("1.jpg");
    Object.defineProperty(picked, "webkitRelativePath", { value: "pets/cats/1.jpg" });
    expect(pickedFiles([picked])[0]?.path).toBe("pets/cats/1.jpg");
  });
});
