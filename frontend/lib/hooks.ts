"use client";

import useSWR, { type SWRConfiguration } from "swr";

import { api, type ApiError } from "./api";

const poll = (ms: number): SWRConfiguration => ({ refreshInterval: ms, shouldRetryOnError: true });

export const useHealth = () => useSWR("health", api.health, poll(5000));
export const useStatus = () => useSWR("status", api.status, poll(5000));
export const useMetrics = () => useSWR("metrics", api.metrics, poll(15000));
export const useDatasetStats = () => useSWR("dataset-stats", api.datasetStats, poll(15000));
export const usePredictions = (limit = 20) =>
  useSWR(["predictions", limit], () => api.predictions(limit), poll(5000));
export const useModels = () => useSWR("models", api.models, poll(5000));
/** The window's figures and its bucketed series (one cache entry per window). */
export const useMonitoring = (windowSeconds: number) =>
  useSWR(["monitoring", windowSeconds], () => api.monitoring(windowSeconds), poll(4000));

export type { ApiError };
