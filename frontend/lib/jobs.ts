// What a training job's status means to a person; shared by the retrain page and the
// new-classifier flow.
import type { Job, JobStatus } from "./api";

type Tone = "good" | "info" | "bad" | "warn";

// Every status the API declares (JobStatus is generated): a new one is a type error here.
export const JOB_STATUS = {
  queued: { tone: "info", active: true, label: "queued" },
  running: { tone: "info", active: true, label: "training" },
  completed: { tone: "good", active: false, label: "completed" },
  rejected: { tone: "warn", active: false, label: "rejected by the gate" },
  failed: { tone: "bad", active: false, label: "failed" },
  cancelled: { tone: "warn", active: false, label: "cancelled" },
} as const satisfies Record<JobStatus, { tone: Tone; active: boolean; label: string }>;

export const isActive = (status: JobStatus): boolean => JOB_STATUS[status].active;

/** How a job ended for the person who started it: its model went live, or why not. */
export type JobOutcome = "running" | "promoted" | "not-promoted" | "failed" | "cancelled";

export function jobOutcome(job: Pick<Job, "status" | "promoted">): JobOutcome {
  if (isActive(job.status)) return "running";
  if (job.status === "failed") return "failed";
  if (job.status === "cancelled") return "cancelled";
  return job.status === "completed" && job.promoted !== false ? "promoted" : "not-promoted";
}

/** Poll every second while a job runs, then stop. */
export const jobRefresh = (job?: Pick<Job, "status">): number => (job && !isActive(job.status) ? 0 : 1000);
