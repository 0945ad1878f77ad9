"use client";

import { useRef, useState, type DragEvent } from "react";

import { droppedFiles, pickedFiles, type PathedFile } from "@/lib/folders";

/** A drop target for folders (read through), with a folder picker for a click or a key. */
export function FolderDropZone({ onFiles, label }: { onFiles: (files: PathedFile[]) => void; label: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  async function drop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setOver(false);
    const files = await droppedFiles(event.dataTransfer);
    if (files.length) onFiles(files);
  }

  return (
    <div className={over ? "dropzone over" : "dropzone"} role="button" tabIndex={0}
      onClick={() => input.current?.click()}
      onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && input.current?.click()}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)} onDrop={(e) => void drop(e)}>
      <p>{label}</p>
      <p className="muted">drop folders here, or click to choose one holding them</p>
      {/* webkitdirectory is not in React's input types: every current browser supports it. */}
      <input ref={input} type="file" hidden multiple data-testid="folder-input" {...{ webkitdirectory: "" }}
        onChange={(e) => { const files = pickedFiles(Array.from(e.target.files ?? [])); if (files.length) onFiles(files); e.target.value = ""; }} />
    </div>
  );
}
