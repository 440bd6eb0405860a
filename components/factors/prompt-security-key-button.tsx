"use client";

import { browserSupportsWebAuthn } from "@simplewebauthn/browser";
import { useSyncExternalStore } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

const noSubscription = () => () => {};

export function SecurityKeyButton({ onClick, pending }: { onClick: () => void; pending: boolean }) {
  // The server cannot know: it renders "supported", and the browser answers after hydration.
  const supported = useSyncExternalStore(noSubscription, browserSupportsWebAuthn, () => true);
  if (!supported) return <Alert tone="warning">This browser cannot use security keys. Choose another method below.</Alert>;
  return (
    <Button type="button" className="w-full" pending={pending} pendingText="Waiting for your security key…" onClick={onClick}>
      Use security key
    </Button>
  );
}
