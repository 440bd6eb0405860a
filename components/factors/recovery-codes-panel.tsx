"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";

type Props = { codes: string[]; onFinish: () => void; finishLabel?: string };

/**
 * Shows a fresh set of recovery codes once. "Finish" stays disabled until the codes were
 * copied, downloaded or printed — or the person ticks that they saved them another way.
 */
export function RecoveryCodesPanel({ codes, onFinish, finishLabel = "Finish" }: Props) {
  const [saved, setSaved] = useState(false);
  const [confirmed, setConfirmed] = useState(false);
  const [copied, setCopied] = useState(false);
  const text = [
    "Tessera recovery codes",
    "Each code signs you in once when you cannot use your second factor. Keep them somewhere safe.",
    "",
    ...codes,
    "",
    `Generated ${new Date().toISOString().slice(0, 10)}`,
  ].join("\n");

  async function copy() {
    await navigator.clipboard.writeText(text);
    setCopied(true);
    setSaved(true);
  }

  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = Object.assign(document.createElement("a"), { href: url, download: "tessera-recovery-codes.txt" });
    link.click();
    URL.revokeObjectURL(url);
    setSaved(true);
  }

  function print() {
    window.print();
    setSaved(true);
  }

  return (
    <section aria-labelledby="recovery-codes-title" className="space-y-4">
      <div>
        <h2 id="recovery-codes-title" className="text-lg font-semibold">
          Save your recovery codes
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          If you lose your phone or security key, each of these codes signs you in once. This is the only time they are shown.
        </p>
      </div>
      <ol className="grid grid-cols-2 gap-2 rounded-md border border-slate-200 bg-slate-50 p-4 font-mono text-sm sm:grid-cols-2 print:border-0" aria-label="Recovery codes" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code} className="tracking-wider text-slate-900">
            {code}
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2 print:hidden">
        <Button type="button" variant="secondary" onClick={copy}>
          {copied ? "Copied" : "Copy"}
        </Button>
        <Button type="button" variant="secondary" onClick={download}>
          Download .txt
        </Button>
        <Button type="button" variant="secondary" onClick={print}>
          Print
        </Button>
      </div>
      <label className="flex items-center gap-2 text-sm text-slate-700 print:hidden">
        <input type="checkbox" className="size-4 rounded border-slate-300" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
        I have saved these codes somewhere safe
      </label>
      <Button type="button" className="w-full print:hidden" disabled={!saved && !confirmed} onClick={onFinish}>
        {finishLabel}
      </Button>
    </section>
  );
}
