"use client";

import { useState } from "react";

import { TokenField } from "@/components/TokenField";
import { Badge, Card, Empty, ErrorBox, Loading } from "@/components/States";
import { api, type ModelVersion } from "@/lib/api";
import { useModels } from "@/lib/hooks";
import { percent } from "@/lib/shape";
import { useAdminToken } from "@/lib/token";

const TONE: Record<string, "good" | "info" | "bad" | "warn"> = { production: "good", candidate: "info", rejected: "bad", archived: "warn" };

export default function ModelsPage() {
  const { data, error, isLoading, mutate } = useModels();
  const [token] = useAdminToken();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function promote(model: ModelVersion) {
    if (!window.confirm(`Make ${model.version} the production model? Every replica switches within seconds.`)) return;
    setBusy(model.version);
    setMessage(null);
    try {
      await api.promote(token, model.version);
      setMessage(`${model.version} is now production.`);
      await mutate();
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <h1>Models</h1>
      <TokenField />
      {message && <div className="state info" role="status">{message}</div>}
      {error && <ErrorBox error={error} />}
      {isLoading && <Loading />}
      {data && data.items.length === 0 && <Empty>No model versions yet.</Empty>}
      {data && data.items.length > 0 && (
        <Card wide>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="model versions">
            <table className="table" data-testid="models-table">
              <thead>
                <tr><th>Version</th><th>Status</th><th>Created</th><th>Parent</th><th>Accuracy</th><th>F1</th><th>Note</th><th /></tr>
              </thead>
              <tbody>
                {data.items.map((model) => (
                  <tr key={model.version} className={model.status === "production" ? "highlight" : undefined}>
                    <td><strong>{model.version}</strong></td>
                    <td><Badge tone={TONE[model.status] ?? "info"}>{model.status}</Badge></td>
                    <td>{new Date(model.created_at).toLocaleString()}</td>
                    <td>{model.parent ?? "–"}</td>
                    <td>{percent(model.metrics?.accuracy, 2)}</td>
                    <td>{percent(model.metrics?.f1, 2)}</td>
                    <td className="note">{model.note ?? ""}</td>
                    <td>
                      {model.status !== "production" && (
                        <button disabled={!token || busy !== null} onClick={() => promote(model)}
                          title={token ? "Make this version production" : "Enter the admin token first"}>
                          {busy === model.version ? "Promoting…" : "Promote"}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
    </>
  );
}
