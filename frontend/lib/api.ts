// A typed client for the Sightline API (shared/api-contract.md).

export interface ApiErrorBody {
  detail: string;
  code: string;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface Health {
  status: string;
  model_loaded: boolean;
  model_version: string | null;
}

export interface Status {
  status: string;
  uptime_seconds: number;
  started_at: string;
  model_version: string | null;
  predictions_served: number;
}

export interface TopK {
  class: string;
  p: number;
}

export interface PredictionResult {
  id: string;
  prediction: string;
  confidence: number;
  probabilities: Record<string, number>;
  top_k: TopK[];
  uncertain: boolean;
  model_version: string;
  time_ms: number;
  filename?: string | null;
  heatmap_png?: string;
}

export interface BatchError {
  filename: string | null;
  error: ApiErrorBody;
}

export type BatchItem = (PredictionResult & { filename: string | null }) | BatchError;

export interface PredictionRecord {
  id: string;
  created_at: string;
  prediction: string;
  confidence: number;
  uncertain: boolean;
  model_version: string;
  time_ms: number;
  filename?: string | null;
}

export interface PerClass {
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  support: number;
}

export interface History {
  loss: number[];
  accuracy: number[];
  val_loss: (number | null)[];
  val_accuracy: (number | null)[];
}

export interface Metrics {
  model_version: string;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  roc_auc: number | null;
  per_class: Record<string, PerClass>;
  class_names: string[];
  confusion_matrix: number[][];
  history: History;
  evaluated_on: { dataset: string; n: number };
  uncertainty?: { threshold: number; flagged_share: number } | null;
}

export interface DatasetStats {
  dataset: string;
  classes: string[];
  train: Record<string, number>;
  test: Record<string, number>;
  uploads: Record<string, number>;
  total: number;
}

export interface ModelVersion {
  version: string;
  created_at: string;
  status: "production" | "candidate" | "rejected" | "archived";
  metrics: Partial<Metrics>;
  parent: string | null;
  trained_on: Record<string, unknown>;
  note?: string | null;
}

export interface UploadReport {
  uploaded: number;
  duplicates: number;
  rejected: { filename: string; reason: string }[];
  class_counts: Record<string, number>;
}

export interface JobMetrics {
  accuracy?: number;
  f1?: number;
  precision?: number;
  recall?: number;
  uploads_accuracy?: number;
  uploads_n?: number;
}

export interface Job {
  job_id: string;
  status: "queued" | "running" | "completed" | "rejected" | "failed" | "cancelled";
  progress: number;
  epoch: number;
  epochs: number;
  step?: number;
  total_steps?: number;
  loss?: number | null;
  accuracy?: number | null;
  eta_seconds?: number | null;
  message: string;
  history?: Record<string, (number | null)[]>;
  metrics: { candidate?: JobMetrics; production?: JobMetrics };
  model_version: string | null;
  promoted: boolean | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface Monitoring {
  window_seconds?: number;
  requests: number;
  rps: number;
  errors: number;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
  class_distribution: Record<string, number>;
  confidence: { mean: number | null; series: { t: string; mean: number; n?: number }[] };
  drift: {
    detected?: boolean;
    class_psi?: number | null;
    confidence_psi?: number | null;
    threshold?: number;
    window_n?: number;
    [key: string]: unknown;
  };
  system: { cpu_percent: number; memory_percent: number; disk_percent: number };
  series?: { t: string; requests: number; errors?: number; p50?: number | null; p95?: number | null }[];
}

declare global {
  interface Window {
    __SIGHTLINE__?: { apiUrl?: string };
  }
}

export const DEFAULT_API_URL = "http://localhost:8000";

export function apiUrl(): string {
  const configured = typeof window !== "undefined" ? window.__SIGHTLINE__?.apiUrl : undefined;
  return (configured || process.env.NEXT_PUBLIC_API_URL || DEFAULT_API_URL).replace(/\/$/, "");
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl()}${path}`, init);
  } catch {
    throw new ApiError(0, "unreachable", `The API is unreachable at ${apiUrl()}.`);
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const err = (body ?? {}) as Partial<ApiErrorBody>;
    throw new ApiError(response.status, err.code ?? "error", err.detail ?? `HTTP ${response.status}`);
  }
  return body as T;
}

function bearer(token: string): HeadersInit {
  return { Authorization: `Bearer ${token}` };
}

function formOf(field: string, files: File[]): FormData {
  const form = new FormData();
  for (const file of files) form.append(field, file, file.name);
  return form;
}

export const api = {
  health: () => request<Health>("/health"),
  status: () => request<Status>("/api/status"),
  metrics: () => request<Metrics>("/api/metrics"),
  datasetStats: () => request<DatasetStats>("/api/dataset-stats"),
  predictions: (limit = 20) =>
    request<{ items: PredictionRecord[]; total: number }>(`/api/predictions?limit=${limit}`),
  models: () => request<{ items: ModelVersion[]; production: string | null }>("/api/models"),
  monitoring: (windowSeconds: number) => request<Monitoring>(`/api/monitoring?window=${windowSeconds}`),
  predict: (file: File) =>
    request<PredictionResult>("/api/predict", { method: "POST", body: formOf("file", [file]) }),
  predictBatch: (files: File[]) =>
    request<{ results: BatchItem[] }>("/api/predict/batch", { method: "POST", body: formOf("files", files) }),
  explain: (file: File) =>
    request<PredictionResult>("/api/explain", { method: "POST", body: formOf("file", [file]) }),
  upload: (token: string, files: File[], className: string | null) =>
    request<UploadReport>(
      `/api/upload-training-data${className ? `?class_name=${encodeURIComponent(className)}` : ""}`,
      { method: "POST", body: formOf("files", files), headers: bearer(token) },
    ),
  retrain: (token: string, epochs: number) =>
    request<{ job_id: string; status: string }>("/api/retrain", {
      method: "POST",
      body: JSON.stringify({ epochs }),
      headers: { ...bearer(token), "Content-Type": "application/json" },
    }),
  job: (jobId: string) => request<Job>(`/api/retrain/${encodeURIComponent(jobId)}`),
  latestJob: () => request<Job>("/api/retrain-status"),
  cancelJob: (token: string, jobId: string) =>
    request<Job>(`/api/retrain/${encodeURIComponent(jobId)}`, { method: "DELETE", headers: bearer(token) }),
  promote: (token: string, version: string) =>
    request<ModelVersion>(`/api/models/${encodeURIComponent(version)}/promote`, {
      method: "POST",
      headers: bearer(token),
    }),
};

export function isBatchError(item: BatchItem): item is BatchError {
  return "error" in item;
}
