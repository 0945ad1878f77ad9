import { Badge, Stat } from "@/components/States";
import type { Job } from "@/lib/api";
import { isActive, JOB_STATUS } from "@/lib/jobs";
import { formatDuration, percent } from "@/lib/shape";

/** A training job as it runs: status, epoch, accuracy, time left, a progress bar, its message. */
export function JobProgress({ job }: { job: Job }) {
  const status = JOB_STATUS[job.status];
  const done = Math.round(Math.min(1, Math.max(0, job.progress)) * 100);
  const running = isActive(job.status);
  return (
    <div className="job-progress" data-testid="job-progress">
      <div className="stats-row">
        <Stat label="Status" value={<Badge tone={status.tone}><span data-testid="job-status">{job.status}</span></Badge>} />
        <Stat label="Epoch" value={<span data-testid="job-epoch">{job.epochs ? `${job.epoch}/${job.epochs}` : "–"}</span>} />
        <Stat label="Accuracy" value={<span data-testid="job-accuracy">{percent(job.accuracy)}</span>} />
        <Stat label="Time left" value={running ? formatDuration(job.eta_seconds) : "–"} />
      </div>
      <div className="progress" role="progressbar" aria-label="training progress" aria-valuemin={0} aria-valuemax={100}
        aria-valuenow={done} aria-valuetext={`${done}%${running ? `, epoch ${job.epoch} of ${job.epochs}` : `, ${status.label}`}`}>
        <div style={{ width: `${done}%` }} />
      </div>
      <p data-testid="job-message" aria-live="polite">{job.message}</p>
    </div>
  );
}
