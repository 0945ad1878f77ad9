"use client";

import { useEffect, useState } from "react";

import { ProbabilityBars } from "@/components/Charts";
import { DropZone } from "@/components/DropZone";
import { ModelView } from "@/components/ModelView";
import { NotTrained } from "@/components/NotTrained";
import { PageTitle } from "@/components/PageTitle";
import { Badge, Card, Empty, ErrorBox, Loading } from "@/components/States";
import { api, isBatchError, type BatchError, type BatchItem, type ExplainResult, type PredictionResult } from "@/lib/api";
import { useClassifier } from "@/lib/classifier";
import { usePredictions } from "@/lib/hooks";
import { percent, probabilityRows } from "@/lib/shape";

import { classifyOne } from "./classifyOne";

type Classified = PredictionResult | ExplainResult | Exclude<BatchItem, BatchError>;

interface Outcome {
  file: File;
  result?: Classified;
  error?: string;
}

export default function PredictPage() {
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [busy, setBusy] = useState(false);
  const { name, info } = useClassifier();
  const recent = usePredictions(name, 20);
  // Images dropped before the classifier is known (the list not answered yet) wait for it.
  const [waiting, setWaiting] = useState<File[] | null>(null);

  useEffect(() => {
    if (!name || !waiting) return;
    setWaiting(null);
    void classifyWith(name, waiting);
    // classifyWith is this render's; only the classifier becoming known starts it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name, waiting]);

  function classify(files: File[]) {
    if (name) void classifyWith(name, files);
    else {
      setWaiting(files);
      setOutcomes(files.map((file) => ({ file })));
    }
  }

  async function classifyWith(name: string, files: File[]) {
    setBusy(true);
    setOutcomes(files.map((file) => ({ file })));
    try {
      if (files.length === 1 && files[0]) {
        const file = files[0];
        const result: Classified = await classifyOne(name, file);
        setOutcomes([{ file, result }]);
      } else {
        const { results } = await api.predictBatch(name, files);
        setOutcomes(files.map((file, i) => toOutcome(file, results[i])));
      }
    } catch (err) {
      setOutcomes(files.map((file) => ({ file, error: err instanceof Error ? err.message : String(err) })));
    } finally {
      setBusy(false);
      void recent.mutate();
    }
  }

  return (
    <>
      <PageTitle title="Predict" />
      {info && info.production_version === null ? <NotTrained classifier={info} /> : (
        <DropZone onFiles={classify} accept="image/*" label="Drop one or more images to classify" />
      )}
      {(busy || waiting) && <Loading what="Classifying" />}
      <div className="results">
        {outcomes.map((outcome, i) => <ResultCard key={`${outcome.file.name}-${i}`} outcome={outcome} />)}
      </div>
      <Card title="Recent predictions" wide>
        {recent.error && <ErrorBox error={recent.error} />}
        {recent.data && recent.data.items.length === 0 && <Empty>No predictions yet.</Empty>}
        {recent.data && recent.data.items.length > 0 && (
          <div className="table-wrap" tabIndex={0} role="region" aria-label="recent predictions">
            <table className="table" data-testid="recent-table">
              <thead><tr><th>When</th><th>File</th><th>Class</th><th>Confidence</th><th>Model</th><th>ms</th></tr></thead>
              <tbody>
                {recent.data.items.map((item) => (
                  <tr key={item.id}>
                    <td>{new Date(item.created_at).toLocaleTimeString()}</td>
                    <td className="note">{item.filename ?? ""}</td>
                    <td>{item.prediction} {item.uncertain && <Badge tone="warn">uncertain</Badge>}</td>
                    <td>{percent(item.confidence)}</td>
                    <td>{item.model_version}</td>
                    <td>{item.time_ms.toFixed(1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}

function toOutcome(file: File, item: BatchItem | undefined): Outcome {
  if (!item) return { file, error: "No answer for this file." };
  if (isBatchError(item)) return { file, error: item.error.detail };
  return { file, result: item };
}

function ResultCard({ outcome }: { outcome: Outcome }) {
  const { file, result, error } = outcome;
  return (
    <Card>
      <ModelView file={file} heatmap={result && "heatmap_png" in result ? result.heatmap_png : undefined} />
      {error && <ErrorBox error={new Error(error)} />}
      {result && (
        <div className="prediction" data-testid="prediction">
          <div className="prediction-head">
            <span className="predicted-class" data-testid="predicted-class">{result.prediction}</span>
            <span className="muted">{percent(result.confidence)}</span>
            {result.uncertain && <Badge tone="warn">uncertain</Badge>}
          </div>
          <ProbabilityBars rows={probabilityRows(result.probabilities)} />
          <p className="muted">model {result.model_version} · {result.time_ms.toFixed(1)} ms · {file.name}</p>
        </div>
      )}
    </Card>
  );
}
