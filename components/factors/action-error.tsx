import Link from "next/link";
import { Alert } from "@/components/ui/alert";

type Props = { error?: string; stepUp?: boolean; setUpFactor?: boolean; next?: string; boxed?: boolean };

/**
 * An action's error; when the change needs a fresh second factor, the way to give it (and
 * back to `next`); when it needs a second factor of the person's own, the way to set one up.
 */
export function ActionError({ error, stepUp, setUpFactor, next = "/settings/security", boxed = false }: Props) {
  if (!error) return null;
  const content = (
    <>
      {error}{" "}
      {stepUp && (
        <Link href={`/settings/security/confirm?next=${encodeURIComponent(next)}`} className="font-medium text-indigo-700 underline">
          Confirm it&apos;s you
        </Link>
      )}
      {setUpFactor && (
        <Link href="/settings/security" className="font-medium text-indigo-700 underline">
          Set up two-factor authentication
        </Link>
      )}
    </>
  );
  if (boxed) return <Alert tone="error">{content}</Alert>;
  return (
    <p role="alert" className="mt-2 text-sm text-red-700">
      {content}
    </p>
  );
}
