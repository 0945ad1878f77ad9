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

/** The JSON body a route takes. */
export type RequestOf<Path extends keyof paths, Method extends keyof paths[Path]> = paths[Path][Method] extends {
  requestBody?: { content: { "application/json": infer Body } };
}
  ? Body
  : never;

export type Health = ResponseOf<"/health", "get">;
export type Status = ResponseOf<"/api/status", "get">;
export type ClassifierList = ResponseOf<"/api/classifiers", "get">;
export type Classifier = ResponseOf<"/api/classifiers/{classifier}", "get">;
export type ClassifierStage = Classifier["stage"];
export type NewClassifier = RequestOf<"/api/classifiers", "post">;
export type ClassifierParent = NewClassifier["parent"];
export type Metrics = ResponseOf<"/api/classifiers/{classifier}/metrics", "get">;
export type PerClass = Metrics["per_class"][string];
export type DatasetStats = ResponseOf<"/api/classifiers/{classifier}/dataset-stats", "get">;
export type PredictionPage = ResponseOf<"/api/classifiers/{classifier}/predictions", "get">;
export type PredictionRecord = PredictionPage["items"][number];
export type ModelList = ResponseOf<"/api/classifiers/{classifier}/models", "get">;
export type ModelVersion = ModelList["items"][number];
export type PredictionResult = ResponseOf<"/api/classifiers/{classifier}/predict", "post">;
export type ExplainResult = ResponseOf<"/api/classifiers/{classifier}/explain", "post">;
export type BatchItem = ResponseOf<"/api/classifiers/{classifier}/predict/batch", "post">["results"][number];
export type BatchError = Extract<BatchItem, { error: unknown }>;
export type ErrorBody = BatchError["error"];
export type UploadReport = ResponseOf<"/api/classifiers/{classifier}/training-data", "post">;
export type SplitCount = UploadReport["split_counts"][string];
export type Job = ResponseOf<"/api/classifiers/{classifier}/retrain/{job_id}", "get">;
export type JobStatus = Job["status"];
export type Monitoring = ResponseOf<"/api/classifiers/{classifier}/monitoring", "get">;
export type ExportFormat = NonNullable<
  NonNullable<paths["/api/classifiers/{classifier}/models/{version}/export"]["get"]["parameters"]["query"]>["format"]
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

export function client(): Client<paths> {
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
export async function unwrap<T>(pending: Promise<Answer<T>>): Promise<T> {
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

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Every per-model call takes the classifier it is about: the API's routes under
 *  /api/classifiers/{classifier}/..., so any classifier (the default one included) is
 *  reached the same way. */
export const api = {
  health: () => unwrap(client().GET("/health")),
  status: () => unwrap(client().GET("/api/status")),
  classifiers: () => unwrap(client().GET("/api/classifiers")),
  classifier: (classifier: string) =>
    unwrap(client().GET("/api/classifiers/{classifier}", { params: { path: { classifier } } })),
  createClassifier: (token: string, body: NewClassifier) =>
    unwrap(client().POST("/api/classifiers", { body, headers: bearer(token) })),
  metrics: (classifier: string) =>
    unwrap(client().GET("/api/classifiers/{classifier}/metrics", { params: { path: { classifier } } })),
  datasetStats: (classifier: string) =>
    unwrap(client().GET("/api/classifiers/{classifier}/dataset-stats", { params: { path: { classifier } } })),
  predictions: (classifier: string, limit = 20) =>
    unwrap(
      client().GET("/api/classifiers/{classifier}/predictions", { params: { path: { classifier }, query: { limit } } }),
    ),
  models: (classifier: string) =>
    unwrap(client().GET("/api/classifiers/{classifier}/models", { params: { path: { classifier } } })),
  monitoring: (classifier: string, windowSeconds: number) =>
    unwrap(
      client().GET("/api/classifiers/{classifier}/monitoring", {
        params: { path: { classifier }, query: { window: windowSeconds } },
      }),
    ),
  predict: (classifier: string, file: File) =>
    unwrap(
      client().POST("/api/classifiers/{classifier}/predict", {
        params: { path: { classifier } },
        body: { file },
        bodySerializer: multipart,
      }),
    ),
  predictBatch: (classifier: string, files: File[]) =>
    unwrap(
      client().POST("/api/classifiers/{classifier}/predict/batch", {
        params: { path: { classifier } },
        body: { files },
        bodySerializer: multipart,
      }),
    ),
  explain: (classifier: string, file: File) =>
    unwrap(
      client().POST("/api/classifiers/{classifier}/explain", {
        params: { path: { classifier } },
        body: { file },
        bodySerializer: multipart,
      }),
    ),
  /** Images of one class (className, new or known), or zips of class folders (className null). */
  upload: (token: string, classifier: string, files: File[], className: string | null) =>
    unwrap(
      client().POST("/api/classifiers/{classifier}/training-data", {
        params: { path: { classifier }, query: className ? { class_name: className } : {} },
        body: { files },
        bodySerializer: multipart,
        headers: bearer(token),
      }),
    ),
  retrain: (token: string, classifier: string, epochs: number | null = null) =>
    unwrap(
      client().POST("/api/classifiers/{classifier}/retrain", {
        params: { path: { classifier } },
        body: epochs == null ? {} : { epochs },
        headers: bearer(token),
      }),
    ),
  job: (classifier: string, jobId: string) =>
    unwrap(
      client().GET("/api/classifiers/{classifier}/retrain/{job_id}", {
        params: { path: { classifier, job_id: jobId } },
      }),
    ),
  latestJob: (classifier: string) =>
    unwrap(client().GET("/api/classifiers/{classifier}/retrain-status", { params: { path: { classifier } } })),
  cancelJob: (token: string, classifier: string, jobId: string) =>
    unwrap(
      client().DELETE("/api/classifiers/{classifier}/retrain/{job_id}", {
        params: { path: { classifier, job_id: jobId } },
        headers: bearer(token),
      }),
    ),
  promote: (token: string, classifier: string, version: string) =>
    unwrap(
      client().POST("/api/classifiers/{classifier}/models/{version}/promote", {
        params: { path: { classifier, version } },
        headers: bearer(token),
      }),
    ),
  /** A version as SavedModel, ONNX or OpenVINO IR, zipped with its card (admin). */
  exportModel: (token: string, classifier: string, version: string, format: ExportFormat) =>
    unwrap(
      client().GET("/api/classifiers/{classifier}/models/{version}/export", {
        params: { path: { classifier, version }, query: { format } },
        headers: bearer(token),
        parseAs: "blob",
      }),
    ),
};

export function isBatchError(item: BatchItem): item is BatchError {
  return "error" in item;
}
