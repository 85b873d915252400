// Runs after every other project (playwright.config.ts): the policy binds the whole server.
import { test, expect, waitForHydration, createUser, submitLogin, ADMIN_PASSWORD } from './fixtures';
import { confirmWith, openTokens } from './tokens.helpers';

test.afterAll(async ({ browser, baseURL }) => {
  // Leave the server as the other tests expect it, whatever happened.
  const page = await browser.newPage({ baseURL });
  const signedIn = await page.request.post('/login', {
    form: { login: 'admin', password: ADMIN_PASSWORD },
    headers: { 'sec-fetch-site': 'same-origin' },
    maxRedirects: 0,
  });
  expect(signedIn.status()).toBe(303);
  const reset = await page.request.put('/api/v1/admin/policy', {
    data: { password: ADMIN_PASSWORD },
    headers: { 'sec-fetch-site': 'same-origin' },
  });
  expect(reset.status(), await reset.text()).toBe(200);
  await page.close();
});

test('an admin sets a policy; the Access Tokens dialog explains it before and after submitting', async ({ page, browser }) => {
  await page.goto('/login?next=/admin/policies');
  await waitForHydration(page);
  await submitLogin(page, 'admin', ADMIN_PASSWORD);
  await expect(page).toHaveURL(/\/admin\/policies$/);
  await waitForHydration(page);
  await page.getByLabel('Maximum lifetime').fill('30d');
  await page.getByRole('group', { name: 'API sets people may choose' }).getByRole('checkbox', { name: 'Extended Access' }).uncheck();
  await page.getByLabel('Calls per person').fill('often');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.locator('#policy-owner-rate-limit-error')).toContainText('600/min');
  await page.getByLabel('Calls per person').fill('6000/h');
  await page
    .getByRole('group', { name: 'Tokens must list the addresses they are used from, for' })
    .getByRole('checkbox', { name: 'Marketplace' })
    .check();
  await page.getByRole('button', { name: 'Save policy' }).click();
  await confirmWith(page, ADMIN_PASSWORD);
  await expect(page.getByRole('status')).toContainText('The policy is saved.');
  await expect(page.locator('.policy-current')).toContainText('Tokens live at most 30d.');
  await expect(page.locator('.policy-current')).toContainText('API sets allowed: IDE Plugins, Marketplace, Maven Plugin.');
  await expect(page.locator('.policy-current')).toContainText("Each person's tokens together make at most 6000/h calls.");
  await expect(page.locator('.policy-current')).toContainText('Tokens must list their allowed addresses for: Marketplace.');

  const user = createUser('policy');
  const context = await browser.newContext();
  const userPage = await context.newPage();
  await openTokens(userPage, user);
  await userPage.getByRole('button', { name: 'Generate', exact: true }).click();
  const dialog = userPage.getByRole('dialog', { name: 'Generate access token' });
  await dialog.getByLabel('Description', { exact: true }).fill('Under policy');
  await expect(dialog.getByRole('radio', { name: 'Never' })).toHaveCount(0);
  // The suggested date (30 days out) is the policy's latest: a 30-day token ends the day before.
  const latest = await dialog.getByLabel('Expires At', { exact: true }).inputValue();
  await expect(dialog.getByText(`The latest date allowed is ${latest}.`)).toBeVisible();
  await expect(dialog.getByText(/The latest date allowed is \d\d-\d\d-\d{4}\./)).toBeVisible();
  const expiryHint = dialog.locator('#token-expires-help');
  await expect(expiryHint).toContainText("This server's policy requires every token to expire.");
  await expect(expiryHint).not.toContainText('does not expire');
  await expect(dialog.getByRole('option', { name: 'Extended Access (not allowed)' })).toBeDisabled();

  await dialog.getByLabel('Expires At', { exact: true }).fill('31-12-2099');
  await expect(dialog.getByText('31-12-2099 is too far ahead')).toBeVisible();
  await dialog.getByLabel('Expires At', { exact: true }).fill('');
  await dialog.getByLabel('API set').selectOption({ label: 'Marketplace' });
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await expect(dialog.getByText('Enter a date as dd-mm-yyyy')).toBeVisible();
  await dialog.getByRole('radio', { name: 'Hard Limit: duration' }).check();
  await dialog.getByLabel('Expires after').fill('31d');
  await expect(dialog.locator('#token-duration-help')).toContainText('This server allows at most 30d.');
  await expect(dialog.getByText('allows tokens to live at most 30d')).toBeVisible();
  await dialog.getByRole('radio', { name: 'Hard Limit: date' }).check();
  await dialog.getByRole('button', { name: 'Calendar' }).click();
  await dialog.getByRole('button', { name: 'Next month' }).click();
  await dialog.getByRole('button', { name: /^1 / }).click();
  // Marketplace tokens must say where they are used from: the limits open with the reason.
  await expect(dialog.locator('#token-allowed-ips-error')).toContainText('requires tokens with the API set “Marketplace”');
  await dialog.getByLabel('Allowed addresses').fill('127.0.0.1');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await confirmWith(userPage, user.password);
  await expect(userPage.getByRole('dialog', { name: 'Your new access token' })).toBeVisible();
  await context.close();
});
