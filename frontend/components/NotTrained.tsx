"use client";

import Link from "next/link";

import { Badge } from "@/components/States";
import type { Classifier } from "@/lib/api";
import { useClassifier } from "@/lib/classifier";

/** Where a page about a model lands for a classifier that has none yet: what is going on and
 *  the one thing to do next. */
export function NotTrained({ classifier }: { classifier: Classifier }) {
  const { href } = useClassifier();
  const job = classifier.last_job;
  const training = classifier.stage === "training";
  return (
    <section className="card empty-hero" data-testid="not-trained">
      <h2>{training ? `“${classifier.name}” is training its first version` : `“${classifier.name}” has no trained version yet`}</h2>
      {job && !training && (
        <p>
          Last training: <Badge tone={job.status === "failed" ? "bad" : "warn"}>{job.status}</Badge> {job.message}
        </p>
      )}
      <p className="muted">
        {training
          ? "Its metrics, confusion matrix and predictions appear here once it passes the quality gate and goes live."
          : `${classifier.training_images.toLocaleString()} training images so far, in ${classifier.classes.length} classes. ` +
            "Add labelled images (at least two classes), then train it."}
      </p>
      <Link className="button" href={href(`/classifiers/new/?name=${encodeURIComponent(classifier.name)}`)}>
        {training ? "Watch its training" : "Add training data and train"}
      </Link>
    </section>
  );
}
