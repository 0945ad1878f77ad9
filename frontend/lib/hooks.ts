"use client";

import useSWR, { type SWRConfiguration } from "swr";

import { api, type ApiError } from "./api";

const poll = (ms: number): SWRConfiguration => ({ refreshInterval: ms, shouldRetryOnError: true });

// Every per-classifier key starts with what it is and the classifier, so switching classifier
// is a different cache entry (a refetch), and nothing is asked before the classifier is known.
const scoped = <T extends unknown[]>(what: string, classifier: string | null, ...rest: T) =>
  classifier ? ([what, classifier, ...rest] as const) : null;

export const useHealth = () => useSWR("health", api.health, poll(5000));
export const useStatus = () => useSWR("status", api.status, poll(5000));
export const useClassifierInfo = (classifier: string | null) =>
  useSWR(scoped("classifier", classifier), ([, name]) => api.classifier(name), poll(3000));
export const useMetrics = (classifier: string | null) =>
  useSWR(scoped("metrics", classifier), ([, name]) => api.metrics(name), poll(15000));
export const useDatasetStats = (classifier: string | null) =>
  useSWR(scoped("dataset-stats", classifier), ([, name]) => api.datasetStats(name), poll(15000));
export const usePredictions = (classifier: string | null, limit = 20) =>
  useSWR(scoped("predictions", classifier, limit), ([, name, n]) => api.predictions(name, n), poll(5000));
export const useModels = (classifier: string | null) =>
  useSWR(scoped("models", classifier), ([, name]) => api.models(name), poll(5000));
/** The window's figures and its bucketed series (one cache entry per window). */
export const useMonitoring = (classifier: string | null, windowSeconds: number) =>
  useSWR(scoped("monitoring", classifier, windowSeconds), ([, name, seconds]) => api.monitoring(name, seconds), poll(4000));

export type { ApiError };
