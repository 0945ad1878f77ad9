// Folders of images dropped in the browser, one folder per class. A drop hands over
// directory entries (read here, recursively); a folder picker hands over files with
// webkitRelativePath. Either way each image is labelled by the folder that holds it.

export interface PathedFile {
  file: File;
  path: string; // "pets/cats/1.jpg"
}

const IMAGE = /\.(jpe?g|png|gif|bmp|webp|tiff?)$/i;

/** Images grouped by the name of the folder directly holding each; files at the top level
 *  (no folder) and files that are not images by name are left out, and listed. */
export function groupByFolder(files: PathedFile[]): { classes: Map<string, File[]>; skipped: string[] } {
  const classes = new Map<string, File[]>();
  const skipped: string[] = [];
  for (const { file, path } of files) {
    const parts = path.split("/").filter(Boolean);
    const folder = parts.length >= 2 ? parts[parts.length - 2] : undefined;
    if (!folder || !IMAGE.test(file.name) || file.name.startsWith(".")) {
      skipped.push(path);
      continue;
    }
    classes.set(folder, [...(classes.get(folder) ?? []), file]);
  }
  return { classes, skipped };
}

/** Batches of at most `maxFiles` files and (past the first file) `maxBytes` bytes, so one
 *  request stays under the API's request size limit. */
export function batches(files: File[], maxFiles = 50, maxBytes = 24 * 1024 * 1024): File[][] {
  const out: File[][] = [];
  let current: File[] = [];
  let bytes = 0;
  for (const file of files) {
    if (current.length && (current.length >= maxFiles || bytes + file.size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.size;
  }
  if (current.length) out.push(current);
  return out;
}

type Entry = FileSystemEntry;

function readAll(reader: FileSystemDirectoryReader): Promise<Entry[]> {
  // readEntries answers in pages (100 in Chromium) until it answers an empty one.
  return new Promise((resolve, reject) => {
    const all: Entry[] = [];
    const next = () =>
      reader.readEntries((page) => {
        if (!page.length) resolve(all);
        else {
          all.push(...page);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: Entry, out: PathedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path: entry.fullPath.replace(/^\//, "") });
  } else if (entry.isDirectory) {
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader())) await walk(child, out);
  }
}

/** Every file of a drop, folders read through, with its path inside what was dropped. */
export async function droppedFiles(transfer: DataTransfer): Promise<PathedFile[]> {
  const entries = Array.from(transfer.items ?? [])
    .map((item) => item.webkitGetAsEntry?.())
    .filter((entry): entry is Entry => Boolean(entry));
  if (!entries.length) return Array.from(transfer.files).map((file) => ({ file, path: file.name }));
  const out: PathedFile[] = [];
  for (const entry of entries) await walk(entry, out);
  return out;
}

/** Files from a folder picker (<input webkitdirectory>), with their paths. */
export function pickedFiles(files: File[]): PathedFile[] {
  return files.map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}
