import { expect, test } from "@playwright/test";
import {
  enrollTotp,
  expectAccessible,
  extractCode,
  finishRecoveryCodes,
  newAccount,
  readLatestMessage,
  screenshots,
  signUp,
  submitChallengeCode,
  uniqueEmail,
  waitForForm,
  waitForReady,
} from "./helpers";

test("an owner creates an API key (after confirming it's them), the API works with it, and stops once it is revoked", async ({ page, request }) => {
  test.setTimeout(180_000); // an enrollment, a step-up, API calls and screenshots at two widths
  await page.setViewportSize({ width: 1280, height: 900 });
  const owner = newAccount("Dora Developer");
  await signUp(page, owner);

  // Without a second factor the page explains why no key can be made yet.
  await page.getByRole("navigation", { name: "Main" }).first().getByRole("link", { name: "Team" }).click();
  await page.getByRole("navigation", { name: "Team" }).getByRole("link", { name: "Developers" }).click();
  await page.waitForURL("**/team/developers");
  await expect(page.getByText("Creating API keys needs two-factor authentication on your account")).toBeVisible();
  await expect(page.getByRole("button", { name: "Create API key" })).toHaveCount(0);
  await screenshots(page, "developers-no-factor");

  const totp = await enrollTotp(page);
  await finishRecoveryCodes(page);

  await page.goto("/team/developers");
  await waitForForm(page);
  await expect(page.getByTestId("api-keys-empty")).toContainText("No API keys yet.");
  await expect(page.getByTestId("api-credits")).toHaveText(/SMS and voice codes cost 1 credit each; this team has 50 left\./);
  await expect(page.getByRole("link", { name: "Read the API docs" })).toHaveAttribute("href", "/docs/api");
  await expect(page.getByRole("link", { name: "Add credits" })).toHaveAttribute("href", "/team/credits");
  await screenshots(page, "developers-empty");

  // A name is required (checked before anything else is asked).
  await page.getByRole("button", { name: "Create API key" }).click();
  await expect(page.getByText("Give the key a name of 1 to 60 characters, such as where it is used.")).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await screenshots(page, "developers-name-error");

  // Enrolling did not confirm this session: creating asks for the second factor again.
  await page.getByLabel("Name", { exact: true }).fill("Production backend");
  await page.getByRole("button", { name: "Create API key" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "For your security, confirm it's you with your second factor first." })).toBeVisible();
  await screenshots(page, "developers-step-up");
  await page.getByRole("link", { name: "Confirm it's you" }).click();
  await page.waitForURL("**/settings/security/confirm?next=**");
  expect(new URL(page.url()).searchParams.get("next")).toBe("/team/developers?name=Production%20backend");
  await waitForReady(page);
  await submitChallengeCode(page, await totp.next());
  await page.waitForURL((url) => url.pathname === "/team/developers");
  await waitForForm(page);

  // Back with the name still typed in.
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Production backend");
  await page.getByRole("button", { name: "Create API key" }).click();
  const created = page.getByTestId("new-api-key");
  await expect(created.getByRole("heading", { name: "Your new key for “Production backend”" })).toBeFocused();
  await expect(created).toContainText("Copy it now: it won't be shown again.");
  const key = await created.getByLabel("API key", { exact: true }).inputValue();
  expect(key).toMatch(/^tsk_live_[A-Za-z0-9_-]{32}$/);
  await expect(created.getByLabel("API key", { exact: true })).toHaveAttribute("readonly", "");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await created.getByRole("button", { name: "Copy" }).click();
  await expect(created.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  // The list under it already has the key, by its start only.
  const row = page.getByTestId("api-key-row").filter({ hasText: "Production backend" });
  await expect(row).toContainText(`${key.slice(0, 17)}…`);
  await expect(page.locator("body")).not.toContainText(key.slice(17));
  await expectAccessible(page, "/team/developers (new key shown)");
  await screenshots(page, "developers-created");

  await created.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("new-api-key")).toHaveCount(0);
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("");
  await expect(page.locator("body")).not.toContainText(key);
  await expect(row.getByTestId("api-key-status")).toHaveText("Active");
  await expect(row).toContainText("Never");
  await expect(row).toContainText("by Dora Developer");

  // The key works: send a code by email, read it from the outbox, check it.
  const to = uniqueEmail("api-user");
  const auth = { Authorization: `Bearer ${key}` };
  const sent = await request.post("/api/v1/verifications", { headers: auth, data: { to, channel: "email" } });
  expect(sent.status()).toBe(201);
  const verification = await sent.json();
  expect(verification).toMatchObject({ to, channel: "email", status: "pending", attempts_left: 5 });
  const code = extractCode(await readLatestMessage(page, to));
  expect(JSON.stringify(verification)).not.toContain(code);
  const checked = await request.post(`/api/v1/verifications/${verification.id}/check`, { headers: auth, data: { code } });
  expect(checked.status()).toBe(200);
  expect(await checked.json()).toMatchObject({ id: verification.id, status: "approved" });

  await page.reload();
  await waitForForm(page);
  await expect(row).toContainText("just now");
  await page.getByLabel("Name", { exact: true }).fill("Staging");
  await page.getByRole("button", { name: "Create API key" }).click();
  await page.getByTestId("new-api-key").getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("api-key-row")).toHaveCount(2);
  await screenshots(page, "developers-keys");

  // Revoking asks first, then the API refuses the key.
  await row.getByRole("button", { name: "Revoke Production backend" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke “Production backend”?" });
  await expect(dialog).toContainText(`${key.slice(0, 17)}…`);
  await expectAccessible(page, "/team/developers (revoke dialog)");
  await screenshots(page, "developers-revoke-dialog");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row.getByTestId("api-key-status")).toHaveText("Active");

  await row.getByRole("button", { name: "Revoke Production backend" }).click();
  await dialog.getByRole("button", { name: "Revoke key" }).click();
  await expect(page.getByTestId("api-key-notice")).toContainText("“Production backend” was revoked.");
  await expect(row.getByTestId("api-key-status")).toHaveText(/^Revoked /);
  await expect(row.getByRole("button", { name: /Revoke/ })).toHaveCount(0);
  // Revoked keys go last.
  await expect(page.getByTestId("api-key-row").last()).toContainText("Production backend");
  await screenshots(page, "developers-revoked");

  const refused = await request.get(`/api/v1/verifications/${verification.id}`, { headers: auth });
  expect(refused.status()).toBe(401);
  expect(refused.headers()["www-authenticate"]).toBe("Bearer");
  expect((await refused.json()).error.code).toBe("unauthorized");

  // Both events are in the team's audit log, with who did it and the key's start only.
  await page.goto("/team/audit");
  const audit = page.getByTestId("audit-row");
  await expect(audit.filter({ hasText: "API key revoked" }).filter({ hasText: `Key: ${key.slice(0, 17)}…` })).toHaveCount(1);
  await expect(audit.filter({ hasText: "API key created" }).filter({ hasText: "Name: “Production backend”" })).toHaveCount(1);
  await expect(audit.filter({ hasText: "API key created" }).first()).toContainText("Dora Developer");
  await expect(page.locator("body")).not.toContainText(key);
});
