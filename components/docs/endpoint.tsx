import { EXAMPLE_VERIFICATION, errorsByStatus, type ApiOperation, type JsonSchema } from "@/lib/verify-api/openapi";
import { CodeBlock } from "./code-block";
import { ErrorList } from "./error-list";
import { RichText } from "./rich-text";
import { SchemaFields } from "./schema-fields";

const METHOD_STYLE = { get: "bg-sky-100 text-sky-900", post: "bg-emerald-100 text-emerald-900" } as const;

/** The operation as a shell command: the real base URL, the key from an environment variable, the documented example body. */
export function curlCommand(operation: ApiOperation, baseUrl: string): string {
  const url = `${baseUrl}${operation.path.replace("{id}", EXAMPLE_VERIFICATION.id)}`;
  const lines = [`curl ${url}`];
  if (operation.authenticated) lines.push(`-H "Authorization: Bearer $TESSERA_API_KEY"`);
  if (operation.request) {
    lines.push(`-H "Content-Type: application/json"`);
    if (operation.idempotency) lines.push(`-H "Idempotency-Key: signup-7f3c2a91"`);
    // curl sends a POST once it has a body (-d).
    lines.push(`-d '${JSON.stringify(operation.request.example)}'`);
  }
  return lines.join(" \\\n  ");
}

export function MethodBadge({ method }: { method: ApiOperation["method"] }) {
  return <span className={`rounded px-2 py-0.5 font-mono text-xs font-semibold uppercase ${METHOD_STYLE[method]}`}>{method}</span>;
}

export function endpointAnchor(operation: ApiOperation): string {
  return operation.id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** One endpoint: what it does, a curl example, its request fields, its answer and its errors. */
export function Endpoint({ operation, baseUrl, requestSchema }: { operation: ApiOperation; baseUrl: string; requestSchema?: JsonSchema }) {
  const anchor = endpointAnchor(operation);
  return (
    <section aria-labelledby={anchor} className="scroll-mt-6 space-y-4 border-t border-slate-200 pt-8">
      <div>
        <h3 id={anchor} className="flex flex-wrap items-center gap-x-3 gap-y-1 text-lg font-semibold text-slate-900">
          {operation.summary}
        </h3>
        <p className="mt-1 flex flex-wrap items-center gap-2">
          <MethodBadge method={operation.method} />
          <code className="font-mono text-sm break-all text-slate-800">/api/v1{operation.path}</code>
        </p>
      </div>
      <p className="text-slate-700">
        <RichText text={operation.description} />
      </p>
      <CodeBlock code={curlCommand(operation, baseUrl)} caption="curl" label={`curl example: ${operation.summary}`} />
      {requestSchema && (
        <div className="space-y-2">
          <h4 className="text-sm font-semibold text-slate-900">Request body</h4>
          <SchemaFields schema={requestSchema} label={`Request fields: ${operation.summary}`} />
          <p className="text-xs text-slate-600">Any other property is refused with a 400.</p>
        </div>
      )}
      {operation.success.example !== undefined && (
        <div className="space-y-2">
          <h4 className="text-sm font-semibold text-slate-900">
            Response <span className="font-mono font-normal text-slate-600">{operation.success.status}</span>
          </h4>
          <p className="text-sm text-slate-700">
            <RichText text={operation.success.description} />
          </p>
          <CodeBlock
            code={JSON.stringify(operation.success.example, null, 2)}
            caption={`${operation.success.status} · JSON`}
            label={`Example response: ${operation.summary}`}
          />
        </div>
      )}
      <div className="space-y-2">
        <h4 className="text-sm font-semibold text-slate-900">Errors</h4>
        <ErrorList
          label={`Errors: ${operation.summary}`}
          rows={errorsByStatus(operation).flatMap(({ status, errors }) => errors.map(({ code, when }) => ({ status, code, when })))}
        />
      </div>
    </section>
  );
}
