import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "./redirect";

describe("safeCallbackUrl", () => {
  it("keeps same-site paths", () => {
    expect(safeCallbackUrl("/settings/security")).toBe("/settings/security");
    expect(safeCallbackUrl("/dashboard?tab=1#x")).toBe("/dashboard?tab=1#x");
  });
  it.each(["https://evil.example", "//evil.example", "/\\evil.example", "/.//evil.example", "/..//evil.example", "/%2e//evil.example", "javascript:alert(1)", "", undefined, 42])(
    "refuses %s (open redirect)",
    (value) => expect(safeCallbackUrl(value)).toBe("/dashboard"),
  );
});
