"use client";
// A classifier's review policy: what answers are kept for a person to label, for how long,
// and when enough new labels start a retrain. Saved with PATCH /api/classifiers/{name} (admin).
import { useState } from "react";
import useSWR from "swr";

import { Card, ErrorBox, Loading } from "@/components/States";
import { api } from "@/lib/api";
import { reviewApi, type ReviewPolicy } from "@/lib/review/api";
import { draftOf, validateSettings, type SettingsDraft, type SettingsErrors } from "@/lib/review/settings";
import { useAdminToken } from "@/lib/token";

type TextField = Exclude<keyof SettingsDraft, "keep_uncertain">;

const FIELDS: { key: TextField; label: string; hint: string; inputMode: "decimal" | "numeric" }[] = [
  { key: "audit_percent", label: "Audit sample, % of all answers", hint: "their labels give the live accuracy (1 = 1%)", inputMode: "decimal" },
  { key: "retention_days", label: "Keep items for, days", hint: "older ones are deleted", inputMode: "decimal" },
  { key: "max_items", label: "Keep at most, items", hint: "the oldest go first", inputMode: "numeric" },
  { key: "auto_retrain_after", label: "Retrain after new labels", hint: "empty: never on its own", inputMode: "numeric" },
];

export function ReviewSettingsForm({ classifier, policy, token, onSaved, save = reviewApi.changePolicy }: {
  classifier: string;
  policy: ReviewPolicy | undefined;
  token: string;
  onSaved?: (policy: ReviewPolicy | undefined) => void;
  save?: typeof reviewApi.changePolicy;
}) {
  const [draft, setDraft] = useState<SettingsDraft>(() => draftOf(policy));
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [message, setMessage] = useState<{ tone: "error" | "info"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const { patch, errors: found } = validateSettings(draft);
    setErrors(found);
    if (!patch) {
      setMessage({ tone: "error", text: "Fix the fields marked below." });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const saved = await save(token, classifier, patch);
      setMessage({ tone: "info", text: "Review settings saved." });
      onSaved?.(saved.review);
    } catch (error) {
      setMessage({ tone: "error", text: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label={`Review settings of ${classifier}`} noValidate data-testid="review-settings-form">
      <label className="check">
        <input type="checkbox" checked={draft.keep_uncertain}
          onChange={(e) => setDraft({ ...draft, keep_uncertain: e.target.checked })} />
        Keep the answers the model is uncertain of, for review
      </label>
      <div className="settings-form">
        {FIELDS.map(({ key, label, hint, inputMode }) => (
          <div className="field" key={key}>
            <label htmlFor={`review-${key}`}>{label}</label>
            <input id={`review-${key}`} inputMode={inputMode} value={draft[key]} aria-invalid={Boolean(errors[key])}
              aria-describedby={`review-${key}-hint`} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
            <span id={`review-${key}-hint`} className={errors[key] ? "field-error" : "muted"}>{errors[key] ?? hint}</span>
          </div>
        ))}
      </div>
      <div className="form-row">
        <button type="submit" disabled={busy || !token} title={token ? undefined : "Enter the admin token first"}>
          {busy ? "Saving…" : "Save review settings"}
        </button>
        {message && <span className={message.tone === "error" ? "state error" : "state info"}
          role={message.tone === "error" ? "alert" : "status"}>{message.text}</span>}
      </div>
    </form>
  );
}

/** The form for a classifier, its policy read from the API. */
export function ReviewSettings({ classifier }: { classifier: string | null }) {
  const [token] = useAdminToken();
  const { data, error, mutate } = useSWR(classifier ? ["classifier-review", classifier] : null, () => api.classifier(classifier!));
  return (
    <section id="review-settings">
      <Card title="Review settings" wide>
        <p className="muted">Which production answers are kept for a person to label on the Review page.</p>
        {error && <ErrorBox error={error} />}
        {!data && !error && <Loading />}
        {data && classifier && (
          <ReviewSettingsForm key={`${classifier}:${JSON.stringify(data.review)}`} classifier={classifier} policy={data.review}
            token={token} onSaved={() => void mutate()} />
        )}
      </Card>
    </section>
  );
}
