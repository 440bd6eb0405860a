"use client";

import { UnavailableNotice } from "@/components/unavailable-notice";
import "./globals.css";

/** As app/error.tsx, for a failure in the root layout itself: it must bring its own <html>. */
export default function GlobalError({ retry }: { retry: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <UnavailableNotice retry={retry} />
      </body>
    </html>
  );
}
