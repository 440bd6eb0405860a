import { describe, expect, it } from "vitest";
import { CSV_BOM, csvCell, csvRow } from "./csv";

describe("csvCell", () => {
  it("leaves plain text alone and writes nothing for null", () => {
    expect(csvCell("Signed in")).toBe("Signed in");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
  });

  it("quotes commas, quotes and line breaks, doubling quotes", () => {
    expect(csvCell("Lovelace, Ada")).toBe('"Lovelace, Ada"');
    expect(csvCell('The "work" phone')).toBe('"The ""work"" phone"');
    expect(csvCell("line 1\nline 2")).toBe('"line 1\nline 2"');
    expect(csvCell("a\r\nb")).toBe('"a\r\nb"');
  });

  it.each(["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"])("makes %j text, not a formula", (value) => {
    const cell = csvCell(value);
    const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
    expect(unquoted).toBe(`'${value}`);
  });

  it("guards before quoting, so a quoted formula is still text", () => {
    expect(csvCell("=1,2")).toBe(`"'=1,2"`);
  });

  it("writes numbers as numbers (a negative one is no formula), dates in ISO 8601 and objects as JSON", () => {
    expect(csvCell(-1)).toBe("-1");
    expect(csvCell(42)).toBe("42");
    expect(csvCell(true)).toBe("true");
    expect(csvCell(new Date("2026-05-01T12:30:00.000Z"))).toBe("2026-05-01T12:30:00.000Z");
    expect(csvCell({ method: "totp", note: 'say "hi"' })).toBe('"{""method"":""totp"",""note"":""say \\""hi\\""""}"');
  });
});

describe("csvRow", () => {
  it("joins cells with commas and ends the row with CRLF", () => {
    expect(csvRow(["a", null, "b,c", 3])).toBe('a,,"b,c",3\r\n');
  });

  it("round-trips through a strict RFC 4180 reader", () => {
    const values = ["x", 'q"uote', "comma,here", "new\nline", "=cmd", ""];
    expect(parse(csvRow(values))).toEqual([["x", 'q"uote', "comma,here", "new\nline", "'=cmd", ""]]);
  });

  it("starts files with a byte-order mark", () => {
    expect(CSV_BOM).toBe("\uFEFF");
  });
});

/** A minimal RFC 4180 parser, to check what a spreadsheet would read. */
function parse(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  return rows;
}
