import { expect, test } from "@playwright/test";
import {
  acceptAsNewAccount,
  expectAccessible,
  inviteMember,
  newAccount,
  ownerAndMember,
  readLatestMessage,
  screenshot,
  signInToChallenge,
  signOut,
  signUp,
  submitChallengeCode,
  submitSignIn,
  waitForReady,
} from "./helpers";

test("an owner sees a member's 2FA status and resets it, after confirming it's them", async ({ page }) => {
  test.setTimeout(180_000); // two accounts, two enrollments, a step-up and an axe scan
  const { owner, ownerTotp, member } = await ownerAndMember(page, { owner: "Olivia Owner", member: "Mia Member" });

  // The owner signs in once remembering this browser, then again through it: this session has
  // seen no second factor, so the reset will ask for one.
  await signInToChallenge(page, owner.email, owner.password);
  await submitChallengeCode(page, await ownerTotp.next(), { remember: true });
  await page.waitForURL("**/dashboard");
  await signOut(page);
  await submitSignIn(page, owner.email, owner.password);
  await page.waitForURL("**/dashboard");

  await page.goto("/team/members");
  await expect(page.getByTestId("members-summary")).toHaveText("2 of 2 members use two-factor authentication");
  const row = page.getByTestId("member-row").filter({ hasText: member.email });
  await expect(row.getByTestId("member-status")).toHaveText("On");
  await expect(row.getByRole("img", { name: "Authenticator app" })).toHaveCount(2); // a method, and the default
  await expect(row).toContainText("10");
  await waitForReady(page);
  await expectAccessible(page, "/team/members");
  await screenshot(page, "members-list");

  // Search (a plain GET form) narrows the list; a search for nobody says so.
  await page.getByLabel("Search").fill(member.email.toUpperCase());
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("member-row")).toHaveCount(1);
  await expect(page.getByTestId("members-range")).toHaveText("Showing 1–1 of 1");
  await page.goto("/team/members?q=nobody-by-this-name");
  await expect(page.getByTestId("members-empty")).toContainText("No members match “nobody-by-this-name”");
  await page.goto("/team/members");
  await waitForReady(page);

  const open = async () => {
    await row.getByRole("button", { name: `Actions for ${member.name}` }).click();
    await page.getByRole("button", { name: "Reset two-factor authentication…" }).click();
    const dialog = page.getByRole("dialog", { name: `Reset ${member.name}'s two-factor authentication?` });
    await dialog.getByRole("button", { name: "Request reset" }).click();
    return dialog;
  };
  const dialog = await open();
  await expect(dialog.getByRole("alert")).toContainText("For your security, confirm it's you with your second factor first.");
  await expect(row.getByTestId("member-status")).toHaveText("On");
  await screenshot(page, "members-reset-step-up");
  await dialog.getByRole("link", { name: "Confirm it's you" }).click();
  await page.waitForURL("**/settings/security/confirm?next=**");
  expect(new URL(page.url()).searchParams.get("next")).toBe("/team/members");
  await waitForReady(page);
  await submitChallengeCode(page, await ownerTotp.next());
  await page.waitForURL((url) => url.pathname === "/team/members");
  await waitForReady(page);

  await open();
  // A request: nothing is removed until the member uses it at sign-in (e2e/admin-reset.spec.ts).
  await expect(page.getByTestId("members-notice")).toContainText(`Reset requested for ${member.name}. Nothing was removed`);
  await expect(row.getByTestId("member-status")).toHaveText("On");
  await expect(row.getByTestId("member-reset")).toContainText("Reset pending");
  await expect(page.getByTestId("members-summary")).toHaveText("2 of 2 members use two-factor authentication");
  await screenshot(page, "members-reset-done");
  const mail = await readLatestMessage(page, member.email, { contains: "asked to reset two-factor authentication" });
  expect(mail).toContain(`${owner.name}, an owner of ${owner.name}'s team, asked to reset two-factor authentication on your Tessera account.`);
  expect(mail).not.toContain(owner.email);

  // The owner withdraws it again.
  await row.getByRole("button", { name: `Actions for ${member.name}` }).click();
  await page.getByRole("button", { name: "Withdraw reset request" }).click();
  await expect(page.getByTestId("members-notice")).toContainText(`The reset request for ${member.name} was withdrawn.`);
  await expect(row.getByTestId("member-reset")).toHaveCount(0);
});

test("a member of the team does not see the team pages", async ({ page }) => {
  test.setTimeout(120_000);
  const owner = newAccount("Owen Owner");
  await signUp(page, owner);
  const member = newAccount("Max Member");
  const path = await inviteMember(page, member.email);
  await signOut(page);
  await acceptAsNewAccount(page, path, member);

  // The switcher now points at the owner's team, where this account is a plain member.
  await page.goto("/team/members");
  await page.waitForURL("**/dashboard");
});
