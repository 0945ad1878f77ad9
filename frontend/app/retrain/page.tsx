"use client";

import { useState } from "react";
import useSWR from "swr";

import { JobProgress } from "@/components/JobProgress";
import { PageTitle } from "@/components/PageTitle";
import { SeriesLines } from "@/components/Charts";
import { TokenField } from "@/components/TokenField";
import { UploadPanel } from "@/components/UploadPanel";
import { Badge, Card, ErrorBox } from "@/components/States";
import { api, type Job } from "@/lib/api";
import { useClassifier } from "@/lib/classifier";
import { useMetrics } from "@/lib/hooks";
import { isActive, jobRefresh } from "@/lib/jobs";
import { historyRows, percent } from "@/lib/shape";
import { useAdminToken } from "@/lib/token";

export default function RetrainPage() {
  const [token] = useAdminToken();
  const { name, info } = useClassifier();
  const metrics = useMetrics(info?.production_version ? name : null);
  const [startedId, setJobId] = useState<string | null>(null);
  const [epochs, setEpochs] = useState(3);
  const [error, setError] = useState<string | null>(null);

  const latest = useSWR(name ? ["latest-job", name] : null, ([, classifier]) => api.latestJob(classifier),
    { shouldRetryOnError: false });
  // The job started here, or else the latest one (a job started elsewhere shows too).
  const jobId = startedId ?? latest.data?.job_id ?? null;

  const job = useSWR(name && jobId ? ["job", name, jobId] : null, ([, classifier, id]) => api.job(classifier, id), {
    refreshInterval: jobRefresh,
  });

  async function start() {
    if (!name) return;
    setError(null);
    try {
      const queued = await api.retrain(token, name, epochs);
      setJobId(queued.job_id);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  async function cancel() {
    if (!jobId || !name) return;
    try {
      await api.cancelJob(token, name, jobId);
      await job.mutate();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  const current = job.data;
  const running = current ? isActive(current.status) : false;
  return (
    <>
      <PageTitle title="Retrain" />
      <TokenField />
      <div className="grid">
        <Card title="1. Add labelled images">
          {token && name ? <UploadPanel token={token} classifier={name} classes={info?.classes ?? metrics.data?.class_names ?? []} />
            : <p className="muted">Enter the admin token to upload.</p>}
        </Card>
        <Card title="2. Retrain">
          <div className="form-row">
            <label htmlFor="epochs">Epochs</label>
            <input id="epochs" type="number" min={1} max={50} value={epochs}
              onChange={(e) => setEpochs(Number(e.target.value) || 1)} />
            <button onClick={start} disabled={!token || !name || running} data-testid="start-retrain">Start retraining</button>
            {running && <button className="secondary" onClick={cancel}>Cancel</button>}
          </div>
          {error && <div className="state error" role="alert">{error}</div>}
          {info && !info.production_version ? (
            <p className="muted">Its first training is transfer learning from {info.parent ? <strong>{info.parent}</strong> : "scratch"};
              it goes live when its first version passes the gate (a minimum accuracy on its held-out images, and
              images of none of its classes flagged as uncertain).</p>
          ) : (
            <p className="muted">The worker fine-tunes the production model on new uploads plus a replay of the
              original data, then promotes it only if it is better on the new uploads, not worse on the same
              held-out data (than production, or than the model its retrains began with), and still flags
              images of none of the classes as uncertain.</p>
          )}
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
      <JobProgress job={job} />
      {job.loss != null && <p className="muted">Loss {job.loss.toFixed(3)}</p>}
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
