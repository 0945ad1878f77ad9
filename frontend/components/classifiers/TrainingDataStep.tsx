"use client";

import { useId, useState } from "react";

import { DropZone } from "@/components/DropZone";
import { FolderDropZone } from "@/components/FolderDropZone";
import { UploadReportView } from "@/components/UploadReportView";
import { api, type Classifier, type SplitCount, type UploadReport } from "@/lib/api";
import { batches, groupByFolder, type PathedFile } from "@/lib/folders";

// The API's minimum is a setting (SIGHTLINE_MIN_IMAGES_PER_CLASS, 10 by default) and its 422
// is what counts; this only tells a person early which classes look short.
export const SUGGESTED_MIN_IMAGES = 10;

interface ClassRow {
  id: number;
  name: string;
}

/** What is wrong with a class name among the others, or null. */
export function classNameProblem(name: string, others: string[]): string | null {
  const trimmed = name.trim();
  if (!trimmed) return "Name this class first.";
  if (/[/\\]/.test(trimmed)) return "A class name cannot contain / or \\.";
  if (others.some((other) => other.trim().toLowerCase() === trimmed.toLowerCase())) return `“${trimmed}” is already a class here.`;
  return null;
}

/** Images per class as the API last counted them (to learn from, held out), every known class
 *  listed, zero included. */
export function classCounts(classes: string[], splits: Record<string, SplitCount>): [string, SplitCount][] {
  const names = [...new Set([...classes, ...Object.keys(splits)])];
  return names.map((name) => [name, splits[name] ?? { train: 0, test: 0 }]);
}

/** Several answers as one report: counts added, rejections listed, the latest images per class. */
export function mergeReports(before: UploadReport | null, next: UploadReport): UploadReport {
  if (!before) return next;
  return {
    uploaded: before.uploaded + next.uploaded,
    duplicates: before.duplicates + next.duplicates,
    rejected: [...before.rejected, ...next.rejected],
    class_counts: { ...before.class_counts, ...next.class_counts },
    classes: next.classes,
    split_counts: { ...before.split_counts, ...next.split_counts },
  };
}

/** One upload request: images of a class, or zips (no class). */
interface Part {
  className: string | null;
  files: File[];
}

/** Step 2: one zip of class folders, or classes named here with images dropped on each. */
export function TrainingDataStep({ token, classifier, onUploaded }: {
  token: string;
  classifier: Pick<Classifier, "name" | "classes">;
  onUploaded?: (report: UploadReport) => void;
}) {
  const ids = useId();
  const [rows, setRows] = useState<ClassRow[]>(() => {
    const start = classifier.classes.length ? classifier.classes : ["", ""];
    return start.map((name, id) => ({ id, name }));
  });
  const [rowErrors, setRowErrors] = useState<Record<number, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [report, setReport] = useState<UploadReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [splits, setSplits] = useState<Record<string, SplitCount>>({});


  /** Sends the parts in order, images in batches (each request under the API's size limit),
   *  and shows one report for all of them; stops at the first refusal. */
  async function send(parts: Part[], what: string) {
    setBusy(what);
    setError(null);
    let total: UploadReport | null = null;
    try {
      for (const [index, part] of parts.entries()) {
        const requests = part.className === null ? part.files.map((zip) => [zip]) : batches(part.files);
        for (const files of requests) {
          if (parts.length > 1) setBusy(`${what}: ${part.className ?? "zip"} (${index + 1} of ${parts.length})`);
          const result = await api.upload(token, classifier.name, files, part.className);
          total = mergeReports(total, result);
          setReport(total);
          setSplits(total.split_counts);
        }
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
      if (total) onUploaded?.(total);
    }
  }

  function dropFolders(files: PathedFile[]) {
    const { classes, skipped } = groupByFolder(files);
    if (!classes.size) {
      setError(`No images inside folders here${skipped.length ? ` (${skipped.length} files left out)` : ""}: drop folders named after their classes.`);
      return;
    }
    void send([...classes].map(([className, images]) => ({ className, files: images })), "folders");
  }

  function dropOnRow(row: ClassRow, files: File[]) {
    const problem = classNameProblem(row.name, rows.filter((other) => other.id !== row.id).map((other) => other.name));
    setRowErrors((errors) => ({ ...errors, [row.id]: problem ?? "" }));
    if (!problem) void send([{ className: row.name.trim(), files }], `class ${row.name.trim()}`);
  }

  function dropZip(files: File[]) {
    const notZips = files.filter((file) => !file.name.toLowerCase().endsWith(".zip"));
    if (notZips.length) {
      setError(`${notZips.map((file) => file.name).join(", ")}: not a .zip. Drop images on their class below instead.`);
      return;
    }
    void send([{ className: null, files }], "zip");
  }

  const tally = classCounts(report?.classes ?? classifier.classes, splits);
  return (
    <section className="card step-card" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>2. Add training images</h2>
      {!token && <p className="state error" role="alert">Enter the admin token above to upload.</p>}

      <h3>Drop one zip</h3>
      <p className="muted">Folders named after the classes: <code>cats/…</code>, <code>dogs/…</code>; or <code>train/cats/…</code> with
        an optional <code>test/cats/…</code> kept aside for testing (without one, Sightline holds out a share itself).</p>
      <div data-testid="zip-drop">
        <DropZone onFiles={dropZip} accept=".zip,application/zip" multiple={false}
          label={busy === "zip" ? "Uploading the zip…" : "Drop a .zip of class folders"} />
      </div>

      <h3>Or drop folders of images</h3>
      <p className="muted">One folder per class, named after it: each image is labelled by the folder it is in.</p>
      <div data-testid="folder-drop">
        <FolderDropZone onFiles={dropFolders} label={busy?.startsWith("folders") ? `Uploading ${busy}…` : "Drop class folders"} />
      </div>

      <h3>Or name classes and drop images on each</h3>
      <ul className="class-rows">
        {rows.map((row, index) => (
          <li key={row.id} className="class-row" data-testid="class-row">
            <div className="field">
              <label htmlFor={`${ids}-class-${row.id}`}>Class {index + 1}</label>
              <input id={`${ids}-class-${row.id}`} value={row.name} placeholder={index === 0 ? "e.g. cat" : "e.g. dog"}
                aria-invalid={rowErrors[row.id] ? true : undefined} maxLength={64}
                aria-describedby={rowErrors[row.id] ? `${ids}-class-${row.id}-error` : undefined}
                onChange={(e) => {
                  const name = e.target.value;
                  setRows((all) => all.map((r) => (r.id === row.id ? { ...r, name } : r)));
                  setRowErrors((errors) => ({ ...errors, [row.id]: "" }));
                }} />
              {rowErrors[row.id] && (
                <p id={`${ids}-class-${row.id}-error`} className="field-error" role="alert">{rowErrors[row.id]}</p>
              )}
            </div>
            <DropZone onFiles={(files) => dropOnRow(row, files)} accept="image/*"
              label={busy === `class ${row.name.trim()}` ? "Uploading…" : `Drop images of ${row.name.trim() || "this class"}`} />
          </li>
        ))}
      </ul>
      <button type="button" className="secondary" onClick={() => setRows((all) => [...all, { id: Math.max(-1, ...all.map((r) => r.id)) + 1, name: "" }])}>
        + Add a class
      </button>

      {error && <div className="state error" role="alert" data-testid="upload-error">{error}</div>}
      {report && <UploadReportView report={report} />}
      {tally.length > 0 && Object.keys(splits).length > 0 && (
        <table className="table numeric class-tally" data-testid="class-tally">
          <caption className="visually-hidden">Training images per class</caption>
          <thead><tr><th scope="col">Class</th><th scope="col">To learn from</th><th scope="col">Held out to test</th><th scope="col" /></tr></thead>
          <tbody>
            {tally.map(([name, { train, test }]) => (
              <tr key={name}>
                <th scope="row" className="class-name">{name}</th>
                <td>{train}</td>
                <td>{test}</td>
                <td>{train + test < SUGGESTED_MIN_IMAGES
                  ? <span className="badge warn">{SUGGESTED_MIN_IMAGES - train - test} more needed</span>
                  : <span className="badge good">enough</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
