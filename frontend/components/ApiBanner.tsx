"use client";

import { apiUrl } from "@/lib/api";
import { useHealth } from "@/lib/hooks";

/** A clear banner when the API cannot be reached or has no model: never a blank page. */
export function ApiBanner() {
  const { data, error, isLoading } = useHealth();
  if (isLoading) return null;
  if (error) {
    const noModel = (error as { status?: number }).status === 503;
    return (
      <div className="banner bad" role="alert" data-testid="api-banner">
        {noModel ? "The API is up but has no model loaded yet." : `API unreachable at ${apiUrl()}.`}{" "}
        Retrying every few seconds.
      </div>
    );
  }
  if (data && !data.model_loaded) {
    return <div className="banner warn" role="alert">The API has no model loaded yet.</div>;
  }
  return null;
}
