"use client";

import { useCallback, useState } from "react";

import { SeriesLines, SimpleBars } from "@/components/Charts";
import { Badge, Card, Empty, ErrorBox, Loading, Stat } from "@/components/States";
import type { Monitoring } from "@/lib/api";
import { useMonitoring } from "@/lib/hooks";
import { appendLatency, percent, type LatencyPoint } from "@/lib/shape";

const WINDOWS = [["5 min", 300], ["1 hour", 3600], ["24 hours", 86400]] as const;
const ms = (v: number | null | undefined) => (v == null ? "–" : `${v.toFixed(1)} ms`);

export default function MonitoringPage() {
  const [windowSeconds, setWindowSeconds] = useState<number>(3600);
  const [series, setSeries] = useState<LatencyPoint[]>([]);
  // The over-time chart is built from successive polls.
  const onSample = useCallback((sample: Monitoring) => setSeries((previous) => appendLatency(previous, sample, Date.now())), []);
  const { data, error, isLoading } = useMonitoring(windowSeconds, onSample);

  const classes = data ? Object.entries(data.class_distribution).map(([name, n]) => ({ class: name, n })) : [];
  const confidence = (data?.confidence.series ?? []).map((point) => ({
    ...point, time: new Date(point.t).toLocaleTimeString(),
  }));
  const drift = data?.drift;
  return (
    <>
      <h1>Monitoring</h1>
      <div className="form-row">
        <span className="muted">Window</span>
        {WINDOWS.map(([label, seconds]) => (
          <button key={seconds} className={seconds === windowSeconds ? "" : "secondary"}
            onClick={() => { setWindowSeconds(seconds); setSeries([]); }}>{label}</button>
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
          <div className="grid">
            <Card title="Latency over time (this page's polls)">
              {series.length < 2 ? <Empty>Collecting…</Empty> : (
                <SeriesLines data={series.map((p) => ({ ...p, time: new Date(p.t).toLocaleTimeString() }))} x="time"
                  lines={[{ key: "p50" }, { key: "p95" }, { key: "p99" }]} />
              )}
            </Card>
            <Card title="Requests per second">
              {series.length < 2 ? <Empty>Collecting…</Empty> : (
                <SeriesLines data={series.map((p) => ({ ...p, time: new Date(p.t).toLocaleTimeString() }))} x="time"
                  lines={[{ key: "rps" }, { key: "errors" }]} />
              )}
            </Card>
            <Card title="Predicted classes">
              {classes.length ? <SimpleBars data={classes} dataKey="n" label="class" /> : <Empty>No predictions in this window.</Empty>}
            </Card>
            <Card title="Confidence trend">
              {confidence.length ? <SeriesLines data={confidence} x="time" lines={[{ key: "mean" }]} yFormat={(v) => `${Math.round(v * 100)}%`} />
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
