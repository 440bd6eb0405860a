import type { ReactNode } from "react";

export type Column<T> = {
  header: ReactNode;
  align?: "right";
  /** The cell's classes (padding included: tables differ in how dense they are). */
  className: string | ((row: T) => string);
  testId?: string;
  cell: (row: T) => ReactNode;
};

type Props<T> = {
  rows: T[];
  rowKey: (row: T) => string;
  columns: Column<T>[];
  rowTestId?: string;
  rowClassName?: (row: T) => string;
  /** Cells of different heights start at the top instead of the middle. */
  alignTop?: boolean;
  /** The small-screen list's accessible name. */
  label: string;
  cardClassName: string | ((row: T) => string);
  /** One row as a card on small screens, where the table would need sideways scrolling. */
  card: (row: T) => ReactNode;
};

const classOf = <T,>(className: string | ((row: T) => string), row: T) => (typeof className === "string" ? className : className(row));

/** Rows as a table on wide screens and as a list of cards on small ones. */
export function ResponsiveTable<T>({ rows, rowKey, columns, rowTestId, rowClassName, alignTop, label, cardClassName, card }: Props<T>) {
  const last = columns.length - 1;
  return (
    <>
      {/* relative: sr-only spans in cells are absolutely positioned and would otherwise widen the page. */}
      <div className="relative -mx-5 hidden overflow-x-auto px-5 md:block">
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-slate-600 uppercase">
            <tr>
              {columns.map((column, i) => (
                <th key={i} scope="col" className={["py-2", i < last && "pr-4", column.align === "right" && "text-right", "font-medium"].filter(Boolean).join(" ")}>
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className={alignTop ? "divide-y divide-slate-100 align-top" : "divide-y divide-slate-100"}>
            {rows.map((row) => (
              <tr key={rowKey(row)} data-testid={rowTestId} className={rowClassName?.(row)}>
                {columns.map((column, i) => (
                  <td key={i} className={classOf(column.className, row)} data-testid={column.testId}>
                    {column.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <ul className="divide-y divide-slate-100 md:hidden" aria-label={label}>
        {rows.map((row) => (
          <li key={rowKey(row)} className={classOf(cardClassName, row)}>
            {card(row)}
          </li>
        ))}
      </ul>
    </>
  );
}
