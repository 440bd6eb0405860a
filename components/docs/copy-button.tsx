"use client";

import { useState } from "react";

/** "Copy" over a code sample; says "Copied" for two seconds (and to screen readers), or nothing when the clipboard is refused. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // No clipboard permission (or an insecure origin): the text stays selectable by hand.
    }
  }
  return (
    <>
      <button
        type="button"
        onClick={copy}
        className="rounded border border-slate-600 bg-slate-800 px-2 py-0.5 text-xs font-medium text-slate-100 hover:bg-slate-700"
      >
        {copied ? "Copied" : "Copy"}
        <span className="sr-only"> {label}</span>
      </button>
      <span role="status" className="sr-only">
        {copied ? `${label} copied.` : ""}
      </span>
    </>
  );
}
