"use client";

import { ConfusionHeatmap, DistributionBars, PerClassBars, TrainingCurves } from "@/components/Charts";
import { NotTrained } from "@/components/NotTrained";
import { PageTitle } from "@/components/PageTitle";
import { PerClassTable } from "@/components/PerClassTable";
import { Badge, Card, Empty, ErrorBox, Loading, Stat } from "@/components/States";
import { useClassifier } from "@/lib/classifier";
import { useDatasetStats, useHealth, useMetrics, useStatus } from "@/lib/hooks";
import { distributionRows, formatDuration, historyRows, perClassRows, percent } from "@/lib/shape";

export default function DashboardPage() {
  const { name, info } = useClassifier();
  const notTrained = info !== undefined && info.production_version === null;
  // Asked only once the classifier is known to have a model: an untrained one has no metrics.
  const live = info && !notTrained ? name : null;
  const health = useHealth();
  const status = useStatus();
  const metrics = useMetrics(live);
  const stats = useDatasetStats(live);
  const online = Boolean(health.data) && !health.error;
  const m = metrics.data;

  return (
    <>
      <PageTitle title="Dashboard" />
      <div className="stats-row">
        <Stat label="API" value={<Badge tone={online ? "good" : "bad"}>{online ? "online" : "offline"}</Badge>}
          hint={status.data ? `up ${formatDuration(status.data.uptime_seconds)}` : undefined} />
        <Stat label="Model version"
          value={<span data-testid="model-version">{m?.model_version ?? info?.production_version ?? "–"}</span>} />
        <Stat label="Predictions today" value={info ? info.predictions_today.toLocaleString() : "–"} hint="since 00:00 UTC" />
        <Stat label="Training images" value={info ? info.training_images.toLocaleString() : "–"} hint="uploaded for it" />
      </div>

      {info && notTrained && <NotTrained classifier={info} />}
      {metrics.error && <ErrorBox error={metrics.error} />}
      {!m && metrics.isLoading && <Loading what="Loading model metrics" />}
      {m && (
        <>
          <div className="stats-row">
            <Stat label="Accuracy" value={<span data-testid="accuracy">{percent(m.accuracy, 2)}</span>}
              hint={`${m.evaluated_on.dataset}, n=${m.evaluated_on.n}`} />
            <Stat label="Precision (macro)" value={percent(m.precision)} />
            <Stat label="Recall (macro)" value={percent(m.recall)} />
            <Stat label="F1 (macro)" value={percent(m.f1)} />
            {m.roc_auc != null && <Stat label="ROC-AUC" value={m.roc_auc.toFixed(3)} />}
          </div>
          <div className="grid two">
            <Card title="Per-class accuracy"><PerClassBars rows={perClassRows(m)} /></Card>
            <Card title="Precision and recall per class"><PerClassTable metrics={m} /></Card>
            {/* A full-width row, so a 10x10 matrix shows every cell at once on a desktop. */}
            <Card title="Confusion matrix" wide>
              <ConfusionHeatmap classes={m.class_names} matrix={m.confusion_matrix} />
            </Card>
            <Card title="Training curves" wide>
              {historyRows(m.history).length ? <TrainingCurves rows={historyRows(m.history)} /> :
                <Empty>No training history recorded for this model.</Empty>}
            </Card>
          </div>
        </>
      )}
      {!notTrained && (
        <Card title="Dataset: images per class" wide>
          {stats.error && <ErrorBox error={stats.error} />}
          {!stats.data && !stats.error && <Loading />}
          {stats.data && (
            <>
              <p className="muted">{stats.data.dataset} · {stats.data.total.toLocaleString()} images in all</p>
              <DistributionBars rows={distributionRows(stats.data)} />
            </>
          )}
        </Card>
      )}
    </>
  );
}
