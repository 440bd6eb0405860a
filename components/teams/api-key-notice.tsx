"use client";

import { createContext, useContext, useState, type ReactNode } from "react";

const NoticeContext = createContext<(text: string | null) => void>(() => {});

/** How a row's revoke reports its outcome: above the list, where it survives the row moving to the end. */
export const useApiKeyNotice = () => useContext(NoticeContext);

/** Holds the outcome of the last revoke and announces it politely above the keys. */
export function ApiKeyNoticeProvider({ children }: { children: ReactNode }) {
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <NoticeContext.Provider value={setNotice}>
      <div aria-live="polite" aria-atomic="true">
        {notice && (
          <div className="mb-3 flex items-start justify-between gap-3 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900" data-testid="api-key-notice">
            <p>{notice}</p>
            <button type="button" onClick={() => setNotice(null)} className="shrink-0 rounded px-1 font-medium opacity-70 hover:opacity-100">
              <span aria-hidden="true">×</span>
              <span className="sr-only">Dismiss</span>
            </button>
          </div>
        )}
      </div>
      {children}
    </NoticeContext.Provider>
  );
}
