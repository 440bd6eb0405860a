import { expect, test, type Browser } from "@playwright/test";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * JavaScript each page makes a first-time visitor download.
 *
 * Measured bytes: `request.sizes()` — `responseBodySize` (the body as transferred, i.e.
 * still gzip-compressed; `next start` compresses static chunks) plus `responseHeadersSize`.
 * `content-length` is recorded too where the server sent one (compressed responses are
 * chunked, so usually it is absent). Each page loads in a fresh context: empty HTTP cache.
 *
 * Baseline: the not-found page is the smallest page the app renders — the framework's floor
 * in this very build. The pages' figures above it are what the app itself adds.
 */
const KiB = 1024;
const SIGN_IN_BUDGET = 400 * KiB;
const OUT_FILE = fileURLToPath(new URL("./results/page-weight.json", import.meta.url));

type ScriptEntry = { url: string; status: number; body: number; headers: number; contentLength: number | null; decoded: number };
type PageWeight = { path: string; status: number; scripts: number; transferred: number; body: number; decoded: number; files: ScriptEntry[] };

async function measure(browser: Browser, path: string): Promise<PageWeight> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pending: Promise<ScriptEntry>[] = [];
  page.on("response", (response) => {
    if (response.request().resourceType() !== "script") return;
    pending.push(
      (async () => {
        const sizes = await response.request().sizes();
        const length = response.headers()["content-length"];
        const decoded = (await response.body().catch(() => Buffer.alloc(0))).length;
        return {
          url: new URL(response.url()).pathname,
          status: response.status(),
          body: sizes.responseBodySize,
          headers: sizes.responseHeadersSize,
          contentLength: length === undefined ? null : Number(length),
          decoded,
        };
      })(),
    );
  });
  const response = await page.goto(path, { waitUntil: "load" });
  await page.waitForLoadState("networkidle");
  const files = await Promise.all(pending);
  await context.close();
  const sum = (pick: (f: ScriptEntry) => number) => files.reduce((total, f) => total + pick(f), 0);
  return {
    path,
    status: response?.status() ?? 0,
    scripts: files.length,
    transferred: sum((f) => f.body + f.headers),
    body: sum((f) => f.body),
    decoded: sum((f) => f.decoded),
    files,
  };
}

const kib = (bytes: number) => `${(bytes / KiB).toFixed(1)} KiB`;

test("script weight of sign-in and sign-up against the framework floor", async ({ browser }) => {
  const baseline = await measure(browser, "/this-page-does-not-exist");
  expect(baseline.status).toBe(404);
  const signIn = await measure(browser, "/sign-in");
  const signUp = await measure(browser, "/sign-up");
  expect(signIn.status).toBe(200);
  expect(signUp.status).toBe(200);

  const summary = (w: PageWeight) => ({
    path: w.path,
    scripts: w.scripts,
    transferredBytes: w.transferred,
    compressedBodyBytes: w.body,
    decodedBytes: w.decoded,
    aboveBaselineBytes: w.transferred - baseline.transferred,
  });
  const report = {
    measuredAt: new Date().toISOString(),
    method:
      "Sum over resourceType=script responses in a fresh context (empty cache) until networkidle; transferredBytes = request.sizes().responseBodySize (compressed, as sent) + responseHeadersSize; decodedBytes = uncompressed body length.",
    budget: { path: "/sign-in", maxTransferredBytes: SIGN_IN_BUDGET },
    baseline: summary(baseline),
    pages: [summary(signIn), summary(signUp)],
    files: { baseline: baseline.files, signIn: signIn.files, signUp: signUp.files },
  };
  fs.mkdirSync(fileURLToPath(new URL("./results/", import.meta.url)), { recursive: true });
  fs.writeFileSync(OUT_FILE, JSON.stringify(report, null, 2));

  for (const w of [baseline, signIn, signUp]) {
    console.log(
      `[page-weight] ${w.path.padEnd(26)} ${String(w.scripts).padStart(2)} scripts  ${kib(w.transferred).padStart(10)} transferred` +
        `  ${kib(w.decoded).padStart(10)} decoded  ${w === baseline ? "(baseline)" : `+${kib(w.transferred - baseline.transferred)} over baseline`}`,
    );
  }
  console.log(`[page-weight] written to ${OUT_FILE}`);

  expect(signIn.scripts).toBeGreaterThan(0);
  expect(signIn.transferred, `sign-in loads ${kib(signIn.transferred)} of script`).toBeLessThan(SIGN_IN_BUDGET);
});
