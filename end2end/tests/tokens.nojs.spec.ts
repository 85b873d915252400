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

test('without JavaScript, ?usage= opens a token’s usage as a chart and a table', async ({ page, request }) => {
  const user = createUser('nojs-usage');
  const value = execFileSync(
    process.env.TESSERA_BIN!,
    ['admin', 'user', 'token', '-u', user.login, '-q', '--api', 'marketplace', '-e', '30d', '--description', 'Catalog sync'],
    { env: { ...process.env, DATABASE_URL: process.env.TESSERA_E2E_DATABASE_URL } },
  )
    .toString()
    .trim();
  for (let n = 0; n < 3; n++) {
    const answer = await request.get(`/1.0/marketplace/app/rest/getlist?session=${value}`);
    expect((await answer.json()).result).toBe(0);
  }
  await page.goto('/login?next=/settings/tokens');
  await submitLogin(page, user.login, user.password);
  const id = await page.getByRole('row').filter({ hasText: 'Catalog sync' }).getAttribute('data-token-id');
  await page.goto(`/settings/tokens?usage=${id}`);
  const panel = page.getByRole('region', { name: 'Usage of “Catalog sync”' });
  await expect(panel).toContainText('3 calls in the last 30 days (UTC)');
  await expect(panel.getByRole('img', { name: /Calls per day over 30 days: 3 in all/ })).toBeVisible();
  await panel.getByText('Calls per day as a table').click();
  await expect(panel.locator('table.usage-days tbody tr').first().locator('td')).toHaveText(['3', '3']);
});
