import type { ReactNode } from "react";

export function Card({ title, description, children, footer }: { title?: string; description?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
      {(title || description) && (
        <header className="border-b border-slate-100 px-5 py-4">
          {title && <h2 className="text-base font-semibold text-slate-900">{title}</h2>}
          {description && <p className="mt-1 text-sm text-slate-600">{description}</p>}
        </header>
      )}
      <div className="px-5 py-4">{children}</div>
      {footer && <footer className="border-t border-slate-100 bg-slate-50 px-5 py-3">{footer}</footer>}
    </section>
  );
}
