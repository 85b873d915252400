import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

import { test, expect, waitForHydration, createUser, submitLogin, type User } from './fixtures';
import type { APIRequestContext, Page } from '@playwright/test';

/** Signs in and opens Settings → Access Tokens, hydrated. */
async function openTokens(page: Page, user: User): Promise<void> {
  await page.goto('/login?next=/settings/tokens');
  await waitForHydration(page);
  await submitLogin(page, user.login, user.password);
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await waitForHydration(page);
}

/** A token made with the real CLI. */
function cliToken(user: User, ...args: string[]): string {
  return execFileSync(process.env.TESSERA_BIN!, ['admin', 'user', 'token', '-u', user.login, '-q', ...args], {
    env: { ...process.env, DATABASE_URL: process.env.TESSERA_E2E_DATABASE_URL },
  })
    .toString()
    .trim();
}

/** Confirms the pending change with the password and waits for the dialog to go. */
async function confirmWith(page: Page, password: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: /Confirm with your password|Remove access tokens/ });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Password', { exact: true }).fill(password);
  await dialog.getByRole('button', { name: /Confirm|Remove/ }).click();
  await expect(dialog).toBeHidden();
}

/** Reads the one-time value and closes the reveal. */
async function takeValue(page: Page): Promise<string> {
  const reveal = page.getByRole('dialog', { name: 'Your new access token' });
  await expect(reveal).toBeVisible();
  await expect(reveal).toContainText('will not be displayed again');
  const value = await reveal.getByLabel('Token value').inputValue();
  expect(value).toMatch(/^tsr_[0-9A-Za-z]{36}$/);
  await reveal.getByRole('button', { name: 'Done' }).click();
  await expect(reveal).toBeHidden();
  return value;
}

async function platform(request: APIRequestContext, path: string, token: string) {
  const response = await request.get(`${path}${path.includes('?') ? '&' : '?'}session=${token}`);
  return response.json();
}

function row(page: Page, description: string) {
  return page.getByRole('row').filter({ hasText: description });
}

test('generate with a predefined set; the token stops an environment at once; shown only once', async ({ page, request }) => {
  const user = createUser('gen');
  await openTokens(page, user);
  await expect(page.getByRole('heading', { name: 'No access tokens yet' })).toBeVisible();

  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate access token' });
  await dialog.getByLabel('Description', { exact: true }).fill('Deploy bot');
  await dialog.getByLabel('API set').selectOption({ label: 'Extended Access' });
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await confirmWith(page, user.password);
  const value = await takeValue(page);

  expect((await platform(request, '/1.0/environment/control/rest/createenvironment?envName=my-project', value)).result).toBe(0);
  const stopped = await platform(request, '/1.0/environment/control/rest/stopenv?envName=my-project', value);
  expect(stopped.result).toBe(0);
  expect(stopped.env.status).toBe('stopped');

  await expect(row(page, 'Deploy bot')).toContainText('Extended Access');
  await expect(row(page, 'Deploy bot')).toContainText('Never');
  const hint = value.slice(-4);
  await expect(row(page, 'Deploy bot')).toContainText(hint);
  expect(await page.content()).not.toContain(value);
  await page.reload();
  await waitForHydration(page);
  await expect(row(page, 'Deploy bot')).toBeVisible();
  expect(await page.content()).not.toContain(value);
  const html = await (await request.get('/settings/tokens')).text();
  expect(html).not.toContain(value);
});

test('a custom selection found through Search, an impossible date, Download', async ({ page, request }) => {
  const user = createUser('custom');
  await openTokens(page, user);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate access token' });
  await dialog.getByLabel('Description', { exact: true }).fill('Stopper');

  await dialog.getByLabel('Expires At', { exact: true }).fill('31-02-2027');
  await expect(dialog.getByText('February 2027 has 28 days')).toBeVisible();
  await dialog.getByLabel('Expires At', { exact: true }).fill('01-01-2020');
  await expect(dialog.getByText('is in the past')).toBeVisible();
  await dialog.getByRole('button', { name: 'Calendar' }).click();
  await dialog.getByRole('button', { name: 'Next month' }).click();
  await dialog.getByRole('button', { name: /^15 / }).click();
  await expect(dialog.getByLabel('Expires At', { exact: true })).toHaveValue(/^15-\d\d-\d{4}$/);

  await dialog.getByLabel('API set').selectOption({ label: 'Marketplace' });
  await dialog.getByLabel('Search').fill('stops a running');
  const stop = dialog.getByRole('checkbox', { name: /StopEnv/ });
  await expect(stop).toBeVisible();
  await expect(dialog.getByRole('checkbox', { name: /GetEnvs/ })).toBeHidden();
  await stop.check();
  await expect(dialog.getByLabel('API set')).toHaveValue('custom');
  await dialog.getByLabel('Search').fill('');
  await dialog.getByLabel('Only Checked').check();
  await expect(dialog.getByRole('checkbox', { name: /DeleteEnv/ })).toBeHidden();
  await dialog.getByRole('checkbox', { name: /StopEnv/ }).hover();
  await expect(dialog.getByRole('link', { name: /API Docs for environment.control.StopEnv/ })).toBeVisible();

  await dialog.getByRole('button', { name: 'Generate' }).click();
  await confirmWith(page, user.password);
  const reveal = page.getByRole('dialog', { name: 'Your new access token' });
  const download = page.waitForEvent('download');
  await reveal.getByRole('button', { name: 'Download' }).click();
  const file = readFileSync(await (await download).path()!, 'utf8');
  const value = await takeValue(page);
  expect(file.trim()).toBe(value);

  await expect(row(page, 'Stopper')).toContainText('Custom (8 methods)');
  expect((await platform(request, '/1.0/environment/control/rest/createenvironment?envName=x', value)).result).toBe(0);
  expect((await platform(request, '/1.0/environment/control/rest/stopenv?envName=x', value)).result).toBe(0);
  expect((await platform(request, '/1.0/environment/control/rest/deleteenv?envName=x', value)).code).toBe('method_not_allowed');
});

test('a wrong password keeps the dialogs and what was typed, and applies nothing', async ({ page }) => {
  const user = createUser('wrong');
  await openTokens(page, user);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  const form = page.getByRole('dialog', { name: 'Generate access token' });
  await form.getByLabel('Description', { exact: true }).fill('Keep me');
  await form.getByRole('button', { name: 'Generate' }).click();
  const confirm = page.getByRole('dialog', { name: 'Confirm with your password' });
  await confirm.getByLabel('Password', { exact: true }).fill('not my password');
  await confirm.getByRole('button', { name: 'Confirm' }).click();
  await expect(confirm.getByRole('alert')).toHaveText('Wrong password.');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(form.getByLabel('Description', { exact: true })).toHaveValue('Keep me');
  await form.press('Escape');
  await expect(form).toBeHidden();
  await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeFocused();
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.getByRole('heading', { name: 'No access tokens yet' })).toBeVisible();
});

test('edit, regenerate (old value refused), copy, and remove several with Shift+click', async ({ page, request }) => {
  const user = createUser('life');
  const first = cliToken(user, '--api', 'ide_plugins', '--description', 'First');
  cliToken(user, '--api', 'marketplace', '--description', 'Second');
  cliToken(user, '--api', 'maven_plugin', '--description', 'Third');
  await openTokens(page, user);

  await row(page, 'First').click();
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit access token' });
  await edit.getByLabel('Description', { exact: true }).fill('First, renamed');
  await edit.getByRole('button', { name: 'Apply' }).click();
  await confirmWith(page, user.password);
  await expect(row(page, 'First, renamed')).toBeVisible();

  await row(page, 'First, renamed').click();
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('button', { name: 'Regenerate token value' }).click();
  await confirmWith(page, user.password);
  const regenerated = await takeValue(page);
  expect((await platform(request, '/1.0/users/account/rest/getuserinfo', first)).code).toBe('token_regenerated');
  expect((await platform(request, '/1.0/users/account/rest/getuserinfo', regenerated)).result).toBe(0);

  await row(page, 'Second').click();
  await page.getByRole('button', { name: 'Copy' }).click();
  const copy = page.getByRole('dialog', { name: 'Copy access token' });
  await expect(copy.getByLabel('Description', { exact: true })).toHaveValue('Second (copy)');
  await copy.getByRole('button', { name: 'Generate' }).click();
  await confirmWith(page, user.password);
  const copied = await takeValue(page);
  expect((await platform(request, '/1.0/marketplace/app/rest/getlist', copied)).result).toBe(0);
  await expect(row(page, 'Second (copy)')).toContainText('Marketplace');

  // Newest first: Second (copy), Third, Second, First, renamed.
  await row(page, 'Second (copy)').click();
  await page.getByRole('row', { name: /^Second …/ }).click({ modifiers: ['Shift'] });
  await expect(page.getByText('4 tokens, 3 selected')).toBeVisible();
  await page.getByRole('button', { name: 'Remove' }).click();
  await confirmWith(page, user.password);
  await expect(page.getByText('3 tokens were removed.')).toBeVisible();
  await expect(page.getByRole('row')).toHaveCount(2); // header + "First, renamed"
  expect((await platform(request, '/1.0/marketplace/app/rest/getlist', copied)).code).toBe('token_removed');
});
