import { test, expect, createUser, submitLogin } from './fixtures';

test('without JavaScript, sign-in is a plain form post that works', async ({ page }) => {
  const user = createUser();
  await page.goto('/settings/account');
  await expect(page).toHaveURL(/\/login\?next=/);

  await submitLogin(page, user.login, 'not the password');
  await expect(page.getByRole('alert')).toHaveText('Wrong login or password.');
  await expect(page.getByLabel('Login')).toHaveValue(user.login);

  await submitLogin(page, user.login, user.password);
  await expect(page).toHaveURL(/\/settings\/account$/);
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
  await expect(page.getByRole('banner')).toContainText(user.name);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByText('You have signed out.')).toBeVisible();
});
