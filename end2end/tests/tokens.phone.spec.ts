import { test, expect, createUser } from './fixtures';
import { cliToken, openTokens, row } from './tokens.helpers';

test('on a phone each token is a card, and the list does not scroll sideways', async ({ page }) => {
  const user = createUser('phone');
  cliToken(user, '--api', 'ide_plugins', '--description', 'Laptop IDE plugin', '-e', '30d');
  cliToken(user, '--api', 'marketplace', '--description', 'Marketplace sync');
  await openTokens(page, user);

  const card = row(page, 'Laptop IDE plugin');
  await expect(card).toBeVisible();
  const box = (await card.boundingBox())!;
  expect(box.width).toBeLessThanOrEqual(page.viewportSize()!.width);
  expect(box.height).toBeGreaterThan(100); // one line per field, not one wide row
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBe(0);

  await card.tap();
  await expect(card).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('button', { name: 'Edit' }).tap();
  const dialog = page.getByRole('dialog', { name: 'Edit access token' });
  await expect(dialog.getByLabel('Description', { exact: true })).toHaveValue('Laptop IDE plugin');
  const dialogBox = (await dialog.boundingBox())!;
  expect(dialogBox.x).toBeGreaterThanOrEqual(0);
  expect(dialogBox.x + dialogBox.width).toBeLessThanOrEqual(page.viewportSize()!.width);
});
