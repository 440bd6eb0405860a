import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { type Cluster, createCluster, seedApiKey, type Server, startServer } from "./own-postgres";

/**
 * Two production servers on one PostgreSQL (own data folders, one TESSERA_SECRET), and 50
 * concurrent creates with one API key split across both, 20 times over: no 5xx. Each round
 * has a fresh key, so every round races the first-use write of `last_used_at` too; half the
 * requests carry an Idempotency-Key, half do not.
 */
const PG_PORT = 5442;
const PORTS = [3222, 3223];
const ROUNDS = 20;
const CONCURRENT = 50;

let cluster: Cluster;
let servers: Server[] = [];

test.beforeAll(async () => {
  test.setTimeout(180_000);
  cluster = createCluster(PG_PORT);
  const env = { DATABASE_URL: cluster.url, TESSERA_SECRET: "two-instances-secret-that-is-long-enough-0", TESSERA_DEV_OUTBOX: "1" };
  // Started together: their migrations race for the advisory lock as well.
  servers = await Promise.all(PORTS.map((port) => startServer(port, env)));
});

test.afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  cluster?.destroy();
});

test(`${CONCURRENT} concurrent creates with one key across two instances, ${ROUNDS} times: no 5xx`, async () => {
  test.setTimeout(180_000);
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { key } = await seedApiKey(cluster.url);
    await Promise.all(
      Array.from({ length: CONCURRENT }, async (_, i) => {
        const response = await fetch(`${servers[i % servers.length]!.url}/api/v1/verifications`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...(i % 4 < 2 ? { "idempotency-key": randomUUID() } : {}) },
          body: JSON.stringify({ to: `race-${round}-${i}-${Date.now().toString(36)}@example.com`, channel: "email" }),
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500) failures.push(`round ${round}, request ${i}: ${response.status} ${await response.text()}`);
      }),
    );
  }
  const logged = servers.map((server) => server.output()).join("\n");
  console.log(`two instances: ${JSON.stringify(Object.fromEntries(statuses))} over ${ROUNDS} × ${CONCURRENT} creates`);
  expect(failures, logged.split("\n").filter((line) => line.includes('"level":"error"')).join("\n")).toEqual([]);
  expect(statuses.get(201)).toBe(ROUNDS * CONCURRENT);
});
