"use client";

import { useState } from "react";

import { DropZone } from "@/components/DropZone";
import { UploadReportView } from "@/components/UploadReportView";
import { api, type UploadReport } from "@/lib/api";

const NEW_CLASS = "__new_class__";

/** Pick a class (or name a new one) and images, or drop a zip of class folders; shows what was accepted. */
export function UploadPanel({ token, classifier, classes, onUploaded }: {
  token: string;
  classifier: string;
  classes: string[];
  onUploaded?: (report: UploadReport) => void;
}) {
  const [choice, setChoice] = useState("");
  const [newClass, setNewClass] = useState("");
  const [report, setReport] = useState<UploadReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const className = choice === NEW_CLASS ? newClass.trim() : choice;

  async function send(files: File[]) {
    const zipsOnly = files.every((file) => file.name.toLowerCase().endsWith(".zip"));
    if (!zipsOnly && !className) {
      setError(choice === NEW_CLASS ? "Name the new class first." :
        "Choose the class of these images first (or drop a .zip of class folders).");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await api.upload(token, classifier, files, zipsOnly ? null : className);
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
      <div className="form-row">
        <label htmlFor="class-select">Class</label>
        <select id="class-select" value={choice} onChange={(e) => setChoice(e.target.value)}>
          <option value="">— choose (not needed for a .zip) —</option>
          {classes.map((name) => <option key={name} value={name}>{name}</option>)}
          <option value={NEW_CLASS}>+ a new class…</option>
        </select>
        {choice === NEW_CLASS && (
          <>
            <label htmlFor="new-class-name">New class name</label>
            <input id="new-class-name" value={newClass} onChange={(e) => setNewClass(e.target.value)} maxLength={64}
              placeholder="e.g. hamster" />
          </>
        )}
      </div>
      <DropZone onFiles={send} accept="image/*,.zip" label={busy ? "Uploading…" : "Drop labelled images or a .zip"} />
      {error && <div className="state error" role="alert">{error}</div>}
      {report && <UploadReportView report={report} />}
    </div>
  );
}
