"use client";

import { useState } from "react";

import { ReviewSettings } from "@/components/review/ReviewSettings";
import { NotTrained } from "@/components/NotTrained";
import { PageTitle } from "@/components/PageTitle";
import { TokenField } from "@/components/TokenField";
import { Badge, Card, Empty, ErrorBox, Loading } from "@/components/States";
import { api, type ExportFormat, type ModelVersion } from "@/lib/api";
import { useClassifier } from "@/lib/classifier";
import { useModels } from "@/lib/hooks";
import { percent } from "@/lib/shape";
import { useAdminToken } from "@/lib/token";

const EXPORT_FORMATS: { format: ExportFormat; label: string }[] = [
  { format: "savedmodel", label: "TensorFlow SavedModel" },
  { format: "openvino", label: "OpenVINO IR" },
  { format: "onnx", label: "ONNX" },
];

/** Hands a downloaded file to the browser as a file to save. */
function saveFile(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

const TONE: Record<string, "good" | "info" | "bad" | "warn"> = { production: "good", candidate: "info", rejected: "bad", archived: "warn" };

export default function ModelsPage() {
  const { name, info } = useClassifier();
  const { data, error, isLoading, mutate } = useModels(name);
  const [token] = useAdminToken();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function promote(model: ModelVersion) {
    if (!name) return;
    if (!window.confirm(`Make ${model.version} the production model? Every replica switches within seconds.`)) return;
    setBusy(model.version);
    setMessage(null);
    try {
      await api.promote(token, name, model.version);
      setMessage(`${model.version} is now production.`);
      await mutate();
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  }

  async function exportModel(model: ModelVersion, format: ExportFormat) {
    if (!name) return;
    setBusy(model.version);
    setMessage(`Exporting ${model.version} (${format})…`);
    try {
      const blob = await api.exportModel(token, name, model.version, format);
      saveFile(blob as Blob, `sightline-${name}-${model.version}-${format}.zip`);
      setMessage(`${model.version} exported as ${format}.`);
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <PageTitle title="Models" />
      <TokenField />
      {message && <div className="state info" role="status">{message}</div>}
      {error && <ErrorBox error={error} />}
      {isLoading && <Loading />}
      {data && data.items.length === 0 && (info ? <NotTrained classifier={info} /> : <Empty>No model versions yet.</Empty>)}
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
                      <select aria-label={`Export ${model.version}`} value="" disabled={!token || busy !== null}
                        title={token ? "Download this version for other tools" : "Enter the admin token first"}
                        onChange={(event) => exportModel(model, event.target.value as ExportFormat)}>
                        <option value="">Export…</option>
                        {EXPORT_FORMATS.map(({ format, label }) => (
                          <option key={format} value={format}>{label}</option>
                        ))}
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
      <ReviewSettings classifier={name} />
    </>
  );
}
