import { execFileSync } from 'node:child_process';

import { test, expect, createUser, submitLogin } from './fixtures';

test('without JavaScript, the token list is server-rendered and readable', async ({ page }) => {
  const user = createUser('nojs');
  const value = execFileSync(
    process.env.TESSERA_BIN!,
    ['admin', 'user', 'token', '-u', user.login, '-q', '--api', 'ide_plugins', '-e', '30d', '--description', 'Laptop IDE'],
    { env: { ...process.env, DATABASE_URL: process.env.TESSERA_E2E_DATABASE_URL } },
  )
    .toString()
    .trim();
  await page.goto('/login?next=/settings/tokens');
  await submitLogin(page, user.login, user.password);
  await expect(page).toHaveURL(/\/settings\/tokens$/);

  const laptop = page.getByRole('row').filter({ hasText: 'Laptop IDE' });
  await expect(laptop).toContainText('IDE Plugins');
  await expect(laptop).toContainText(value.slice(-4));
  await expect(laptop).toContainText(/\d\d-\d\d-\d{4}/);
  for (const name of ['Generate', 'Edit', 'Copy', 'Remove', 'Refresh']) {
    await expect(page.getByRole('button', { name, exact: true })).toBeVisible();
  }
  expect(await page.content()).not.toContain(value);
});
