import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { startFakeProviderServer, type FakeProviderServer } from "../tests/fake-provider-server";
import { submitSignUp, uniqueEmail } from "./helpers";
import { type Answer, type Cluster, createCluster, createVerification, seedApiKey, type Server, startServer } from "./own-postgres";

/**
 * PostgreSQL stopped under load, then started again, against the production server on a
 * cluster of this spec's own (ports 3220–3229 and 5440–5449 belong to this spec family).
 */
const PG_PORT = 5440;
const APP_PORT = 3221;
/** The bound the spec holds the server to while the database is down (connect timeout 2 s plus margin). */
const ANSWER_BOUND_MS = 3000;
const STATEMENT_TIMEOUT_MS = 1500;

test.describe.configure({ mode: "serial" });
// The pages of this spec's own server (NEXTAUTH_URL must match it).
test.use({ baseURL: `http://localhost:${APP_PORT}` });

let cluster: Cluster;
let server: Server;
let provider: FakeProviderServer;
let key: string;
let keyHash: string;

test.beforeAll(async () => {
  test.setTimeout(150_000);
  cluster = createCluster(PG_PORT);
  provider = await startFakeProviderServer();
  server = await startServer(APP_PORT, {
    DATABASE_URL: cluster.url,
    TESSERA_SECRET: "outage-spec-secret-that-is-long-enough-000",
    TESSERA_DB_CONNECT_TIMEOUT_MS: "2000",
    TESSERA_DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    RESEND_API_KEY: "re_test",
    EMAIL_FROM: "Tessera <no-reply@example.com>",
    RESEND_BASE_URL: provider.url,
  });
  ({ key, hash: keyHash } = await seedApiKey(cluster.url));
});

test.afterAll(async () => {
  await server?.stop();
  await provider?.close();
  cluster?.destroy();
});

let sequence = 0;
const nextRecipient = () => `load-${Date.now().toString(36)}-${(sequence += 1)}@example.com`;

/** `workers` loops of creates (distinct recipients, so no per-destination limit) until `until()` says stop. */
async function load(workers: number, until: () => boolean): Promise<Answer[]> {
  const answers: Answer[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!until()) {
        answers.push(await createVerification(server.url, key, nextRecipient()));
        // Under the key's 100 requests a second with every worker together.
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
    }),
  );
  return answers;
}

test("PostgreSQL stopped under load: every request gets 503 with Retry-After at once, pages a calm error page, readiness 503; started again, it all works without a restart", async ({ page }) => {
  test.setTimeout(120_000);
  expect((await createVerification(server.url, key, nextRecipient())).status).toBe(201);
  expect((await fetch(`${server.url}/api/health?deep=1`)).status).toBe(200);

  let phase: "before" | "down" | "done" = "before";
  let stoppedAt = 0;
  const running = load(6, () => phase === "done");
  await new Promise((resolve) => setTimeout(resolve, 1500));
  cluster.stop();
  stoppedAt = Date.now();
  phase = "down";
  await new Promise((resolve) => setTimeout(resolve, 4000));

  // While it is down: readiness says so fast, liveness stays up, a page is calm.
  const deepStarted = Date.now();
  const deep = await fetch(`${server.url}/api/health?deep=1`);
  const deepMs = Date.now() - deepStarted;
  expect(deep.status).toBe(503);
  expect(deep.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(await deep.json()).toEqual({ ok: false, database: "unavailable" });
  expect((await fetch(`${server.url}/api/health`)).status).toBe(200);

  await page.goto(`${server.url}/invite/${"a".repeat(43)}`);
  await expect(page.getByRole("heading", { name: "This page could not load just now" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Try again" })).toBeVisible();

  // A form's action answers on the form, not with a crash.
  await submitSignUp(page, { name: "Outage Olga", email: uniqueEmail("outage"), password: "correct horse battery staple" });
  await expect(page.getByText("Tessera could not reach its database just now. Try again in a few seconds.")).toBeVisible();

  phase = "done";
  const answers = await running;
  const before = answers.filter((a) => a.startedAt + a.ms < stoppedAt);
  const during = answers.filter((a) => a.startedAt > stoppedAt);
  const straddling = answers.filter((a) => !before.includes(a) && !during.includes(a));
  expect(before.length).toBeGreaterThan(0);
  expect(during.length).toBeGreaterThan(20);
  // Never a bare 500 or a reset: in flight at the stop, a create either finished or was told to retry.
  expect(answers.filter((a) => a.status !== 201 && a.status !== 503), JSON.stringify(answers.filter((a) => a.status !== 201 && a.status !== 503))).toEqual([]);
  expect(during.every((a) => a.status === 503 && a.code === "service_unavailable" && /^\d+$/.test(a.retryAfter ?? ""))).toBe(true);
  const maxDuring = Math.max(...during.map((a) => a.ms));
  expect(maxDuring).toBeLessThan(ANSWER_BOUND_MS);

  // Started again: the same process answers 201 and ready within seconds.
  cluster.start();
  const restartedAt = Date.now();
  let recovered: Answer | undefined;
  while (Date.now() - restartedAt < 20_000) {
    const answer = await createVerification(server.url, key, nextRecipient());
    if (answer.status === 201) {
      recovered = answer;
      break;
    }
    expect(answer.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(recovered, "a 201 after the restart").toBeDefined();
  const recoveryMs = Date.now() - restartedAt;
  expect((await fetch(`${server.url}/api/health?deep=1`)).status).toBe(200);

  const p = (q: number, list: number[]) => list.sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(q * list.length))];
  console.log(
    `outage: ${before.length} answered before the stop, ${straddling.length} in flight at it (${straddling.map((a) => a.status).join(",")}), ` +
      `${during.length} during it: all 503 + Retry-After, p50 ${p(0.5, during.map((a) => a.ms))} ms, max ${maxDuring} ms; ` +
      `health?deep=1 503 in ${deepMs} ms; first 201 ${recoveryMs} ms after the cluster was back`,
  );
});

test("a statement held up past the statement timeout is a 503, logged with its cause and no API-key hash", async () => {
  test.setTimeout(60_000);
  const blocker = postgres(cluster.url, { max: 1, onnotice: () => {} });
  try {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const transaction = blocker.begin(async (sql) => {
      await sql`lock table api_keys in access exclusive mode`;
      locked();
      await held;
    });
    await isLocked;
    const answer = await createVerification(server.url, key, nextRecipient());
    release();
    await transaction;
    expect(answer).toMatchObject({ status: 503, code: "service_unavailable" });
    expect(answer.ms).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 100);
    expect(answer.ms).toBeLessThan(STATEMENT_TIMEOUT_MS + 1500);
    console.log(`statement timeout: 503 after ${answer.ms} ms (statement_timeout ${STATEMENT_TIMEOUT_MS} ms)`);
  } finally {
    await blocker.end();
  }
  await expect.poll(() => server.output()).toContain('"code":"57014"');
  expect(server.output()).not.toContain(keyHash);
});

test("failed queries with a recipient among their parameters: the server's output has the cause's code, never the recipient", async ({ page }) => {
  test.setTimeout(60_000);
  const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
  const refused = `refused-${Date.now().toString(36)}`;
  try {
    // Constraints that refuse one marked recipient make a query fail with it as a parameter:
    // in the Verify API (logged by its route helper) and in a form action (logged by Next itself).
    await admin.unsafe(`alter table verifications add constraint e2e_refuse_to check ("to" not like '${refused}%')`);
    await admin.unsafe(`alter table users add constraint e2e_refuse_email check (email not like '${refused}%')`);

    const recipient = `${refused}-api@example.com`;
    const answer = await createVerification(server.url, key, recipient);
    expect(answer).toMatchObject({ status: 500, code: "internal_error" });

    const email = `${refused}-form@example.com`;
    await submitSignUp(page, { name: "Refused Rita", email, password: "correct horse battery staple" });

    await expect.poll(() => server.output().split("23514").length - 1).toBeGreaterThanOrEqual(2);
    const output = server.output();
    expect(output).not.toContain(refused);
    expect(output).not.toContain(keyHash);
    expect(output).not.toContain("params:");
    // The person sees the calm page, not Next's bare one.
    await expect(page.getByRole("heading", { name: "This page could not load just now" })).toBeVisible();
  } finally {
    await admin.unsafe("alter table verifications drop constraint if exists e2e_refuse_to");
    await admin.unsafe("alter table users drop constraint if exists e2e_refuse_email");
    await admin.end();
  }
});
