import { vi } from "vitest";

/**
 * Captures what lib/log writes (warnings and errors go to stderr) and keeps it off the test
 * output. vi.restoreAllMocks() ends the capture.
 */
export function captureLog(): { text: () => string; lines: () => string[] } {
  const chunks: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (chunks.push(String(chunk)), true));
  return { text: () => chunks.join(""), lines: () => chunks.join("").split("\n").filter(Boolean) };
}
