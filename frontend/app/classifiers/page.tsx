"use client";

import Link from "next/link";
import { useEffect } from "react";

import { ClassifierTable } from "@/components/classifiers/ClassifierTable";
import { Card, Empty, ErrorBox, Loading } from "@/components/States";
import { useClassifier, useClassifiers } from "@/lib/classifier";

export default function ClassifiersPage() {
  const { data, error, isLoading } = useClassifiers();
  const { name, href } = useClassifier();
  useEffect(() => {
    document.title = "Classifiers · Sightline";
  }, []);

  const active = data?.items.filter((item) => item.status === "active") ?? [];
  const archived = data?.items.filter((item) => item.status === "archived") ?? [];
  const live = active.filter((item) => item.stage === "live").length;

  return (
    <>
      <div className="page-head">
        <h1>Classifiers</h1>
        <Link className="button" href={href("/classifiers/new/")} data-testid="new-classifier">+ New classifier</Link>
      </div>
      <p className="muted">Each classifier has its own classes, training data, model versions, monitoring and history,
        served side by side. Pick one to open its dashboard.</p>
      {error && <ErrorBox error={error} />}
      {isLoading && <Loading what="Loading classifiers" />}
      {data && active.length === 0 && (
        <Empty>No classifiers yet. <Link href={href("/classifiers/new/")}>Make the first one</Link> from a zip of labelled images.</Empty>
      )}
      {active.length > 0 && (
        <Card wide>
          <p className="muted" data-testid="classifier-summary">
            {active.length} {active.length === 1 ? "classifier" : "classifiers"}, {live} live
          </p>
          <ClassifierTable items={active} current={name} caption="Classifiers" />
        </Card>
      )}
      {archived.length > 0 && (
        <details className="archived-section">
          <summary>Archived ({archived.length}): history kept, no longer served</summary>
          <ClassifierTable items={archived} current={name} caption="Archived classifiers" />
        </details>
      )}
    </>
  );
}
