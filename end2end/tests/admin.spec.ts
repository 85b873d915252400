import { randomBytes } from 'node:crypto';

import type { APIRequestContext, Page } from '@playwright/test';

import { test, expect, waitForHydration, createUser, submitLogin, ADMIN_PASSWORD } from './fixtures';
import { takeValue } from './tokens.helpers';

/** Signs in as the first admin and opens `path`, hydrated. */
async function asAdmin(page: Page, path: string): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(path)}`);
  await waitForHydration(page);
  await submitLogin(page, 'admin', ADMIN_PASSWORD);
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[?]/g, '\\?')}$`));
  await waitForHydration(page);
}

async function confirmAsAdmin(page: Page): Promise<void> {
  const dialog = page.getByRole('dialog', { name: /Confirm with your password|Remove access tokens|Disable user|Enable user/ });
  await dialog.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
  await dialog.getByRole('button', { name: /Confirm|Remove|Disable|Enable/ }).click();
  await expect(dialog).toBeHidden();
}

/** Makes a token for the user whose page is open; returns its value from the one-time reveal. */
async function newTokenFor(page: Page, name: string, model: 'Hard Limit' | 'Auto Refresh', duration: string): Promise<string> {
  await page.getByRole('button', { name: '+ New token' }).click();
  const dialog = page.getByRole('dialog', { name: /New access token for/ });
  await dialog.getByLabel('Description', { exact: true }).fill(name);
  // Hard Limit after a duration is the admin dialog's default, as in the CLI's --expire.
  await expect(dialog.getByRole('radio', { name: 'Hard Limit: duration' })).toBeChecked();
  if (model === 'Hard Limit') {
    await dialog.getByLabel('Expires after').fill(duration);
  } else {
    await dialog.getByRole('radio', { name: 'Auto Refresh' }).check();
    await dialog.getByLabel('Renews for').fill(duration);
  }
  await dialog.getByLabel('API set').selectOption({ label: 'Extended Access' });
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await confirmAsAdmin(page);
  return takeValue(page);
}

async function introspect(request: APIRequestContext, token: string) {
  const response = await request.get('/api/v1/tokens/self', { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status(), body: await response.json() };
}

async function userInfo(request: APIRequestContext, token: string) {
  return (await request.get(`/1.0/users/account/rest/getuserinfo?session=${token}`)).json();
}

test('an admin creates a user and an Auto Refresh token for them; use moves its expiry forward', async ({ page, request }) => {
  await asAdmin(page, '/admin/people');
  const login = `carol-${randomBytes(3).toString('hex')}`;
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.getByLabel('Login').fill(login);
  await dialog.getByLabel('Name').fill('Carol Example');
  await dialog.getByLabel('Initial password').fill('carol initial password');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await confirmAsAdmin(page);
  await expect(page).toHaveURL(new RegExp(`/admin/people/${login}$`));
  await expect(page.getByRole('heading', { name: 'Carol Example' })).toBeVisible();
  await expect(page.getByText(`${login} has no access tokens.`)).toBeVisible();

  const value = await newTokenFor(page, 'Carol CI', 'Auto Refresh', '1h');
  const row = page.getByRole('row').filter({ hasText: 'Carol CI' });
  await expect(row).toContainText('Active');
  await expect(row).toContainText('auto refresh');
  await expect(row).toContainText('by admin');
  expect(await page.content()).not.toContain(value);

  const info = await userInfo(request, value);
  expect(info.result).toBe(0);
  expect(info.user.login).toBe(login);
  // Each use slides the expiry to the use plus an hour: a use in a later second moves it on.
  const before = (await introspect(request, value)).body.token.expires_at as number;
  await expect
    .poll(
      async () => {
        expect((await userInfo(request, value)).result).toBe(0);
        return (await introspect(request, value)).body.token.expires_at as number;
      },
      { timeout: 5_000, intervals: [250] },
    )
    .toBeGreaterThan(before);

  // The admin's list finds the new person.
  await page.goto(`/admin/people?q=${login}`);
  await expect(page.getByRole('link', { name: login })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: login }).locator('td[data-label="Tokens"]')).toHaveText('1');
});

test('a Hard Limit token stops at its time; a removed token is refused at once', async ({ page, request }) => {
  const user = createUser('dave');
  await asAdmin(page, `/admin/people/${user.login}`);

  const short = await newTokenFor(page, 'Short lived', 'Hard Limit', '3s');
  expect((await userInfo(request, short)).result).toBe(0);
  await expect
    .poll(async () => (await userInfo(request, short)).code, { timeout: 8_000, intervals: [500] })
    .toBe('token_expired');
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByRole('row').filter({ hasText: 'Short lived' })).toContainText('Expired');

  const doomed = await newTokenFor(page, 'To be removed', 'Hard Limit', '30d');
  expect((await userInfo(request, doomed)).result).toBe(0);
  await page.getByRole('checkbox', { name: 'Select To be removed' }).check();
  await page.getByRole('button', { name: 'Remove', exact: true }).click();
  await confirmAsAdmin(page);
  await expect(page.getByText('1 token was removed.')).toBeVisible();
  expect((await userInfo(request, doomed)).code).toBe('token_removed');
  await expect(page.getByRole('row').filter({ hasText: 'To be removed' })).toContainText('Removed');
});

test('a wrong admin password applies nothing', async ({ page }) => {
  const user = createUser('erin');
  await asAdmin(page, `/admin/people/${user.login}`);
  await page.getByRole('button', { name: 'Disable' }).click();
  const dialog = page.getByRole('dialog', { name: 'Disable user' });
  await dialog.getByLabel('Password', { exact: true }).fill(user.password);
  await dialog.getByRole('button', { name: 'Disable' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('Wrong password.');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.reload();
  await expect(page.locator('.person-card')).toContainText('Active');
});

test('a non-admin cannot reach People', async ({ page, request }) => {
  const user = createUser('frank');
  await page.goto('/login?next=/settings/tokens');
  await waitForHydration(page);
  await submitLogin(page, user.login, user.password);
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'People' })).toHaveCount(0);

  const response = await page.goto('/admin/people');
  expect(response!.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Admins only' })).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  const api = await page.request.get('/api/v1/admin/users');
  expect(api.status()).toBe(403);
  expect((await request.get('/api/v1/admin/users')).status()).toBe(401);
});
