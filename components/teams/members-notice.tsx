"use client";

import { createContext, useContext, useState, type ReactNode } from "react";

type Notice = { ok: boolean; text: string };

const NoticeContext = createContext<(notice: Notice | null) => void>(() => {});

/** How a row's action reports its outcome: above the table, where it survives the row leaving the list. */
export const useMembersNotice = () => useContext(NoticeContext);

/**
 * Holds the outcome of the last member action (reminder sent, role changed, 2FA reset, member
 * removed) and shows it above the table. Keyed by the page's URL where it is used, so another
 * page, filter or sort starts without one.
 */
export function MembersNoticeProvider({ children }: { children: ReactNode }) {
  const [notice, setNotice] = useState<Notice | null>(null);
  return (
    <NoticeContext.Provider value={setNotice}>
      <div aria-live="polite" aria-atomic="true">
        {notice && (
          <div
            className={`mb-3 flex items-start justify-between gap-3 rounded-md border px-3 py-2 text-sm ${notice.ok ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-800"}`}
            data-testid="members-notice"
          >
            <p>{notice.text}</p>
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
