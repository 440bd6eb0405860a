import Link from "next/link";
import { Alert } from "@/components/ui/alert";

type Props = { error?: string; stepUp?: boolean; next?: string; boxed?: boolean };

/** An action's error; when the change needs a fresh second factor, the way to give it. */
export function ActionError({ error, stepUp, next = "/settings/security", boxed = false }: Props) {
  if (!error) return null;
  const content = (
    <>
      {error}{" "}
      {stepUp && (
        <Link href={`/settings/security/confirm?next=${encodeURIComponent(next)}`} className="font-medium text-indigo-700 underline">
          Confirm it&apos;s you
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
