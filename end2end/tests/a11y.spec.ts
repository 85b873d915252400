import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

import { test, expect, waitForHydration, createUser, submitLogin, ADMIN_PASSWORD } from './fixtures';
import { cliToken, openTokens } from './tokens.helpers';

/** WCAG 2.1 A and AA rules (labels, names, roles, contrast...) on what the page shows now. */
async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const found = results.violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`);
  expect(found, what).toEqual([]);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`Access Tokens and its dialogs pass the WCAG A/AA checks (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    const user = createUser('a11y');
    cliToken(user, '--api', 'ide_plugins', '--description', 'IDE', '-e', '30d');
    cliToken(user, '--api', 'marketplace', '--description', 'Old one', '-e', '1s');
    await openTokens(page, user);
    await page.getByRole('row').filter({ hasText: 'IDE' }).click();
    await expectAccessible(page, 'the list');
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('dialog', { name: 'Edit access token' }).getByRole('button', { name: 'Calendar' }).click();
    await expectAccessible(page, 'the token dialog with its calendar');
    await page.getByRole('button', { name: 'Regenerate token value' }).click();
    await expect(page.getByRole('dialog', { name: 'Confirm with your password' })).toBeVisible();
    await expectAccessible(page, 'the password confirmation');
  });
}

test('the admin pages pass the WCAG A/AA checks', async ({ page }) => {
  const user = createUser('a11y-person');
  cliToken(user, '--api', 'ide_plugins', '--description', 'IDE', '-a', '3600');
  await page.goto(`/login?next=/admin/people`);
  await waitForHydration(page);
  await submitLogin(page, 'admin', ADMIN_PASSWORD);
  await expect(page).toHaveURL(/\/admin\/people$/);
  await expect(page.getByRole('table', { name: 'People' })).toBeVisible();
  await expectAccessible(page, 'People');
  await page.goto(`/admin/people/${user.login}`);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Personal Access Tokens' })).toBeVisible();
  await expectAccessible(page, 'a person');
  await page.getByRole('button', { name: '+ New token' }).click();
  await expectAccessible(page, 'the new token dialog');
  await page.goto('/admin/policies');
  await waitForHydration(page);
  await expectAccessible(page, 'Policies');
});

for (const scheme of ['light', 'dark'] as const) {
  test(`home, login and Account pass the WCAG A/AA checks (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    const user = createUser('a11y-account');
    await page.goto('/');
    await waitForHydration(page);
    await expectAccessible(page, 'home, signed out');
    await page.goto('/login?next=/settings/account');
    await waitForHydration(page);
    const refused = page.waitForResponse((response) => response.url().endsWith('/_fn/sign_in'));
    await submitLogin(page, user.login, 'not the password');
    expect((await refused).status()).toBe(401);
    await expect(page.getByRole('alert')).toHaveText('Wrong login or password.');
    await expectAccessible(page, 'login with its error');
    await submitLogin(page, user.login, user.password);
    await expect(page).toHaveURL(/\/settings\/account$/);
    await page.waitForLoadState('load');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
    await expectAccessible(page, 'Account');
    await page.goto('/');
    await waitForHydration(page);
    await expectAccessible(page, 'home, signed in');
  });
}
