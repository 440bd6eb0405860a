"use client";

import { Button } from "@/components/ui/button";

/**
 * What a page shows when it could not be rendered on the server. In production the browser
 * learns nothing about the error (Next hides it), and the usual cause is a brief one — the
 * database restarting — so the page says so calmly and offers to try again.
 */
export function UnavailableNotice({ retry }: { retry: () => void }) {
  return (
    <div role="alert" className="flex min-h-screen flex-col items-center justify-center gap-4 px-4 text-center">
      <p className="font-semibold tracking-tight text-slate-900">Tessera</p>
      <h1 className="text-xl font-semibold">This page could not load just now</h1>
      <p className="max-w-md text-sm text-slate-600">
        Something on our side did not answer. This is usually brief: try again in a few seconds.
      </p>
      <Button type="button" onClick={retry}>
        Try again
      </Button>
    </div>
  );
}
