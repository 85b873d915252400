import { test, expect, createUser, submitLogin, ADMIN_PASSWORD } from './fixtures';
import { cliToken } from './tokens.helpers';

test("without JavaScript, People searches and a person's tokens are server-rendered", async ({ page }) => {
  const user = createUser('nojs-person');
  cliToken(user, '--api', 'marketplace', '-a', '3600', '--description', 'Sync job');
  await page.goto('/login?next=/admin/people');
  await submitLogin(page, 'admin', ADMIN_PASSWORD);
  await expect(page).toHaveURL(/\/admin\/people$/);

  await page.getByLabel('Search people').fill(user.login);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(new RegExp(`q=${user.login}`));
  await expect(page.getByText('1 person')).toBeVisible();
  await page.getByRole('link', { name: user.login }).click();

  const row = page.getByRole('row').filter({ hasText: 'Sync job' });
  await expect(row).toContainText('Active');
  await expect(row).toContainText('auto refresh');
  await expect(row).toContainText('from the command line');
});
