// The review settings form's fields as typed, checked against the API's bounds
// (backend/sightline/ml/review_policy.py) before anything is sent.
import type { ReviewPolicy, ReviewPolicyPatch } from "./api";

export interface SettingsDraft {
  keep_uncertain: boolean;
  audit_percent: string; // typed as a percentage: "1" is an audit rate of 0.01
  retention_days: string;
  max_items: string;
  auto_retrain_after: string; // empty: never
}

export type SettingsErrors = Partial<Record<keyof SettingsDraft, string>>;

export function draftOf(policy: Partial<ReviewPolicy> = {}): SettingsDraft {
  return {
    keep_uncertain: Boolean(policy.keep_uncertain),
    audit_percent: String(Number(((policy.audit_rate ?? 0) * 100).toPrecision(6))),
    retention_days: String(policy.retention_days ?? 30),
    max_items: String(policy.max_items ?? 10000),
    auto_retrain_after: policy.auto_retrain_after == null ? "" : String(policy.auto_retrain_after),
  };
}

const NUMBER = /^\s*\d+(\.\d+)?\s*$/;
const INTEGER = /^\s*\d+\s*$/;

/** The PATCH body, or what is wrong with each field in words. */
export function validateSettings(draft: SettingsDraft): { patch: ReviewPolicyPatch | null; errors: SettingsErrors } {
  const errors: SettingsErrors = {};
  const audit = Number(draft.audit_percent);
  if (!NUMBER.test(draft.audit_percent) || audit > 100) errors.audit_percent = "A percentage from 0 to 100.";
  const days = Number(draft.retention_days);
  if (!NUMBER.test(draft.retention_days) || days <= 0 || days > 3650) errors.retention_days = "Days, more than 0 and at most 3650.";
  const max = Number(draft.max_items);
  if (!INTEGER.test(draft.max_items) || max < 1 || max > 10_000_000) errors.max_items = "A whole number from 1 to 10,000,000.";
  const retrain = draft.auto_retrain_after.trim();
  if (retrain !== "" && (!INTEGER.test(retrain) || Number(retrain) < 1 || Number(retrain) > 1_000_000)) {
    errors.auto_retrain_after = "Empty (never), or a whole number from 1 to 1,000,000.";
  }
  if (Object.keys(errors).length) return { patch: null, errors };
  return {
    patch: {
      keep_uncertain: draft.keep_uncertain,
      audit_rate: Number((audit / 100).toPrecision(6)),
      retention_days: days,
      max_items: max,
      auto_retrain_after: retrain === "" ? null : Number(retrain),
    },
    errors,
  };
}
