import Link from "next/link";
import type { FactorKind } from "@/lib/db/schema";
import { FACTOR_KIND_LIST } from "@/lib/factors/registry";
import { FactorIcon } from "./factor-icon";


/** Links to the enrollment wizards of `kinds`; `recommended` leads, with a badge saying who recommends it. */
export function MethodChoices({ kinds, recommended }: { kinds: FactorKind[]; recommended?: { kind: FactorKind; by: string } | null }) {
  const shown = FACTOR_KIND_LIST.filter((c) => kinds.includes(c.id)).sort((a, b) => Number(b.id === recommended?.kind) - Number(a.id === recommended?.kind));
  return (
    <ul className="mt-2 grid gap-2 sm:grid-cols-2">
      {shown.map((method) => (
        <li key={method.id}>
          <Link
            href={method.enroll.route}
            className="flex h-full gap-3 rounded-md border border-slate-200 p-3 hover:border-indigo-300 hover:bg-indigo-50/40"
          >
            <FactorIcon kind={method.id} />
            <span>
              <span className="block text-sm font-medium text-slate-900">
                {method.name}
                {method.id === recommended?.kind && (
                  <span className="mt-1 block w-fit rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-normal text-indigo-800">Recommended by {recommended.by}</span>
                )}
              </span>
              <span className="block text-xs text-slate-600">{method.enroll.note}</span>
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
