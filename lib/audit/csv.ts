/**
 * CSV for spreadsheets (RFC 4180): fields quoted only when they must be, rows ended by CRLF.
 */

/**
 * Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (or, for
 * tab and carriage return, that OWASP lists because some of them strip them first). An
 * audit log holds text others typed — names, labels, user agents — so such a cell gets a
 * leading single quote and is shown as text (OWASP "CSV Injection").
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: empty for null, ISO 8601 for dates, numbers as they are, text guarded and quoted when needed. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  let text = value instanceof Date ? value.toISOString() : typeof value === "string" ? value : JSON.stringify(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One row, CRLF-terminated. */
export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/** Starts the file: Excel reads UTF-8 (names with accents) correctly only after a byte-order mark. */
export const CSV_BOM = "\uFEFF";
