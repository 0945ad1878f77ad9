import type { UploadReport } from "@/lib/api";

/** What an upload did: accepted, duplicates, every rejected file with why, images per class. */
export function UploadReportView({ report }: { report: UploadReport }) {
  const counts = Object.entries(report.class_counts).filter(([, n]) => n > 0);
  return (
    <div className="upload-report" data-testid="upload-report" role="status">
      <span className="badge good">{report.uploaded} accepted</span>{" "}
      <span className="badge warn">{report.duplicates} duplicates</span>{" "}
      <span className={report.rejected.length ? "badge bad" : "badge info"}>{report.rejected.length} rejected</span>
      {report.rejected.length > 0 && (
        <ul className="rejections" aria-label="rejected files">
          {report.rejected.map((r, i) => <li key={`${r.filename}-${i}`}><strong>{r.filename}</strong>: {r.reason}</li>)}
        </ul>
      )}
      <p className="muted">
        Uploads per class: {counts.map(([c, n]) => `${c} ${n}`).join(", ") || "none yet"}
      </p>
    </div>
  );
}
