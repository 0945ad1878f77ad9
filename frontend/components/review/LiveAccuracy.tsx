"use client";
// Production accuracy from the audit sample's labels, with its 95% interval, per day and over
// the window, beside the test-split figure; and the accuracy of what the model doubted.
import { useState } from "react";
import { Area, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import useSWR from "swr";

import { Card, Empty, ErrorBox, Stat } from "@/components/States";
import { percent } from "@/lib/shape";
import { reviewApi, type Estimate, type LiveAccuracy as Figures } from "@/lib/review/api";

const WINDOWS = [7, 30, 90] as const;
const pct = (v: number) => `${Math.round(v * 100)}%`;

export function interval(estimate: Estimate): string {
  if (estimate.accuracy == null) return "no labels yet";
  const range = estimate.low != null && estimate.high != null ? ` (95%: ${percent(estimate.low)}–${percent(estimate.high)})` : "";
  return `${percent(estimate.accuracy)}${range}`;
}

/** A row per day with audit labels: the estimate and its interval as a [low, high] band. */
export function dailyRows(figures: Figures) {
  return figures.per_day
    .filter((day) => day.audit.labelled > 0 && day.audit.accuracy != null)
    .map((day) => ({
      day: day.day.slice(5),
      accuracy: day.audit.accuracy,
      band: [day.audit.low ?? day.audit.accuracy, day.audit.high ?? day.audit.accuracy] as [number | null, number | null],
      labelled: day.audit.labelled,
    }));
}

function Figures({ classifier }: { classifier: string }) {
  const [days, setDays] = useState<number>(30);
  const { data, error } = useSWR(["live-accuracy", classifier, days], () => reviewApi.liveAccuracy(classifier, days),
    { refreshInterval: 15000, shouldRetryOnError: true });
  const rows = data ? dailyRows(data) : [];
  return (
    <Card title="Live accuracy (from the review queue's labels)" wide>
      <div className="live-accuracy" data-testid="live-accuracy">
        <div className="form-row" role="group" aria-label="Live accuracy window">
          <span className="muted">Last</span>
          {WINDOWS.map((n) => (
            <button key={n} className={n === days ? "" : "secondary"} aria-pressed={n === days} onClick={() => setDays(n)}>{n} days</button>
          ))}
        </div>
        {error && <ErrorBox error={error} />}
        {data && (
          <>
            <div className="stats-row">
              <Stat label="Audit estimate" value={<span data-testid="live-audit">{interval(data.audit)}</span>}
                hint={`${data.audit.correct} of ${data.audit.labelled} random audit answers right${data.none_of_these ? `; ${data.none_of_these} were none of the classes` : ""}`} />
              <Stat label="Test split" value={percent(data.test_accuracy)}
                hint={data.production_version ? `version ${data.production_version} on its held-out images` : "no production version"} />
              <Stat label="What the model doubted" value={<span data-testid="live-uncertain">{interval(data.uncertain)}</span>}
                hint={`${data.uncertain.correct} of ${data.uncertain.labelled} uncertain answers right`} />
            </div>
            {rows.length ? (
              <div data-testid="live-accuracy-chart" className="series-lines">
                <ResponsiveContainer width="100%" height={220}>
                  <ComposedChart data={rows} margin={{ top: 8, right: 12, left: 0, bottom: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="day" tick={{ fontSize: 12, fill: "#334155" }} minTickGap={16} />
                    <YAxis width={52} domain={[0, 1]} tickFormatter={pct} tick={{ fontSize: 12, fill: "#334155" }} />
                    <Tooltip formatter={(value) => (Array.isArray(value) ? value.map((v) => pct(Number(v))).join("–") : pct(Number(value)))} />
                    <Legend />
                    <Area dataKey="band" name="95% interval" stroke="none" fill="#3b63e0" fillOpacity={0.18} isAnimationActive={false} />
                    <Line dataKey="accuracy" name="audit estimate" stroke="#3b63e0" dot={{ r: 2.5 }} isAnimationActive={false} />
                    {data.test_accuracy != null && (
                      <ReferenceLine y={data.test_accuracy} stroke="#d97706" strokeDasharray="4 4"
                        label={{ value: "test split", position: "insideBottomRight", fill: "#92400e", fontSize: 11 }} />
                    )}
                  </ComposedChart>
                </ResponsiveContainer>
              </div>
            ) : (
              <Empty>No audit labels in the last {days} days: set an audit rate in the classifier&apos;s review settings and label the audit items on the Review page.</Empty>
            )}
          </>
        )}
      </div>
    </Card>
  );
}

/** The figures of the classifier the page is about (nothing until it is known). */
export function LiveAccuracy({ classifier }: { classifier: string | null }) {
  return classifier ? <Figures key={classifier} classifier={classifier} /> : null;
}
