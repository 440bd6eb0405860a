"use client";

import { useEffect, useRef } from "react";
import { CopyButton } from "@/components/factors/copy-button";
import { Button } from "@/components/ui/button";
import type { CreatedKey } from "../actions";

/**
 * The new key, shown this once: read-only, selected on focus, with Copy and a plain warning.
 * The heading takes focus as it appears, so keyboard and screen-reader users land on it.
 */
export function ApiKeyReveal({ created, onDone }: { created: CreatedKey; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Once, as it appears: the page's refresh after the create re-renders this, and must not pull focus back.
  useEffect(() => heading.current?.focus(), []);
  return (
    <section aria-labelledby="new-key-title" className="space-y-4" data-testid="new-api-key">
      <div>
        <h3
          id="new-key-title"
          tabIndex={-1}
          ref={heading}
          className="text-base font-semibold text-slate-900 focus:outline-none"
        >
          Your new key for “{created.name}”
        </h3>
        <p className="mt-1 text-sm text-slate-600">
          Store it where your backend keeps its secrets, such as an environment variable, and send it in the{" "}
          <code className="font-mono text-xs">Authorization</code> header:{" "}
          <code className="font-mono text-xs whitespace-nowrap">Bearer {created.prefix}…</code>
        </p>
      </div>
      <div role="note" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
        <strong className="font-semibold">Copy it now: it won&apos;t be shown again.</strong> Tessera keeps only a fingerprint of it. If you lose it,
        create a new key and revoke this one.
      </div>
      <div>
        <label htmlFor="new-api-key" className="block text-sm font-medium text-slate-800">
          API key
        </label>
        <div className="mt-1 flex flex-col gap-2 sm:flex-row sm:items-start">
          <input
            id="new-api-key"
            type="text"
            readOnly
            value={created.key}
            onFocus={(event) => event.currentTarget.select()}
            autoComplete="off"
            spellCheck={false}
            className="block w-full min-w-0 rounded-md border border-slate-300 bg-slate-50 px-2.5 py-2 font-mono text-xs tracking-tight text-slate-900 shadow-sm focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none sm:flex-1 sm:px-3 sm:text-sm sm:tracking-normal"
          />
          <CopyButton text={created.key} />
        </div>
      </div>
      <div className="flex justify-end border-t border-slate-100 pt-4">
        <Button type="button" onClick={onDone}>
          Done
        </Button>
      </div>
    </section>
  );
}
