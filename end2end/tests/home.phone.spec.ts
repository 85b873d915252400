import { test, expect, waitForHydration, createUser, submitLogin } from './fixtures';

test('the page fits a phone screen without horizontal scrolling', async ({ page }) => {
  const user = createUser('phone');
  await page.goto('/login');
  await submitLogin(page, user.login, user.password);
  await expect(page).toHaveURL(/\/settings\/tokens/);
  await page.goto('/');
  await waitForHydration(page);

  await page.getByRole('button', { name: 'Check database' }).click();
  await expect(page.getByRole('status')).toContainText('SQLite');
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBe(0);
});
