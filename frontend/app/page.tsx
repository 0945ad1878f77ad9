"use client";

import { ConfusionHeatmap, DistributionBars, PerClassBars, TrainingCurves } from "@/components/Charts";
import { Badge, Card, Empty, ErrorBox, Loading, Stat } from "@/components/States";
import { useDatasetStats, useHealth, useMetrics, useStatus } from "@/lib/hooks";
import { distributionRows, formatDuration, historyRows, perClassRows, percent } from "@/lib/shape";

export default function DashboardPage() {
  const health = useHealth();
  const status = useStatus();
  const metrics = useMetrics();
  const stats = useDatasetStats();
  const online = Boolean(health.data?.model_loaded) && !health.error;
  const m = metrics.data;

  return (
    <>
      <h1>Dashboard</h1>
      <div className="stats-row">
        <Stat label="API" value={<Badge tone={online ? "good" : "bad"}>{online ? "online" : "offline"}</Badge>} />
        <Stat label="Model version" value={<span data-testid="model-version">{health.data?.model_version ?? "–"}</span>} />
        <Stat label="Uptime" value={formatDuration(status.data?.uptime_seconds)} />
        <Stat label="Predictions served" value={status.data?.predictions_served ?? "–"} />
      </div>

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
            <Card title="Training curves">
              {historyRows(m.history).length ? <TrainingCurves rows={historyRows(m.history)} /> :
                <Empty>No training history recorded for this model.</Empty>}
            </Card>
            {/* A full-width row, so a 10x10 matrix shows every cell at once on a desktop. */}
            <Card title="Confusion matrix" wide>
              <ConfusionHeatmap classes={m.class_names} matrix={m.confusion_matrix} />
            </Card>
          </div>
        </>
      )}
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
    </>
  );
}
