"use client";

import { UnavailableNotice } from "@/components/unavailable-notice";

/** Any page (or form action) that fails on the server: a calm page instead of Next's bare one. */
export default function PageError({ retry }: { retry: () => void }) {
  return <UnavailableNotice retry={retry} />;
}
