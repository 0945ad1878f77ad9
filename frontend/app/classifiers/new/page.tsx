"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect } from "react";
import { useSWRConfig } from "swr";

import { NameStep } from "@/components/classifiers/NameStep";
import { TrainingDataStep } from "@/components/classifiers/TrainingDataStep";
import { TrainStep } from "@/components/classifiers/TrainStep";
import { Loading } from "@/components/States";
import { TokenField } from "@/components/TokenField";
import { ApiError, type Classifier } from "@/lib/api";
import { useClassifier, withClassifier } from "@/lib/classifier";
import { useClassifierInfo } from "@/lib/hooks";
import { useAdminToken } from "@/lib/token";

const STEPS = ["Name", "Training images", "Train"] as const;

function Steps({ current }: { current: number }) {
  return (
    <ol className="steps" aria-label="Steps">
      {STEPS.map((label, i) => (
        <li key={label} className={i < current ? "done" : i === current ? "current" : undefined}
          aria-current={i === current ? "step" : undefined}>
          <span className="step-number" aria-hidden>{i < current ? "✓" : i + 1}</span> {label}
        </li>
      ))}
    </ol>
  );
}

/** The new-classifier flow. `?name=` is the classifier being made, so a reload (or a link from
 *  the list) comes back to its data and its training. */
export default function NewClassifierPage() {
  const router = useRouter();
  const target = useSearchParams()?.get("name") || null;
  const { param, href } = useClassifier();
  const [token] = useAdminToken();
  const { mutate } = useSWRConfig();
  const existing = useClassifierInfo(target);
  const missing = existing.error instanceof ApiError && existing.error.status === 404;

  useEffect(() => {
    document.title = target ? `New classifier ${target} · Sightline` : "New classifier · Sightline";
  }, [target]);

  function created(classifier: Classifier) {
    void mutate(["classifier", classifier.name], classifier, { revalidate: false });
    void mutate("classifiers");
    router.replace(withClassifier(`/classifiers/new/?name=${encodeURIComponent(classifier.name)}`, param));
  }

  function refresh() {
    void existing.mutate();
    void mutate("classifiers");
  }

  const live = useCallback(async (name: string) => {
    // The list says which classifiers are live; fetched again so the dashboard opens on the new one's metrics.
    await mutate("classifiers");
    router.push(withClassifier("/", name));
  }, [mutate, router]);

  const classifier = existing.data;
  const step = !classifier ? 0 : classifier.training_images === 0 ? 1 : 2;
  return (
    <>
      <div className="page-head">
        <h1>{classifier ? <>New classifier <span className="title-classifier">{classifier.name}</span></> : "New classifier"}</h1>
        <Link href={href("/classifiers/")}>All classifiers</Link>
      </div>
      <Steps current={step} />
      <TokenField />
      {(!target || missing) && <NameStep token={token} initialName={target ?? ""} onCreated={created} />}
      {target && !classifier && !missing && !existing.error && <Loading what={`Loading ${target}`} />}
      {existing.error && !missing && <div className="state error" role="alert">{String((existing.error as Error).message)}</div>}
      {classifier && (
        <>
          {classifier.stage === "live" && (
            <div className="state info" role="status">
              {classifier.name} is live. <Link href={withClassifier("/", classifier.name)}>Open its dashboard</Link>, or add
              images and train a new version here.
            </div>
          )}
          <TrainingDataStep token={token} classifier={classifier} onUploaded={refresh} />
          <TrainStep token={token} classifier={classifier} onLive={() => void live(classifier.name)} />
        </>
      )}
    </>
  );
}
