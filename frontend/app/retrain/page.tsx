"use client";

import { useState } from "react";
import useSWR from "swr";

import { SeriesLines } from "@/components/Charts";
import { TokenField } from "@/components/TokenField";
import { UploadPanel } from "@/components/UploadPanel";
import { Badge, Card, ErrorBox, Stat } from "@/components/States";
import { api, type Job, type JobStatus } from "@/lib/api";
import { useMetrics } from "@/lib/hooks";
import { formatDuration, historyRows, percent } from "@/lib/shape";
import { useAdminToken } from "@/lib/token";

// Every status the API declares (JobStatus is generated): a new one is a type error here.
const STATUS = {
  queued: { tone: "info", active: true },
  running: { tone: "info", active: true },
  completed: { tone: "good", active: false },
  rejected: { tone: "warn", active: false },
  failed: { tone: "bad", active: false },
  cancelled: { tone: "warn", active: false },
} as const satisfies Record<JobStatus, { tone: "good" | "info" | "bad" | "warn"; active: boolean }>;

const isActive = (status: JobStatus): boolean => STATUS[status].active;

export default function RetrainPage() {
  const [token] = useAdminToken();
  const metrics = useMetrics();
  const [startedId, setJobId] = useState<string | null>(null);
  const [epochs, setEpochs] = useState(3);
  const [error, setError] = useState<string | null>(null);

  const latest = useSWR("latest-job", api.latestJob, { shouldRetryOnError: false });
  // The job started here, or else the latest one (a job started elsewhere shows too).
  const jobId = startedId ?? latest.data?.job_id ?? null;

  const job = useSWR(jobId ? ["job", jobId] : null, () => api.job(jobId as string), {
    refreshInterval: (data?: Job) => (data && !isActive(data.status) ? 0 : 1000),
  });

  async function start() {
    setError(null);
    try {
      const queued = await api.retrain(token, epochs);
      setJobId(queued.job_id);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  async function cancel() {
    if (!jobId) return;
    try {
      await api.cancelJob(token, jobId);
      await job.mutate();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  const current = job.data;
  const running = current ? isActive(current.status) : false;
  return (
    <>
      <h1>Retrain</h1>
      <TokenField />
      <div className="grid">
        <Card title="1. Add labelled images">
          {token ? <UploadPanel token={token} classes={metrics.data?.class_names ?? []} />
            : <p className="muted">Enter the admin token to upload.</p>}
        </Card>
        <Card title="2. Retrain">
          <div className="form-row">
            <label htmlFor="epochs">Epochs</label>
            <input id="epochs" type="number" min={1} max={50} value={epochs}
              onChange={(e) => setEpochs(Number(e.target.value) || 1)} />
            <button onClick={start} disabled={!token || running} data-testid="start-retrain">Start retraining</button>
            {running && <button className="secondary" onClick={cancel}>Cancel</button>}
          </div>
          {error && <div className="state error" role="alert">{error}</div>}
          <p className="muted">The worker fine-tunes the production model on new uploads plus a replay of the
            original data, then promotes it only if it is better on the new uploads, not worse on the same
            held-out data (than production, or than the model its retrains began with), and still flags
            images of none of the classes as uncertain.</p>
        </Card>
      </div>
      {job.error && <ErrorBox error={job.error} />}
      {current && <JobPanel job={current} />}
    </>
  );
}

function JobPanel({ job }: { job: Job }) {
  const rows = historyRows(job.history ?? {});
  return (
    <Card title={`Job ${job.job_id.slice(0, 8)}`} wide>
      <div className="stats-row">
        <Stat label="Status" value={<Badge tone={STATUS[job.status].tone}><span data-testid="job-status">{job.status}</span></Badge>} />
        <Stat label="Epoch" value={`${job.epoch}/${job.epochs}`} />
        <Stat label="Loss" value={job.loss != null ? job.loss.toFixed(3) : "–"} />
        <Stat label="Accuracy" value={percent(job.accuracy)} />
        <Stat label="Time left" value={isActive(job.status) ? formatDuration(job.eta_seconds) : "–"} />
      </div>
      <div className="progress" role="progressbar" aria-label="progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(job.progress * 100)}>
        <div style={{ width: `${Math.round(job.progress * 100)}%` }} />
      </div>
      <p data-testid="job-message">{job.message}</p>
      {rows.length > 0 && (
        <SeriesLines data={rows} x="epoch" lines={[{ key: "loss" }, { key: "accuracy" }, { key: "val_accuracy", label: "held-out accuracy" }]} />
      )}
      {(job.metrics?.candidate || job.metrics?.production) && (
        <Comparison candidate={job.metrics?.candidate} production={job.metrics?.production} promoted={job.promoted}
          version={job.model_version} />
      )}
    </Card>
  );
}

type Scores = NonNullable<Job["metrics"]>["candidate"];

function Comparison({ candidate, production, promoted, version }: {
  candidate: Scores; production: Scores; promoted: boolean | null; version: string | null;
}) {
  const rows = [["Test accuracy", "accuracy"], ["F1 (macro)", "f1"], ["Held-out uploads accuracy", "uploads_accuracy"]] as const;
  return (
    <div className="comparison">
      <h3>Candidate {version ?? ""} vs production {promoted != null && (
        <Badge tone={promoted ? "good" : "warn"}><span data-testid="promoted">{promoted ? "promoted" : "not promoted"}</span></Badge>)}
      </h3>
      <table className="table">
        <thead><tr><th /><th>Candidate</th><th>Production</th></tr></thead>
        <tbody>
          {rows.filter(([, key]) => candidate?.[key] != null || production?.[key] != null).map(([label, key]) => (
            <tr key={key}><td>{label}</td><td>{percent(candidate?.[key], 2)}</td>
              <td>{percent(production?.[key], 2)}</td></tr>
          ))}
          {outOfClassKinds(candidate, production).map((kind) => (
            <tr key={kind}><td>{kind.charAt(0).toUpperCase() + kind.slice(1)} images flagged uncertain</td>
              <td>{percent(candidate?.out_of_class_flagged?.[kind], 0)}</td>
              <td>{percent(production?.out_of_class_flagged?.[kind], 0)}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The kinds of generated out-of-class images either model was checked on (the gate
 * rejects a candidate that is sure of them where production was not). */
function outOfClassKinds(candidate: Scores, production: Scores): string[] {
  const kinds = new Set([
    ...Object.keys(candidate?.out_of_class_flagged ?? {}),
    ...Object.keys(production?.out_of_class_flagged ?? {}),
  ]);
  return [...kinds].sort();
}
