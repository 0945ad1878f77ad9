"use client";

import { useState } from "react";

import { CountBars, SeriesLines } from "@/components/Charts";
import { LiveAccuracy } from "@/components/review/LiveAccuracy";
import { PageTitle } from "@/components/PageTitle";
import { Badge, Card, Empty, ErrorBox, Loading, Stat } from "@/components/States";
import { useClassifier } from "@/lib/classifier";
import { useMonitoring } from "@/lib/hooks";
import { bucketLabel, bucketWidth, monitoringRows, percent } from "@/lib/shape";

const WINDOWS = [["5 min", 300], ["1 hour", 3600], ["24 hours", 86400]] as const;
const ms = (v: number | null | undefined) => (v == null ? "–" : `${v.toFixed(1)} ms`);

export default function MonitoringPage() {
  const [windowSeconds, setWindowSeconds] = useState<number>(3600);
  // The server answers the whole window's bucketed series on every poll, so the charts are
  // full on arrival and move forward as the polls go on.
  const { name } = useClassifier();
  const { data, error, isLoading } = useMonitoring(name, windowSeconds);

  const classes = data ? Object.entries(data.class_distribution).map(([name, value]) => ({ class: name, value })) : [];
  const rows = data ? monitoringRows(data.series) : [];
  const points = rows.map((row) => ({ ...row, time: bucketLabel(row.t, windowSeconds) }));
  const bucket = rows.length ? bucketWidth(data?.bucket_seconds ?? windowSeconds / rows.length) : "";
  const answered = rows.some((row) => row.requests > 0);
  const confident = rows.some((row) => row.confidence != null);
  const drift = data?.drift;
  return (
    <>
      <PageTitle title="Monitoring" />
      <div className="form-row" role="group" aria-label="Window">
        <span className="muted">Window</span>
        {WINDOWS.map(([label, seconds]) => (
          <button key={seconds} className={seconds === windowSeconds ? "" : "secondary"} aria-pressed={seconds === windowSeconds}
            onClick={() => setWindowSeconds(seconds)}>{label}</button>
        ))}
      </div>
      {error && <ErrorBox error={error} />}
      {isLoading && <Loading />}
      {data && (
        <>
          <div className="stats-row">
            <Stat label="Requests" value={data.requests} />
            <Stat label="Requests/s" value={data.rps.toFixed(2)} />
            <Stat label="Errors" value={<span className={data.errors ? "text-bad" : undefined}>{data.errors}</span>} />
            <Stat label="Latency p50 / p95 / p99" value={`${ms(data.latency_ms.p50)} / ${ms(data.latency_ms.p95)} / ${ms(data.latency_ms.p99)}`} />
            <Stat label="Mean confidence" value={percent(data.confidence.mean)} />
          </div>
          {drift && (
            <div className={drift.detected ? "banner warn" : "banner good"} data-testid="drift">
              {drift.detected ? <Badge tone="warn">drift detected</Badge> : <Badge tone="good">no drift</Badge>}{" "}
              class PSI {drift.class_psi?.toFixed(3) ?? "–"} · confidence PSI {drift.confidence_psi?.toFixed(3) ?? "–"}
              {drift.threshold != null && ` · threshold ${drift.threshold}`}
              {drift.window_n != null && ` · over ${drift.window_n} predictions`}
            </div>
          )}
          <LiveAccuracy classifier={name} />
          <div className="grid">
            <Card title={`Requests and errors (per ${bucket} bucket)`}>
              {rows.length ? (
                <SeriesLines data={points} x="time" testId="requests-chart"
                  lines={[{ key: "requests" }, { key: "errors" }]} />
              ) : <Empty>No requests in this window.</Empty>}
            </Card>
            <Card title="Prediction latency, ms (p50 / p95)">
              {answered && rows.some((row) => row.p50 != null) ? (
                <SeriesLines data={points} x="time" testId="latency-chart" yFormat={(v) => v.toFixed(0)}
                  lines={[{ key: "p50" }, { key: "p95" }]} />
              ) : <Empty>No predictions in this window.</Empty>}
            </Card>
            <Card title="Mean confidence">
              {confident ? (
                <SeriesLines data={points} x="time" testId="confidence-chart" yFormat={(v) => `${Math.round(v * 100)}%`}
                  yDomain={[0, 1]}
                  lines={[{ key: "confidence" }]} />
              ) : <Empty>No predictions in this window.</Empty>}
            </Card>
            <Card title="Predicted classes">
              {classes.length ? <CountBars rows={classes} label="predictions" testId="predicted-classes" />
                : <Empty>No predictions in this window.</Empty>}
            </Card>
            <Card title="System">
              <div className="stats-row">
                <Stat label="CPU" value={`${data.system.cpu_percent.toFixed(0)}%`} />
                <Stat label="Memory" value={`${data.system.memory_percent.toFixed(0)}%`} />
                <Stat label="Disk" value={`${data.system.disk_percent.toFixed(0)}%`} />
              </div>
            </Card>
          </div>
        </>
      )}
    </>
  );
}
