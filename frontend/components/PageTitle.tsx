"use client";

import Link from "next/link";
import { useEffect } from "react";

import { Badge } from "@/components/States";
import { useClassifier } from "@/lib/classifier";

const STAGE_TONE = { live: "good", training: "info", untrained: "warn" } as const;

/** A page's heading, naming the classifier it is about; a clear note when there is no such one. */
export function PageTitle({ title }: { title: string }) {
  const { name, info, unknown } = useClassifier();

  useEffect(() => {
    document.title = name ? `${title} · ${name} · Sightline` : `${title} · Sightline`;
  }, [title, name]);

  return (
    <>
      <h1 className="page-title">
        {title}
        {name && (
          <span className="title-scope" data-testid="page-classifier">
            <span className="visually-hidden"> for classifier </span>
            <span className="title-classifier">{name}</span>
          </span>
        )}
        {info && info.stage !== "live" && (
          <Badge tone={STAGE_TONE[info.stage]}>{info.stage === "training" ? "training" : "not trained yet"}</Badge>
        )}
        {info?.status === "archived" && <Badge tone="warn">archived</Badge>}
      </h1>
      {unknown && (
        <div className="state error" role="alert">
          There is no classifier named “{name}”. <Link href="/classifiers/">See every classifier</Link>.
        </div>
      )}
    </>
  );
}
