import { execFileSync } from 'node:child_process';

import type { APIRequestContext, Page } from '@playwright/test';

import { expect, waitForHydration, submitLogin, type User } from './fixtures';

/** Signs in and opens Settings → Access Tokens, hydrated. */
export async function openTokens(page: Page, user: User): Promise<void> {
  await page.goto('/login?next=/settings/tokens');
  await waitForHydration(page);
  await submitLogin(page, user.login, user.password);
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await waitForHydration(page);
  // The list hydrates inside a Suspense, a moment after the page says it has.
  await expect(page.locator('.tokens')).toHaveAttribute('data-hydrated', 'true');
}

/** A token made with the real CLI. */
export function cliToken(user: User, ...args: string[]): string {
  return execFileSync(process.env.TESSERA_BIN!, ['admin', 'user', 'token', '-u', user.login, '-q', ...args], {
    env: { ...process.env, DATABASE_URL: process.env.TESSERA_E2E_DATABASE_URL },
  })
    .toString()
    .trim();
}

/** Confirms the pending change with the password and waits for the dialog to go. */
export async function confirmWith(page: Page, password: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: /Confirm with your password|Remove access tokens/ });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Password', { exact: true }).fill(password);
  await dialog.getByRole('button', { name: /Confirm|Remove/ }).click();
  await expect(dialog).toBeHidden();
}

/** Reads the one-time value and closes the reveal. */
export async function takeValue(page: Page): Promise<string> {
  const reveal = page.getByRole('dialog', { name: 'Your new access token' });
  await expect(reveal).toBeVisible();
  await expect(reveal).toContainText('will not be displayed again');
  const value = await reveal.getByLabel('Token value').inputValue();
  expect(value).toMatch(/^tsr_[0-9A-Za-z]{36}$/);
  await reveal.getByRole('button', { name: 'Done' }).click();
  await expect(reveal).toBeHidden();
  return value;
}

export async function platform(request: APIRequestContext, path: string, token: string) {
  const response = await request.get(`${path}${path.includes('?') ? '&' : '?'}session=${token}`);
  return response.json();
}

export function row(page: Page, description: string) {
  return page.getByRole('row').filter({ hasText: description });
}
