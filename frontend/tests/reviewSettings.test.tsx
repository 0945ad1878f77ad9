import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ReviewSettingsForm } from "@/components/review/ReviewSettings";
import { ApiError } from "@/lib/api";
import { draftOf, validateSettings } from "@/lib/review/settings";

const POLICY = { keep_uncertain: false, audit_rate: 0.01, retention_days: 30, max_items: 10000, auto_retrain_after: null };

afterEach(() => cleanup());

describe("validateSettings", () => {
  it("turns the fields into the PATCH body (the audit rate typed as a percentage)", () => {
    const draft = { ...draftOf(POLICY), keep_uncertain: true, audit_percent: "100", auto_retrain_after: " 50 " };
    expect(draftOf(POLICY).audit_percent).toBe("1");
    expect(validateSettings(draft)).toEqual({
      patch: { keep_uncertain: true, audit_rate: 1, retention_days: 30, max_items: 10000, auto_retrain_after: 50 },
      errors: {},
    });
    expect(validateSettings({ ...draft, audit_percent: "0.5", auto_retrain_after: "" }).patch).toMatchObject({
      audit_rate: 0.005, auto_retrain_after: null,
    });
  });

  it("names each field out of the API's bounds", () => {
    const { patch, errors } = validateSettings({
      keep_uncertain: true, audit_percent: "120", retention_days: "0", max_items: "2.5", auto_retrain_after: "-3",
    });
    expect(patch).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(["audit_percent", "auto_retrain_after", "max_items", "retention_days"]);
    expect(validateSettings({ ...draftOf(POLICY), retention_days: "3651" }).errors.retention_days).toMatch("3650");
    expect(validateSettings({ ...draftOf(POLICY), audit_percent: "abc" }).errors.audit_percent).toMatch("percentage");
    expect(validateSettings({ ...draftOf(POLICY), max_items: "10000001" }).errors.max_items).toMatch("10,000,000");
  });
});

describe("ReviewSettingsForm", () => {
  it("sends nothing while a field is wrong, and says which", async () => {
    const save = vi.fn();
    render(<ReviewSettingsForm classifier="c10" policy={POLICY} token="admin" save={save} />);
    fireEvent.change(screen.getByLabelText("Keep items for, days"), { target: { value: "-1" } });
    fireEvent.click(screen.getByRole("button", { name: "Save review settings" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Fix the fields");
    expect(screen.getByLabelText("Keep items for, days")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText("Days, more than 0 and at most 3650.")).toBeInTheDocument();
    expect(save).not.toHaveBeenCalled();
  });

  it("saves with PATCH and the admin token, and shows the API's refusal", async () => {
    const save = vi.fn(async () => ({ review: { ...POLICY, keep_uncertain: true, audit_rate: 1 } }));
    const onSaved = vi.fn();
    render(<ReviewSettingsForm classifier="c10" policy={POLICY} token="admin" save={save as never} onSaved={onSaved} />);
    fireEvent.click(screen.getByLabelText(/Keep the answers the model is uncertain of/));
    fireEvent.change(screen.getByLabelText("Audit sample, % of all answers"), { target: { value: "100" } });
    fireEvent.click(screen.getByRole("button", { name: "Save review settings" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Review settings saved.");
    expect(save).toHaveBeenCalledWith("admin", "c10", {
      keep_uncertain: true, audit_rate: 1, retention_days: 30, max_items: 10000, auto_retrain_after: null,
    });
    await waitFor(() => expect(onSaved).toHaveBeenCalledOnce());

    save.mockRejectedValueOnce(new ApiError(403, "reviewer_not_allowed", "The reviewer token labels the review queue only; this endpoint needs the admin token."));
    fireEvent.click(screen.getByRole("button", { name: "Save review settings" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("this endpoint needs the admin token");
  });
});
