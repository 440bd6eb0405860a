import { describe, expect, it } from "vitest";
import { destinationKey } from "./destination";

describe("destinationKey", () => {
  it("counts aliases of one mailbox as one destination", () => {
    for (const alias of ["anna@gmail.com", "Anna@Gmail.com", "a.n.na@gmail.com", "anna+1@gmail.com", "a.nna+x.y@googlemail.com"]) {
      expect(destinationKey(alias)).toBe("anna@gmail.com");
    }
    expect(destinationKey("anna+news@example.com")).toBe("anna@example.com");
  });

  it("keeps what tells mailboxes apart elsewhere", () => {
    expect(destinationKey("a.nna@example.com")).toBe("a.nna@example.com");
    expect(destinationKey("+anna@example.com")).toBe("+anna@example.com");
    expect(destinationKey("+14155552671")).toBe("+14155552671");
  });
});
