"use client";

import { useCallback, useSyncExternalStore } from "react";

// The admin token is entered once and kept in this browser's localStorage.
const KEY = "sightline.adminToken";
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function readToken(): string {
  return typeof window === "undefined" ? "" : (window.localStorage.getItem(KEY) ?? "");
}

export function useAdminToken(): [string, (token: string) => void] {
  const token = useSyncExternalStore(subscribe, readToken, () => "");
  const setToken = useCallback((value: string) => {
    if (value) window.localStorage.setItem(KEY, value);
    else window.localStorage.removeItem(KEY);
    listeners.forEach((listener) => listener());
  }, []);
  return [token, setToken];
}
