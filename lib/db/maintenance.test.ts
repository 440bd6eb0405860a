import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAINTENANCE_INTERVAL_MS, MAINTENANCE_JITTER_MS, startMaintenance } from "./maintenance";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A pass that takes `ms` and counts how many run at once. */
function slowPass(ms: number) {
  const calls = { started: 0, atOnce: 0, maxAtOnce: 0 };
  const pass = async () => {
    calls.started++;
    calls.atOnce++;
    calls.maxAtOnce = Math.max(calls.maxAtOnce, calls.atOnce);
    await new Promise((resolve) => setTimeout(resolve, ms));
    calls.atOnce--;
  };
  return { calls, pass };
}

describe("startMaintenance", () => {
  it("runs the first pass within the jitter, then one a minute (plus jitter) after each ends, never two at once", async () => {
    const { calls, pass } = slowPass(90_000);
    const maintenance = startMaintenance({ pass, random: () => 1 });
    await vi.advanceTimersByTimeAsync(MAINTENANCE_JITTER_MS - 1);
    expect(calls.started).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.started).toBe(1);
    // The pass lasts 90 s, longer than the interval: the next waits for its end, then a minute and the jitter.
    await vi.advanceTimersByTimeAsync(90_000 + MAINTENANCE_INTERVAL_MS + MAINTENANCE_JITTER_MS - 1);
    expect(calls.started).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.started).toBe(2);
    expect(calls.maxAtOnce).toBe(1);
    await vi.advanceTimersByTimeAsync(90_000);
    await maintenance.stop();
  });

  it("stop: no pass starts afterwards, and it waits for the one under way", async () => {
    const { calls, pass } = slowPass(5_000);
    const maintenance = startMaintenance({ pass, random: () => 0 });
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.atOnce).toBe(1);
    let stopped = false;
    const stopping = maintenance.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(4_000);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    await stopping;
    expect(calls.atOnce).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * MAINTENANCE_INTERVAL_MS);
    expect(calls.started).toBe(1);
  });

  it("one per process: a second start returns the one running; after stop, a new one can start", async () => {
    const first = startMaintenance({ pass: async () => {} });
    expect(startMaintenance({ pass: async () => {} })).toBe(first);
    await first.stop();
    const second = startMaintenance({ pass: async () => {} });
    expect(second).not.toBe(first);
    await second.stop();
  });

  it("its timer keeps no process alive", async () => {
    const timers = vi.spyOn(globalThis, "setTimeout");
    const maintenance = startMaintenance({ pass: async () => {} });
    const timer = timers.mock.results.at(-1)!.value as { hasRef(): boolean };
    expect(timer.hasRef()).toBe(false);
    await maintenance.stop();
  });
});
