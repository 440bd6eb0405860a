import { expect, test } from "@playwright/test";
import {
  enrollTotp,
  expectAccessible,
  extractCode,
  finishRecoveryCodes,
  newAccount,
  readLatestMessage,
  screenshots,
  signInToChallenge,
  signOut,
  signUp,
  submitChallengeCode,
  TEST_PHONE,
  TEST_PHONE_E164,
  waitForForm,
  waitForReady,
} from "./helpers";

test("fraud controls reach the person: refused numbers on the phone field, and a paused team at sign-in", async ({ page, request }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  const owner = newAccount("Pia Pumping");
  await signUp(page, owner);
  const totp = await enrollTotp(page);
  await finishRecoveryCodes(page);

  // An API key (a team-wide change: confirmed with the app).
  await page.goto("/team/developers");
  await waitForForm(page);
  await page.getByLabel("Name", { exact: true }).fill("Backend");
  await page.getByRole("button", { name: "Create API key" }).click();
  await page.getByRole("link", { name: "Confirm it's you" }).click();
  await page.waitForURL("**/settings/security/confirm?next=**");
  await waitForReady(page);
  await submitChallengeCode(page, await totp.next());
  await page.waitForURL((url) => url.pathname === "/team/developers");
  await waitForForm(page);
  await page.getByRole("button", { name: "Create API key" }).click();
  const key = await page.getByTestId("new-api-key").getByLabel("API key", { exact: true }).inputValue();

  // The SMS wizard: a premium-rate number and a landline are refused on the phone field, with why.
  await page.goto("/settings/security/add/sms");
  await waitForReady(page);
  const phone = page.getByLabel("Phone number");
  await phone.fill("+44 871 234 5678");
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText("That number is a premium-rate number, which can't receive codes")).toBeVisible();
  await expect(phone).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page, "/settings/security/add/sms (premium-rate number)");
  await screenshots(page, "sms-wizard-premium-rate");
  await phone.fill("+44 20 7946 0958");
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText("That number is a landline, which can't receive text messages. Enter a mobile number.")).toBeVisible();
  await screenshots(page, "sms-wizard-landline");
  await phone.fill("+55 11 98765 4321");
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText(/doesn't send codes to phone numbers in Brazil\. .*Team → SMS & voice\./)).toBeVisible();
  await screenshots(page, "sms-wizard-country");

  // A mobile number in an allowed country enrolls as usual.
  await phone.fill(TEST_PHONE);
  await page.getByRole("button", { name: "Send code" }).click();
  // The code field shows once the send is done: reading the outbox before it can find an earlier
  // spec's message to the same test number (a voice call's once made this fail).
  const codeField = page.getByLabel("6-digit code", { exact: true });
  await expect(codeField).toBeVisible();
  await codeField.fill(extractCode(await readLatestMessage(page, TEST_PHONE_E164, { contains: /Your Tessera code is \d{6}/ })));
  await page.getByRole("button", { name: "Verify and turn on" }).click();
  await page.waitForURL(/\/settings\/security\?added=/);

  // SMS pumping through the API: 21 codes to one block of 1,000 numbers. The 21st pauses the team.
  const auth = { Authorization: `Bearer ${key}` };
  const statuses: number[] = [];
  for (let i = 0; i <= 20; i++) {
    const to = `+447400123${String(i).padStart(3, "0")}`;
    statuses.push((await request.post("/api/v1/verifications", { headers: auth, data: { to, channel: "sms" } })).status());
  }
  expect(statuses.slice(0, 20)).toEqual(Array(20).fill(201));
  expect(statuses[20]).toBe(429);
  const paused = await request.post("/api/v1/verifications", { headers: auth, data: { to: "+33612345678", channel: "sms" } });
  expect(paused.status()).toBe(403);
  expect((await paused.json()).error.code).toBe("sms_paused");
  const notice = await readLatestMessage(page, owner.email, { contains: "paused text messages and voice calls" });
  expect(notice).toContain("+447400123xxx");

  // The owner signs in: the texted code is refused with the reason, and the other methods are offered.
  await signOut(page);
  await signInToChallenge(page, owner.email, owner.password);
  await page.getByText("Use another method").click();
  await page.getByRole("button", { name: /Text a code/ }).click();
  await page.getByRole("button", { name: "Text me a code" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /Text messages and calls are paused for .+ after an unusual burst of codes/ })).toBeVisible();
  await expect(page.getByRole("button", { name: /Authenticator app/ })).toBeVisible();
  await expectAccessible(page, "/sign-in/challenge (SMS paused)");
  await screenshots(page, "challenge-sms-paused");
  await page.getByRole("button", { name: /Authenticator app/ }).click();
  await submitChallengeCode(page, await totp.next());
  await page.waitForURL("**/dashboard");
});
