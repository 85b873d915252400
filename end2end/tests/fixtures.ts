import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import { test as base, expect, type Page } from '@playwright/test';

/** The first admin's password, given to the server by global-setup.ts. */
export const ADMIN_PASSWORD = 'e2e admin password';

/** Tests address the server that global-setup.ts started. */
export const test = base.extend({
  baseURL: async ({}, use) => {
    const url = process.env.TESSERA_URL;
    if (!url) throw new Error('TESSERA_URL is not set: global setup did not start the server');
    await use(url);
  },
});

/** Waits until the WASM bundle has hydrated the page (the App sets this attribute). */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

export interface User {
  login: string;
  password: string;
  name: string;
}

/** A fresh user, created with the real CLI (`tessera admin user create`). */
export function createUser(prefix = 'user'): User {
  const login = `${prefix}-${randomBytes(4).toString('hex')}`;
  const user = { login, password: `pw ${randomBytes(8).toString('hex')}`, name: `${prefix} ${login.slice(-4)}` };
  execFileSync(
    process.env.TESSERA_BIN!,
    ['admin', 'user', 'create', '--login', login, '--name', user.name, '--password-stdin'],
    { input: `${user.password}\n`, env: { ...process.env, DATABASE_URL: process.env.TESSERA_E2E_DATABASE_URL } },
  );
  return user;
}

/** Fills and submits the login form on the current page. */
export async function submitLogin(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export { expect };
