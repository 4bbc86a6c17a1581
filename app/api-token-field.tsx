'use client';

import { useEffect, useState } from 'react';

/** Where the browser keeps the API token between forms (upload, dataset, compress). */
const TOKEN_STORAGE_KEY = 'slimboard-token';

/** The token the user last used (read after mount: localStorage exists only in the browser), and `remember` to keep it. */
export function useStoredToken(): { token: string; setToken: (t: string) => void; remember: (t: string) => void } {
  const [token, setToken] = useState('');
  useEffect(() => setToken(window.localStorage.getItem(TOKEN_STORAGE_KEY) ?? ''), []);
  return { token, setToken, remember: (t) => window.localStorage.setItem(TOKEN_STORAGE_KEY, t) };
}

/** The labelled password field every write form has. */
export function ApiTokenField({ id, name, value, onChange }: { id: string; name?: string; value: string; onChange: (t: string) => void }) {
  return (
    <>
      <label htmlFor={id}>API token</label>
      <input
        id={id}
        name={name}
        type="password"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder="sb_…"
        autoComplete="off"
      />
    </>
  );
}
