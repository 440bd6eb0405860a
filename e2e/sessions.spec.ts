import { expect, test } from "@playwright/test";
import { newAccount, signIn, signOut, signUp, waitForForm } from "./helpers";

test("'Sign out all other sessions' ends the other browser's session, not this one", async ({ browser }) => {
  const account = newAccount("Grace Hopper");
  const laptop = await browser.newContext();
  const phone = await browser.newContext();
  const laptopPage = await laptop.newPage();
  const phonePage = await phone.newPage();

  await signUp(laptopPage, account);
  await signIn(phonePage, account.email, account.password);
  await expect(phonePage.getByRole("heading", { name: `Welcome, ${account.name}` })).toBeVisible();

  await laptopPage.goto("/settings/security");
  const sessions = laptopPage.getByRole("list", { name: "Active sessions" }).getByRole("listitem");
  await expect(sessions).toHaveCount(2);
  await expect(sessions.filter({ hasText: "This device" })).toHaveCount(1);
  await laptopPage.getByRole("button", { name: "Sign out all other sessions" }).click();
  await expect(laptopPage.getByText("1 other session was signed out.")).toBeVisible();
  await expect(sessions).toHaveCount(1);

  await phonePage.goto("/dashboard");
  await phonePage.waitForURL("**/sign-in**");
  await laptopPage.goto("/dashboard");
  await expect(laptopPage.getByRole("heading", { name: `Welcome, ${account.name}` })).toBeVisible();
  await laptop.close();
  await phone.close();
});

test("'Sign out' beside one session ends that browser's session only; the list shows browser, IP and last activity", async ({ browser }) => {
  const account = newAccount("Katherine Johnson");
  const laptop = await browser.newContext();
  const phone = await browser.newContext({ userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1" });
  const laptopPage = await laptop.newPage();
  const phonePage = await phone.newPage();

  await signUp(laptopPage, account);
  await signIn(phonePage, account.email, account.password);
  await expect(phonePage.getByRole("heading", { name: `Welcome, ${account.name}` })).toBeVisible();

  await laptopPage.goto("/settings/security");
  const sessions = laptopPage.getByRole("list", { name: "Active sessions" }).getByRole("listitem");
  await expect(sessions).toHaveCount(2);
  const here = sessions.filter({ hasText: "This device" });
  const other = sessions.filter({ hasText: "Safari on iOS" });
  await expect(other).toContainText("Last active");
  await expect(other).toContainText("Signed in");
  await expect(other).toContainText(/127\.0\.0\.1|::1|Unknown IP address/);
  // The current session has no per-session button (the account menu signs it out).
  await expect(here.getByRole("button", { name: /^Sign out/ })).toHaveCount(0);

  await other.getByRole("button", { name: /^Sign out Safari on iOS/ }).click();
  await expect(sessions).toHaveCount(1);
  await expect(sessions.first()).toContainText("This device");

  await phonePage.goto("/dashboard");
  await phonePage.waitForURL("**/sign-in**");
  await laptopPage.goto("/dashboard");
  await expect(laptopPage.getByRole("heading", { name: `Welcome, ${account.name}` })).toBeVisible();
  await laptop.close();
  await phone.close();
});

test("an action sent from a page whose session has ended is refused", async ({ browser }) => {
  const account = newAccount();
  const context = await browser.newContext();
  const stale = await context.newPage();
  await signUp(stale, account);
  await stale.goto("/settings/security");
  await stale.getByRole("button", { name: "Sign out all other sessions" }).waitFor();

  // Sign out in another tab of the same browser: the stale tab still shows the page.
  const other = await context.newPage();
  await other.goto("/dashboard");
  await signOut(other);
  await waitForForm(other);

  // The security page's action runs with no live session: refused, nothing changes.
  await stale.evaluate(() => {
    // The button is disabled with a single session; enable it to send the action anyway.
    document.querySelectorAll("button[disabled]").forEach((b) => b.removeAttribute("disabled"));
  });
  await stale.getByRole("button", { name: "Sign out all other sessions" }).click();
  await expect(stale.getByText("Your session has ended. Sign in again.")).toBeVisible();
  await context.close();
});
