"use client";

import { useState } from "react";

import { useAdminToken } from "@/lib/token";

/** The admin token, entered once and kept in this browser. */
export function TokenField() {
  const [token, setToken] = useAdminToken();
  const [draft, setDraft] = useState("");
  if (token) {
    return (
      <div className="token-row">
        <span className="muted">Admin token saved in this browser.</span>
        <button className="link" onClick={() => setToken("")}>Forget it</button>
      </div>
    );
  }
  return (
    <form className="token-row" onSubmit={(e) => { e.preventDefault(); setToken(draft.trim()); }}>
      <label htmlFor="admin-token">Admin token</label>
      <input id="admin-token" type="password" value={draft} onChange={(e) => setDraft(e.target.value)}
        placeholder="printed by the API at start-up" autoComplete="off" />
      <button type="submit" disabled={!draft.trim()}>Save</button>
    </form>
  );
}
