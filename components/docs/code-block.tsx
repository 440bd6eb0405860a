import { CopyButton } from "./copy-button";

/**
 * A dark code sample under a small bar with its caption and a copy button (above the code,
 * so it never covers a long line on a phone). The code is focusable, so a keyboard user can
 * scroll a long line.
 */
export function CodeBlock({ code, caption, label }: { code: string; caption: string; label: string }) {
  return (
    <div className="overflow-hidden rounded-md bg-slate-900">
      <div className="flex items-center justify-between border-b border-slate-700 px-4 py-1.5">
        <span className="text-xs font-medium text-slate-300">{caption}</span>
        <CopyButton text={code} label={label} />
      </div>
      <pre tabIndex={0} aria-label={label} className="overflow-x-auto p-4 font-mono text-[13px] leading-relaxed text-slate-100 focus-visible:-outline-offset-2">
        <code>{code}</code>
      </pre>
    </div>
  );
}
