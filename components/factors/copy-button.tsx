"use client";

import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";

/** Copies `text` to the clipboard; says so for two seconds, and says so when it could not. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [status, setStatus] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  async function copy() {
    clearTimeout(timer.current);
    try {
      await navigator.clipboard.writeText(text);
      setStatus("copied");
      timer.current = setTimeout(() => setStatus("idle"), 2000);
    } catch {
      // No clipboard (an insecure origin, or permission refused): the text stays selectable.
      setStatus("failed");
    }
  }

  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <Button type="button" variant="secondary" onClick={copy}>
        {status === "copied" ? "Copied" : label}
      </Button>
      <span role="status" className={status === "failed" ? "text-sm text-red-700" : "sr-only"}>
        {status === "copied" && "Copied to the clipboard."}
        {status === "failed" && "Couldn't copy. Select the text and copy it yourself."}
      </span>
    </span>
  );
}
