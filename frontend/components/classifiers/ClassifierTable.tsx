"use client";

import Link from "next/link";

import { Badge } from "@/components/States";
import type { Classifier } from "@/lib/api";
import { withClassifier } from "@/lib/classifier";
import { JOB_STATUS } from "@/lib/jobs";
import { percent, timeAgo } from "@/lib/shape";

const STAGE = {
  live: { tone: "good", label: "live" },
  training: { tone: "info", label: "training" },
  untrained: { tone: "warn", label: "not trained" },
} as const;

/** Where a classifier's name leads: its dashboard (the default one needs no `?c=`). */
export const dashboardHref = (item: Pick<Classifier, "name" | "is_default">) =>
  withClassifier("/", item.is_default ? null : item.name);

export const trainingHref = (name: string) => `/classifiers/new/?name=${encodeURIComponent(name)}`;

/** The next thing to do with a classifier that is not live yet. */
function NextStep({ item }: { item: Classifier }) {
  if (item.status === "archived" || item.stage === "live") return null;
  return (
    <Link href={trainingHref(item.name)} className="row-action">
      {item.stage === "training" ? "Watch training" : "Add data & train"}
    </Link>
  );
}

function LastTraining({ job }: { job: Classifier["last_job"] }) {
  if (!job) return <span className="muted">never</span>;
  const status = JOB_STATUS[job.status];
  return (
    <span title={job.message || undefined}>
      <Badge tone={status.tone}>{status.label}</Badge>{" "}
      <span className="muted">{job.finished_at ? timeAgo(job.finished_at) : "now"}</span>
    </span>
  );
}

/**
 * One row per classifier. On a phone each row becomes a card (the cells stack, each with its
 * column's name: data-label), so 20 classifiers read without sideways scrolling.
 */
export function ClassifierTable({ items, current, caption }: { items: Classifier[]; current: string | null; caption: string }) {
  return (
    <table className="table classifier-table" data-testid="classifier-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Classifier</th><th scope="col">Stage</th><th scope="col">Accuracy</th>
          <th scope="col">Predictions today</th><th scope="col">Last training</th><th scope="col">Production version</th>
          <th scope="col">Training images</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={item.name} data-classifier={item.name}
            className={[item.status === "archived" ? "archived" : "", item.name === current ? "highlight" : ""].join(" ").trim() || undefined}>
            <th scope="row" className="classifier-name">
              <Link href={dashboardHref(item)} aria-current={item.name === current ? "true" : undefined}>{item.name}</Link>
              {item.is_default && <> <Badge tone="info">default</Badge></>}
              <div className="muted classifier-meta">
                {item.classes.length} {item.classes.length === 1 ? "class" : "classes"}
                {item.parent ? ` · from ${item.parent}` : ""}
              </div>
              <NextStep item={item} />
            </th>
            <td data-label="Stage">
              {item.status === "archived" ? <Badge tone="warn">archived</Badge> : <Badge tone={STAGE[item.stage].tone}>{STAGE[item.stage].label}</Badge>}
            </td>
            <td data-label="Accuracy" className="num">{percent(item.accuracy)}</td>
            <td data-label="Predictions today" className="num">{item.predictions_today.toLocaleString()}</td>
            <td data-label="Last training"><LastTraining job={item.last_job} /></td>
            <td data-label="Production version">{item.production_version ?? <span className="muted">none yet</span>}</td>
            <td data-label="Training images" className="num">{item.training_images.toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
