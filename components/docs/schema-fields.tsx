import type { JsonSchema } from "@/lib/verify-api/openapi";
import { RichText } from "./rich-text";

type Property = {
  type?: string;
  enum?: readonly string[];
  const?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  format?: string;
  description?: string;
};

/** "sms | voice | email", "integer, 4–10", "string (uuid)": the accepted values in one line. */
function typeLabel(p: Property): string {
  if (p.const !== undefined) return JSON.stringify(p.const);
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(" | ");
  const range = p.minimum !== undefined && p.maximum !== undefined ? `, ${p.minimum}–${p.maximum}` : "";
  return `${p.type ?? "any"}${p.format ? ` (${p.format})` : ""}${range}`;
}

/** An object schema's properties: name and whether it is required, then the accepted values and what it means. */
export function SchemaFields({ schema, label }: { schema: JsonSchema; label: string }) {
  const properties = (schema.properties ?? {}) as Record<string, Property>;
  const required = new Set((schema.required ?? []) as string[]);
  return (
    <dl aria-label={label} className="divide-y divide-slate-100 rounded-md border border-slate-200 bg-white text-sm">
      {Object.entries(properties).map(([name, p]) => (
        <div key={name} className="grid gap-1 px-3 py-2.5 sm:grid-cols-[10rem_minmax(0,1fr)] sm:gap-4">
          <dt>
            <code className="font-mono text-[13px] font-medium text-slate-900">{name}</code>
            <span className="ml-2 text-xs text-slate-600 sm:mt-0.5 sm:ml-0 sm:block">
              {required.has(name) ? "required" : p.default !== undefined ? `optional, default ${JSON.stringify(p.default)}` : "optional"}
            </span>
          </dt>
          <dd className="space-y-0.5 text-slate-700">
            <p className="font-mono text-[13px] break-words text-slate-600">{typeLabel(p)}</p>
            {p.description && (
              <p>
                <RichText text={p.description} />
              </p>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
