"use client";

import Link from "next/link";
import { useId, useState, type FormEvent } from "react";

import { ApiError, api, type Classifier, type ClassifierParent } from "@/lib/api";
import { NAME_MAX, NAME_RULE, nameProblem, suggestName, withClassifier } from "@/lib/classifier";

const PARENTS: { value: ClassifierParent; label: string; hint: string }[] = [
  { value: "cifar10", label: "CIFAR-10", hint: "Start from the shipped CIFAR-10 model: best for everyday photos (animals, vehicles, objects)." },
  { value: "auto", label: "Best available", hint: "Let Sightline pick the best local model to start from." },
  { value: null, label: "From scratch", hint: "No starting model: needs many more images and trains longer." },
];

/** Where a refusal belongs: beside the name (taken, invalid) or above the form (anything else). */
interface Refusal {
  field: "name" | "form";
  message: string;
  taken?: string;
}

export function refusalOf(err: unknown, name: string): Refusal {
  if (err instanceof ApiError) {
    if (err.code === "classifier_exists" || err.status === 409) {
      return { field: "name", message: `“${name}” is taken. Choose another name, or open the existing one.`, taken: name };
    }
    if (err.code === "invalid_name" || err.status === 422) return { field: "name", message: err.message };
    if (err.status === 401 || err.status === 403) {
      return { field: "form", message: `${err.message} Check the admin token above.` };
    }
    return { field: "form", message: err.message };
  }
  return { field: "form", message: err instanceof Error ? err.message : String(err) };
}

/** Step 1: the classifier's name (checked while typing, the API's refusal shown beside it) and where it starts from. */
export function NameStep({ token, initialName = "", onCreated }: {
  token: string;
  initialName?: string;
  onCreated: (created: Classifier) => void;
}) {
  const ids = useId();
  const [name, setName] = useState(initialName);
  const [parent, setParent] = useState<ClassifierParent>("cifar10");
  const [touched, setTouched] = useState(initialName !== "");
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);

  const problem = nameProblem(name);
  const suggestion = problem && name ? suggestName(name) : "";
  const nameError = (touched && problem) || (refusal?.field === "name" ? refusal.message : null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (problem || !token) return;
    setBusy(true);
    setRefusal(null);
    try {
      onCreated(await api.createClassifier(token, { name, parent }));
    } catch (err) {
      setRefusal(refusalOf(err, name));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card step-card" onSubmit={submit} noValidate aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>1. Name it</h2>
      <div className="field">
        <label htmlFor={`${ids}-name`}>Name</label>
        <input id={`${ids}-name`} name="name" value={name} autoComplete="off" spellCheck={false} maxLength={NAME_MAX + 20}
          placeholder="e.g. cats-and-dogs" aria-invalid={nameError ? true : undefined}
          aria-describedby={`${ids}-rule${nameError ? ` ${ids}-error` : ""}`}
          onChange={(e) => { setName(e.target.value); setRefusal(null); }} onBlur={() => setTouched(true)} />
        <p id={`${ids}-rule`} className="hint">{NAME_RULE} It is the classifier&apos;s address in the API and cannot change.</p>
        {nameError && (
          <p id={`${ids}-error`} className="field-error" role="alert" data-testid="name-error">
            {nameError}
            {suggestion && suggestion !== name && !nameProblem(suggestion) && (
              <> <button type="button" className="link" onClick={() => { setName(suggestion); setRefusal(null); }}>
                Use “{suggestion}”</button></>
            )}
            {refusal?.taken && <> <Link href={withClassifier("/", refusal.taken)}>Open {refusal.taken}</Link></>}
          </p>
        )}
      </div>
      <fieldset className="field">
        <legend>Start from</legend>
        {PARENTS.map((option) => (
          <label key={String(option.value)} className="choice">
            <input type="radio" name="parent" checked={parent === option.value} onChange={() => setParent(option.value)} />
            <span><strong>{option.label}</strong><span className="hint">{option.hint}</span></span>
          </label>
        ))}
      </fieldset>
      {refusal?.field === "form" && <div className="state error" role="alert" data-testid="create-error">{refusal.message}</div>}
      <div className="form-row">
        <button type="submit" disabled={busy || !token} data-testid="create-classifier">
          {busy ? "Creating…" : "Create classifier"}
        </button>
        {!token && <span className="muted">Enter the admin token above first.</span>}
      </div>
    </form>
  );
}
