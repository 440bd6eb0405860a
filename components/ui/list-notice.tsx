"use client";

import { createContext, useContext, useState, type ReactNode } from "react";
import { ActionError } from "@/components/factors/action-error";

/** A refusal may come with the way past it: a fresh second factor (and back to `stepUpNext`), or setting one up. */
export type ListNotice = { ok: boolean; text: string; stepUpNext?: string; setUpFactor?: boolean };

const NoticeContext = createContext<(notice: ListNotice | null) => void>(() => {});

/** How a row's action reports its outcome: above the list, where it survives the row moving or leaving. */
export const useListNotice = () => useContext(NoticeContext);

/**
 * Holds the outcome of the last row action of a list (members, API keys) and announces it
 * politely above the list. Keyed by the page's URL where it is used, so another page,
 * filter or sort starts without one.
 */
export function ListNoticeProvider({ children, testId }: { children: ReactNode; testId: string }) {
  const [notice, setNotice] = useState<ListNotice | null>(null);
  return (
    <NoticeContext.Provider value={setNotice}>
      <div aria-live="polite" aria-atomic="true">
        {notice && (
          <div
            className={`mb-3 flex items-start justify-between gap-3 rounded-md border px-3 py-2 text-sm ${notice.ok ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-800"}`}
            data-testid={testId}
          >
            {notice.ok || (!notice.stepUpNext && !notice.setUpFactor) ? (
              <p>{notice.text}</p>
            ) : (
              <div className="[&>p]:mt-0 [&>p]:text-red-800">
                <ActionError error={notice.text} stepUp={Boolean(notice.stepUpNext)} setUpFactor={notice.setUpFactor} next={notice.stepUpNext} />
              </div>
            )}
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
