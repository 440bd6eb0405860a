import "server-only";
import { runRetentionPass } from "./retention";

/** Between the end of one pass and the start of the next: a minute at least, as before. */
export const MAINTENANCE_INTERVAL_MS = 60_000;
/** Up to this much more, so instances sharing one database do not all prune at the same second. */
export const MAINTENANCE_JITTER_MS = 10_000;

export type Maintenance = {
  /** No pass starts after this; resolves once the pass under way, if any, has finished. */
  stop(): Promise<void>;
};

type Options = { pass?: () => Promise<unknown>; random?: () => number };

// On globalThis: instrumentation starts it inside Next's bundles, and scripts/server.mjs,
// outside them, stops it during a graceful shutdown before the database closes.
const holder = globalThis as { __tesseraMaintenance?: Maintenance };

/**
 * The process's background upkeep: `runRetentionPass` (prune expired rows, settle
 * half-finished sends) shortly after start, then again a minute plus jitter after each pass
 * ends — so never two at once and at most once a minute. The timer is unref'd (it keeps no
 * process alive) and a pass never throws. Started once per process by instrumentation.ts;
 * a second call returns the one running.
 */
export function startMaintenance({ pass = runRetentionPass, random = Math.random }: Options = {}): Maintenance {
  if (holder.__tesseraMaintenance) return holder.__tesseraMaintenance;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;

  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      running = pass().finally(() => {
        running = undefined;
        if (!stopped) schedule(MAINTENANCE_INTERVAL_MS + random() * MAINTENANCE_JITTER_MS);
      });
    }, delay);
    timer.unref();
  };
  schedule(random() * MAINTENANCE_JITTER_MS);

  const maintenance: Maintenance = {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      if (holder.__tesseraMaintenance === maintenance) holder.__tesseraMaintenance = undefined;
      await running?.catch(() => {});
    },
  };
  holder.__tesseraMaintenance = maintenance;
  return maintenance;
}
