"use client";

import useSWR, { type SWRConfiguration } from "swr";

import { api, type ApiError, type Monitoring } from "./api";

const poll = (ms: number): SWRConfiguration => ({ refreshInterval: ms, shouldRetryOnError: true });

export const useHealth = () => useSWR("health", api.health, poll(5000));
export const useStatus = () => useSWR("status", api.status, poll(5000));
export const useMetrics = () => useSWR("metrics", api.metrics, poll(15000));
export const useDatasetStats = () => useSWR("dataset-stats", api.datasetStats, poll(15000));
export const usePredictions = (limit = 20) =>
  useSWR(["predictions", limit], () => api.predictions(limit), poll(5000));
export const useModels = () => useSWR("models", api.models, poll(5000));
export const useMonitoring = (windowSeconds: number, onSample?: (sample: Monitoring) => void) =>
  useSWR(["monitoring", windowSeconds], () => api.monitoring(windowSeconds), { ...poll(4000), onSuccess: onSample });

export type { ApiError };
