import { test, expect, waitForHydration } from './fixtures';

test('the page fits a phone screen without horizontal scrolling', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);

  await page.getByRole('button', { name: 'Check database' }).click();
  await expect(page.getByRole('status')).toContainText('SQLite');
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBe(0);
});
