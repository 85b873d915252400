import { test, expect } from './fixtures';

test('without JavaScript the page is readable and the button does nothing', async ({ page }) => {
  await page.goto('/');

  await expect(page.getByRole('heading', { level: 1 })).toHaveText(
    "Personal access tokens for your platform's API",
  );
  const button = page.getByRole('button', { name: 'Check database' });
  await expect(button).toBeVisible();
  await button.click();
  await expect(page.getByRole('status')).toBeEmpty();
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
});
