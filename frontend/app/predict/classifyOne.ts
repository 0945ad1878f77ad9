import { api, ApiError, type ExplainResult, type PredictionResult } from "@/lib/api";

/** Whether an explain failure is the explain call's own problem (the API unreachable, the
 *  route missing, the server failing), so a plain prediction may still answer. A 4xx about
 *  the file (400, 413, 415, 422) is not: predict would refuse it too, after a second upload. */
export function explainUnavailable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.status === 0 || err.status === 404 || err.status === 405 || err.status >= 500;
}

/** Grad-CAM when the API offers it; a plain prediction otherwise. */
export async function classifyOne(classifier: string, file: File): Promise<PredictionResult | ExplainResult> {
  try {
    return await api.explain(classifier, file);
  } catch (err) {
    if (!explainUnavailable(err)) throw err;
    return api.predict(classifier, file);
  }
}
