"use client";

import { useState } from "react";

import { useAdminToken } from "@/lib/token";

/** The admin token (or, where `label` says so, the reviewer token), entered once and kept in this browser. */
export function TokenField({ label = "Admin token", hint = "printed by the API at start-up" }: { label?: string; hint?: string }) {
  const [token, setToken] = useAdminToken();
  const [draft, setDraft] = useState("");
  if (token) {
    return (
      <div className="token-row">
        <span className="muted">{label} saved in this browser.</span>
        <button className="link" onClick={() => setToken("")}>Forget it</button>
      </div>
    );
  }
  return (
    <form className="token-row" onSubmit={(e) => { e.preventDefault(); setToken(draft.trim()); }}>
      <label htmlFor="admin-token">{label}</label>
      <input id="admin-token" type="password" value={draft} onChange={(e) => setDraft(e.target.value)}
        placeholder={hint} autoComplete="off" />
      <button type="submit" disabled={!draft.trim()}>Save</button>
    </form>
  );
}
