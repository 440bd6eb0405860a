"use client";

import { useRouter } from "next/navigation";
import type { FactorKind } from "@/lib/db/schema";
import { addedHref } from "./wizard-shell";

/** Back to Settings → Security with the "added" banner, its server data fresh. */
export function useFinishEnrollment(kind: FactorKind, changed = false): () => void {
  const router = useRouter();
  return () => {
    router.push(addedHref(kind, changed));
    router.refresh();
  };
}
