import Link from "next/link";

/** An action's error; when the change needs a fresh second factor, the way to give it. */
export function ActionError({ error, stepUp, next = "/settings/security" }: { error?: string; stepUp?: boolean; next?: string }) {
  if (!error) return null;
  return (
    <p role="alert" className="mt-2 text-sm text-red-700">
      {error}{" "}
      {stepUp && (
        <Link href={`/settings/security/confirm?next=${encodeURIComponent(next)}`} className="font-medium text-indigo-700 underline">
          Confirm it&apos;s you
        </Link>
      )}
    </p>
  );
}
