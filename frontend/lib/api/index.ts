// The Sightline API's client. Every shape comes from ./schema.d.ts, which `npm run gen:api`
// generates from the API's OpenAPI document (docs/openapi.json): nothing here is written by hand.
import createClient, { type Client } from "openapi-fetch";

import type { paths } from "./schema";

/** The JSON body of a route's 200 answer, as the OpenAPI document declares it. Types are
 *  reached through the routes rather than by schema name, so renaming a schema class in
 *  the API changes nothing here. */
export type ResponseOf<Path extends keyof paths, Method extends keyof paths[Path]> = paths[Path][Method] extends {
  responses: { 200: { content: { "application/json": infer Body } } };
}
  ? Body
  : never;

export type Health = ResponseOf<"/health", "get">;
export type Status = ResponseOf<"/api/status", "get">;
export type Metrics = ResponseOf<"/api/metrics", "get">;
export type PerClass = Metrics["per_class"][string];
export type DatasetStats = ResponseOf<"/api/dataset-stats", "get">;
export type PredictionPage = ResponseOf<"/api/predictions", "get">;
export type PredictionRecord = PredictionPage["items"][number];
export type ModelList = ResponseOf<"/api/models", "get">;
export type ModelVersion = ModelList["items"][number];
export type PredictionResult = ResponseOf<"/api/predict", "post">;
export type ExplainResult = ResponseOf<"/api/explain", "post">;
export type BatchItem = ResponseOf<"/api/predict/batch", "post">["results"][number];
export type BatchError = Extract<BatchItem, { error: unknown }>;
export type ErrorBody = BatchError["error"];
export type UploadReport = ResponseOf<"/api/upload-training-data", "post">;
export type Job = ResponseOf<"/api/retrain/{job_id}", "get">;
export type JobStatus = Job["status"];
export type Monitoring = ResponseOf<"/api/monitoring", "get">;
export type ExportFormat = NonNullable<
  NonNullable<paths["/api/models/{version}/export"]["get"]["parameters"]["query"]>["format"]
>;

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

declare global {
  interface Window {
    __SIGHTLINE__?: { apiUrl?: string };
  }
}

export const DEFAULT_API_URL = "http://localhost:8000";

/** Where the API is: decided when the dashboard is started (runtime-config.js), not when it is built. */
export function apiUrl(): string {
  const configured = typeof window !== "undefined" ? window.__SIGHTLINE__?.apiUrl : undefined;
  return (configured || process.env.NEXT_PUBLIC_API_URL || DEFAULT_API_URL).replace(/\/$/, "");
}

let cached: { baseUrl: string; client: Client<paths> } | null = null;

function client(): Client<paths> {
  const baseUrl = apiUrl();
  if (cached?.baseUrl !== baseUrl) {
    // fetch looked up on each call (not captured once), so a replaced global fetch is honoured.
    cached = { baseUrl, client: createClient<paths>({ baseUrl, fetch: (request) => globalThis.fetch(request) }) };
  }
  return cached.client;
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's body, or an ApiError carrying the API's `detail` and `code`. */
async function unwrap<T>(pending: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await pending;
  } catch {
    throw new ApiError(0, "unreachable", `The API is unreachable at ${apiUrl()}.`);
  }
  const { data, error, response } = answer;
  if (!response.ok || error !== undefined) {
    const body = (typeof error === "object" && error !== null ? error : {}) as Partial<Record<keyof ErrorBody, unknown>>;
    throw new ApiError(
      response.status,
      typeof body.code === "string" ? body.code : "error",
      typeof body.detail === "string" ? body.detail : `HTTP ${response.status}`,
    );
  }
  return data as T;
}

/** multipart/form-data from a typed body: a Blob field is one part, a Blob[] field one part per file. */
export function multipart(body: Record<string, Blob | Blob[]>): FormData {
  const form = new FormData();
  for (const [field, value] of Object.entries(body)) {
    for (const blob of Array.isArray(value) ? value : [value]) {
      form.append(field, blob, blob instanceof File ? blob.name : field);
    }
  }
  return form;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export const api = {
  health: () => unwrap(client().GET("/health")),
  status: () => unwrap(client().GET("/api/status")),
  metrics: () => unwrap(client().GET("/api/metrics")),
  datasetStats: () => unwrap(client().GET("/api/dataset-stats")),
  predictions: (limit = 20) => unwrap(client().GET("/api/predictions", { params: { query: { limit } } })),
  models: () => unwrap(client().GET("/api/models")),
  monitoring: (windowSeconds: number) =>
    unwrap(client().GET("/api/monitoring", { params: { query: { window: windowSeconds } } })),
  predict: (file: File) =>
    unwrap(client().POST("/api/predict", { body: { file }, bodySerializer: multipart })),
  predictBatch: (files: File[]) =>
    unwrap(client().POST("/api/predict/batch", { body: { files }, bodySerializer: multipart })),
  explain: (file: File) =>
    unwrap(client().POST("/api/explain", { body: { file }, bodySerializer: multipart })),
  upload: (token: string, files: File[], className: string | null) =>
    unwrap(
      client().POST("/api/upload-training-data", {
        params: { query: className ? { class_name: className } : {} },
        body: { files },
        bodySerializer: multipart,
        headers: bearer(token),
      }),
    ),
  retrain: (token: string, epochs: number) =>
    unwrap(client().POST("/api/retrain", { body: { epochs }, headers: bearer(token) })),
  job: (jobId: string) => unwrap(client().GET("/api/retrain/{job_id}", { params: { path: { job_id: jobId } } })),
  latestJob: () => unwrap(client().GET("/api/retrain-status")),
  cancelJob: (token: string, jobId: string) =>
    unwrap(client().DELETE("/api/retrain/{job_id}", { params: { path: { job_id: jobId } }, headers: bearer(token) })),
  promote: (token: string, version: string) =>
    unwrap(
      client().POST("/api/models/{version}/promote", { params: { path: { version } }, headers: bearer(token) }),
    ),
  /** A version as SavedModel, ONNX or OpenVINO IR, zipped with its card (admin). */
  exportModel: (token: string, version: string, format: ExportFormat) =>
    unwrap(
      client().GET("/api/models/{version}/export", {
        params: { path: { version }, query: { format } },
        headers: bearer(token),
        parseAs: "blob",
      }),
    ),
};

export function isBatchError(item: BatchItem): item is BatchError {
  return "error" in item;
}
