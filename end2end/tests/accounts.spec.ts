import { test, expect, waitForHydration, createUser, submitLogin, ADMIN_PASSWORD } from './fixtures';

test('sign in, land on Settings, sign out', async ({ page }) => {
  const user = createUser();
  await page.goto('/login');
  await waitForHydration(page);

  await submitLogin(page, user.login, user.password);

  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await expect(page.getByRole('banner')).toContainText(user.name);
  await expect(page.getByRole('link', { name: 'Access Tokens' })).toHaveAttribute('aria-current', 'page');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await expect(page.getByText('You have signed out.')).toBeVisible();
  await page.goto('/settings/tokens');
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('a wrong password shows one message and keeps the login', async ({ page }) => {
  const user = createUser();
  await page.goto('/login');
  await waitForHydration(page);

  await submitLogin(page, user.login, 'not the password');

  await expect(page.getByRole('alert')).toHaveText('Wrong login or password.');
  await expect(page.getByLabel('Login')).toHaveValue(user.login);
  await expect(page).toHaveURL(/\/login$/); // no reload: the server function answered

  // The alert from the first try is still shown: wait for the second answer itself.
  const second = page.waitForResponse((response) => response.url().endsWith('/_fn/sign_in'));
  await submitLogin(page, 'nobody-by-this-name', 'not the password');
  expect((await second).status()).toBe(401);
  await expect(page.getByRole('alert')).toHaveText('Wrong login or password.');
});

test('a signed-out visit to Access Tokens goes to login and comes back', async ({ page }) => {
  const user = createUser();

  await page.goto('/settings/tokens');

  await expect(page).toHaveURL(/\/login\?next=%2Fsettings%2Ftokens|\/login\?next=\/settings\/tokens/);
  await waitForHydration(page);
  await submitLogin(page, user.login, user.password);
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await expect(page.getByRole('heading', { name: 'Access Tokens' })).toBeVisible();
});

test('change the password on the Account tab', async ({ page }) => {
  const user = createUser();
  await page.goto('/login?next=/settings/account');
  await waitForHydration(page);
  await submitLogin(page, user.login, user.password);
  await expect(page).toHaveURL(/\/settings\/account$/);
  await waitForHydration(page);

  await page.getByLabel('Current password').fill('not the password');
  await page.getByLabel('New password', { exact: true }).fill('my new password');
  await page.getByLabel('Confirm new password').fill('my new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong password.');
  await expect(page.getByLabel('New password', { exact: true })).toHaveValue('my new password');

  await page.getByLabel('Current password').fill(user.password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password changed.' })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await waitForHydration(page);
  await submitLogin(page, user.login, 'my new password');
  await expect(page).toHaveURL(/\/settings\/tokens$/);
});

test('the first admin can sign in with the configured password', async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);

  await submitLogin(page, 'admin', ADMIN_PASSWORD);

  await expect(page.getByRole('banner')).toContainText('Administrator');
  await expect(page.getByRole('banner').locator('.badge')).toHaveText('Admin');
});
