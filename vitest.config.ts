import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // lib/db, lib/security, lib/messaging and lib/config.ts import "server-only", which throws
      // wherever React's react-server condition is not set; only Next's client bundles must fail on
      // it. The package's own empty module, rather than the react-server condition for every
      // package (which would also swap React and others for their server builds).
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "tests/**/*.test.ts"],
    setupFiles: ["./tests/setup-db.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
