"use client";

import { useState } from "react";

import { DropZone } from "@/components/DropZone";
import { api, type UploadReport } from "@/lib/api";

/** Pick a class and images, or drop a zip of class folders; shows what was accepted. */
export function UploadPanel({ token, classes, onUploaded }: {
  token: string;
  classes: string[];
  onUploaded?: (report: UploadReport) => void;
}) {
  const [className, setClassName] = useState("");
  const [report, setReport] = useState<UploadReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function send(files: File[]) {
    const zipsOnly = files.every((file) => file.name.toLowerCase().endsWith(".zip"));
    if (!zipsOnly && !className) {
      setError("Choose the class of these images first (or drop a .zip of class folders).");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await api.upload(token, files, zipsOnly ? null : className);
      setReport(result);
      onUploaded?.(result);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="upload-panel">
      <label htmlFor="class-select">Class</label>
      <select id="class-select" value={className} onChange={(e) => setClassName(e.target.value)}>
        <option value="">— choose (not needed for a .zip) —</option>
        {classes.map((name) => <option key={name} value={name}>{name}</option>)}
      </select>
      <DropZone onFiles={send} accept="image/*,.zip" label={busy ? "Uploading…" : "Drop labelled images or a .zip"} />
      {error && <div className="state error" role="alert">{error}</div>}
      {report && (
        <div className="upload-report" data-testid="upload-report">
          <span className="badge good">{report.uploaded} accepted</span>{" "}
          <span className="badge warn">{report.duplicates} duplicates</span>{" "}
          <span className="badge bad">{report.rejected.length} rejected</span>
          {report.rejected.length > 0 && (
            <ul className="rejections">
              {report.rejected.map((r, i) => <li key={`${r.filename}-${i}`}><strong>{r.filename}</strong>: {r.reason}</li>)}
            </ul>
          )}
          <p className="muted">
            Uploads waiting per class:{" "}
            {Object.entries(report.class_counts).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`).join(", ") || "none"}
          </p>
        </div>
      )}
    </div>
  );
}
