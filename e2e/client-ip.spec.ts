import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { newAccount, signUp, waitForForm } from "./helpers";

/**
 * The per-IP password limit (IP_ATTEMPT_LIMIT in lib/auth/sign-in.ts: 100 in 15 minutes) over
 * real HTTP, as an attacker runs it: the sign-in form's own server-action POST, replayed with a
 * new forged X-Forwarded-For and a new email (same length, so the per-account limit never trips)
 * every time. The address Tessera counts must be the one it can trust — the TCP peer, or what
 * the configured number of proxies appended — never what the client wrote.
 *
 * The replays go out through node:http rather than Playwright's `request`, because they need
 * their own loopback source address (Playwright's client cannot bind one): the browser tests
 * in this suite all come from 127.0.0.1 or ::1, and must not find that address's budget spent.
 */
const IP_LIMIT = 100;
const WRONG = "Wrong email or password.";
const LIMITED = "Too many attempts from your network";

type Outcome = "wrong" | "limited" | "other";
type CapturedPost = { path: string; headers: Record<string, string>; body: string; email: string };

/** A loopback address of its own for one client (Linux routes all of 127.0.0.0/8 to lo). */
function loopbackAddress(): string {
  return `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

function forgedAddress(): string {
  return `${randomInt(1, 224)}.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

/** Signs in once with a wrong password through the real form, and keeps the POST it made. */
async function captureSignInPost(page: Page, baseURL: string): Promise<CapturedPost> {
  const email = `ip-${randomBytes(4).toString("hex")}-000@example.com`;
  await page.goto(`${baseURL}/sign-in`);
  await waitForForm(page);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill("not the password");
  const posted = page.waitForRequest((r) => r.method() === "POST" && r.headers()["next-action"] !== undefined);
  await page.getByRole("button", { name: "Sign in" }).click();
  const request = await posted;
  await expect(page.getByText(WRONG)).toBeVisible();
  const headers = await request.allHeaders();
  for (const name of Object.keys(headers)) if (name.startsWith(":") || name === "content-length" || name === "cookie" || name === "accept-encoding") delete headers[name];
  return { path: new URL(request.url()).pathname, headers, body: request.postData() ?? "", email };
}

/** One replay of the captured POST to `target`, from `localAddress`, with a new email. */
function replay(post: CapturedPost, target: URL, localAddress: string, n: number, forwardedFor?: string): Promise<Outcome> {
  const email = post.email.replace("-000@", `-${String(n).padStart(3, "0")}@`);
  const body = Buffer.from(post.body.replace(post.email, email));
  const headers = { ...post.headers, host: target.host, "content-length": String(body.length), ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) };
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port: target.port, path: post.path, method: "POST", headers, localAddress }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (text += chunk));
      response.on("end", () => resolve(text.includes(LIMITED) ? "limited" : text.includes(WRONG) ? "wrong" : "other"));
    });
    request.on("error", reject);
    request.end(body);
  });
}

/** `count` attempts one after another, each with a forged X-Forwarded-For; the outcome of each in order. */
async function attack(post: CapturedPost, target: URL, localAddress: string, count: number, first = 1): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let n = first; n < first + count; n += 1) outcomes.push(await replay(post, target, localAddress, n, forgedAddress()));
  return outcomes;
}

const tally = (outcomes: Outcome[]) => ({
  wrong: outcomes.filter((o) => o === "wrong").length,
  limited: outcomes.filter((o) => o === "limited").length,
  other: outcomes.filter((o) => o === "other").length,
});

test("bare server (TRUSTED_PROXY_HOPS=0): 200 password attempts with 200 forged X-Forwarded-For stop at the per-IP limit", async ({ page, baseURL }) => {
  test.setTimeout(90_000);
  const started = Date.now();
  const post = await captureSignInPost(page, baseURL!);
  const outcomes = await attack(post, new URL(baseURL!), loopbackAddress(), 2 * IP_LIMIT);
  console.log(`hops=0: ${JSON.stringify(tally(outcomes))} in ${Date.now() - started} ms`);
  expect(outcomes.slice(0, IP_LIMIT)).toEqual(Array(IP_LIMIT).fill("wrong"));
  expect(outcomes.slice(IP_LIMIT)).toEqual(Array(IP_LIMIT).fill("limited"));
});

const FORGED_BY_BROWSER = "198.51.100.23";

/**
 * Signs up in a browser that sends a forged X-Forwarded-For with every request, and checks the
 * address Settings → Security shows for this session: the browser's own loopback address, and
 * none of `notShown`.
 */
async function expectSessionShowsRealAddress(browser: Browser, baseURL: string, name: string, notShown: string[]): Promise<void> {
  const context = await browser.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": FORGED_BY_BROWSER } });
  const page = await context.newPage();
  await signUp(page, newAccount(name));
  await page.goto("/settings/security");
  const session = page.getByRole("list", { name: "Active sessions" }).getByRole("listitem").filter({ hasText: "This device" });
  await expect(session).toContainText(/127\.0\.0\.1|::1/);
  for (const address of [FORGED_BY_BROWSER, ...notShown]) await expect(session).not.toContainText(address);
  await context.close();
}

test("a forged X-Forwarded-For never shows as the address of a session", async ({ browser, baseURL }) => {
  await expectSessionShowsRealAddress(browser, baseURL!, "Radia Perlman", []);
});

// ---------------------------------------------------------------------------------------
// Behind one proxy (TRUSTED_PROXY_HOPS=1): a second server of the same build, and a proxy
// that does what nginx's `proxy_add_x_forwarded_for` does.

async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Appends the client's socket address to X-Forwarded-For and forwards, from its own address `from`. */
async function startProxy(port: number, upstreamPort: number, from: string): Promise<http.Server> {
  const proxy = http.createServer((req, res) => {
    const peer = (req.socket.remoteAddress ?? "").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
    const forwarded = req.headers["x-forwarded-for"];
    const headers = { ...req.headers, "x-forwarded-for": forwarded ? `${forwarded}, ${peer}` : peer };
    const upstream = http.request({ host: "127.0.0.1", port: upstreamPort, path: req.url, method: req.method, headers, localAddress: from }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(port, resolve));
  return proxy;
}

async function startServer(port: number, env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ["scripts/server.mjs", "-p", String(port)], {
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the second server exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return { child, output: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill("SIGKILL");
  throw new Error(`the second server did not answer within 60 s:\n${output}`);
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

test("behind one proxy (TRUSTED_PROXY_HOPS=1): the address the proxy saw counts, whatever the client wrote", async ({ browser }) => {
  test.setTimeout(120_000);
  const started = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-e2e-hops-"));
  const serverPort = await freePort();
  const proxyPort = await freePort();
  const proxyFrom = "127.0.0.9"; // the proxy's own address: the server's TCP peer
  const proxyURL = new URL(`http://localhost:${proxyPort}`);
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let proxy: http.Server | undefined;
  try {
    server = await startServer(serverPort, {
      TRUSTED_PROXY_HOPS: "1",
      TESSERA_DATA_DIR: dataDir,
      TESSERA_SECRET: randomBytes(32).toString("base64url"),
      NEXTAUTH_URL: proxyURL.origin,
      TESSERA_DEV_OUTBOX: "1",
      TESSERA_SIGNUPS_PER_IP_PER_HOUR: "1000",
    });
    proxy = await startProxy(proxyPort, serverPort, proxyFrom);
    console.log(`second server and proxy up in ${Date.now() - started} ms`);

    // A person behind the proxy whose browser also sends a forged header: their session shows
    // the address the proxy saw — not the forged one, and not the proxy's.
    await expectSessionShowsRealAddress(browser, proxyURL.origin, "Vint Cerf", [proxyFrom]);

    const signInPage = await browser.newPage();
    const post = await captureSignInPost(signInPage, proxyURL.origin);
    await signInPage.close();

    const attackerAddress = loopbackAddress();
    const attacker = await attack(post, proxyURL, attackerAddress, 2 * IP_LIMIT);
    console.log(`hops=1, attacker: ${JSON.stringify(tally(attacker))}`);
    expect(attacker.slice(0, IP_LIMIT)).toEqual(Array(IP_LIMIT).fill("wrong"));
    expect(attacker.slice(IP_LIMIT)).toEqual(Array(IP_LIMIT).fill("limited"));

    // Another client behind the same proxy has a budget of its own.
    let neighbourAddress = loopbackAddress();
    while (neighbourAddress === attackerAddress) neighbourAddress = loopbackAddress();
    const neighbour = await attack(post, proxyURL, neighbourAddress, 3, 2 * IP_LIMIT + 1);
    expect(neighbour).toEqual(["wrong", "wrong", "wrong"]);
    console.log(`hops=1 test in ${Date.now() - started} ms`);
  } finally {
    if (proxy) {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy!.close(resolve));
    }
    if (server) await stopServer(server.child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
