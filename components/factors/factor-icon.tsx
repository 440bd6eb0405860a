import type { FactorKind } from "@/lib/db/schema";
import { FACTORS, type FactorIconName } from "@/lib/factors/registry";

const paths: Record<FactorIconName, string> = {
  phone: "M7 2h10a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2Zm3 17h4",
  key: "M15 7a4 4 0 1 1-4.9 3.9L3 18v3h3v-2h2v-2h2l1.1-1.1A4 4 0 0 1 15 7Zm1 1.5h.01",
  mail: "M3 6h18v12H3zM3 7l9 6 9-6",
  message: "M4 5h16v11H8l-4 4zM8 10h.01M12 10h.01M16 10h.01",
};

export function FactorIcon({ kind }: { kind: FactorKind }) {
  return (
    <span aria-hidden="true" className="grid size-9 shrink-0 place-items-center rounded-md bg-indigo-50 text-indigo-700">
      <svg viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
        <path d={paths[FACTORS[kind].icon]} />
      </svg>
    </span>
  );
}
