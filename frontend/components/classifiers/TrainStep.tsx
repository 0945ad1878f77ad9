"use client";

import { useEffect, useId, useRef, useState } from "react";
import useSWR from "swr";

import { JobProgress } from "@/components/JobProgress";
import { ApiError, api, type Classifier, type Job } from "@/lib/api";
import { isActive, jobOutcome, jobRefresh } from "@/lib/jobs";

/** Why a training did not start, in words; the API's own detail names the short class and its count. */
export function startRefusal(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  if (err.code === "too_few_images") return `Not enough images to train yet: ${err.message} Add more above, then train again.`;
  return err.message;
}

/** Step 3: start the training, follow it every second, and say how it ended. A model that
 *  goes live calls onLive; one the gate turns away leaves the data and lets the person add
 *  more and train again. */
export function TrainStep({ token, classifier, onLive }: {
  token: string;
  classifier: Pick<Classifier, "name" | "last_job" | "training_images">;
  onLive: (job: Job) => void;
}) {
  const ids = useId();
  const running = classifier.last_job && isActive(classifier.last_job.status) ? classifier.last_job.id : null;
  const [startedId, setStartedId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const jobId = startedId ?? running;

  const { data: job, error: pollError } = useSWR(
    jobId ? ["job", classifier.name, jobId] : null,
    ([, name, id]) => api.job(name, id),
    { refreshInterval: jobRefresh },
  );
  const outcome = job ? jobOutcome(job) : null;

  // Once per job: landing on the dashboard is the end of the flow.
  const announced = useRef<string | null>(null);
  useEffect(() => {
    if (job && outcome === "promoted" && announced.current !== job.job_id) {
      announced.current = job.job_id;
      onLive(job);
    }
  }, [job, outcome, onLive]);

  async function start() {
    setStarting(true);
    setError(null);
    try {
      const queued = await api.retrain(token, classifier.name);
      setStartedId(queued.job_id);
    } catch (err) {
      if (err instanceof ApiError && err.code === "retrain_in_progress") {
        // Started elsewhere (another tab, the CLI): follow that one.
        const latest = await api.latestJob(classifier.name).catch(() => null);
        if (latest) setStartedId(latest.job_id);
        else setError(err.message);
      } else {
        setError(startRefusal(err));
      }
    } finally {
      setStarting(false);
    }
  }

  const busy = starting || outcome === "running";
  const again = outcome !== null && outcome !== "running" && outcome !== "promoted";
  return (
    <section className="card step-card" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>3. Train</h2>
      <p className="muted">
        {classifier.training_images.toLocaleString()} training images so far. The first training starts from the
        parent model and takes a few minutes; the classifier goes live when its first version passes the gate
        (a minimum accuracy on its held-out images, and images of none of its classes flagged as uncertain).
      </p>
      <div className="form-row">
        <button type="button" onClick={start} disabled={!token || busy} data-testid="train">
          {starting ? "Starting…" : busy ? "Training…" : again ? "Train again" : "Train"}
        </button>
        {!token && <span className="muted">Enter the admin token above first.</span>}
      </div>
      {error && <div className="state error" role="alert" data-testid="train-error">{error}</div>}
      {pollError && <div className="state error" role="alert">{pollError instanceof Error ? pollError.message : String(pollError)}</div>}
      {job && <JobProgress job={job} />}
      {job && outcome === "promoted" && (
        <div className="state info" role="status">Live: opening its dashboard…</div>
      )}
      {job && again && (
        <div className="state error" role="alert" data-testid="train-outcome">
          <strong>{outcome === "not-promoted" ? "Not live: the gate turned this version away." :
            outcome === "failed" ? "The training failed." : "The training was cancelled."}</strong>{" "}
          {job.message} Your images are kept: add more (or fix the classes) above, then train again.
        </div>
      )}
    </section>
  );
}
