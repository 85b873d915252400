import { test, expect, createUser, waitForHydration, submitLogin, ADMIN_PASSWORD } from './fixtures';
import { cliToken, platform } from './tokens.helpers';

test('Settings → Security lists a person’s own sign-ins, failures and token refusals', async ({ page, request }) => {
  const user = createUser('secure');
  const token = cliToken(user, '--description', 'Read only', '--api', 'marketplace', '-e', '30d');
  expect((await platform(request, '/1.0/environment/control/rest/stopenv?envName=x', token)).code)
    .toBe('method_not_allowed');
  await page.goto('/login?next=/settings/security');
  await waitForHydration(page);
  await submitLogin(page, user.login, 'not the password');
  await expect(page.getByRole('alert')).toBeVisible();
  await submitLogin(page, user.login, user.password);
  await expect(page).toHaveURL(/\/settings\/security$/);
  const events = page.getByRole('table', { name: 'Your security events' });
  await expect(events).toContainText('Sign in failed');
  await expect(events).toContainText('Sign in');
  await expect(events).toContainText('Token created');
  // Refusals are written in batches, a moment after the call.
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('table', { name: 'Your security events' })).toContainText('Token use denied',
      { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(page.locator('tr[data-action="token_use_denied"]')).toContainText('method_not_allowed');
  await expect(page.locator('tr[data-action="sign_in_failed"] td').nth(2)).toHaveText('system');
});

test('the admin audit log filters through the address and exports what it shows as CSV', async ({ page }) => {
  const user = createUser('watched');
  await page.goto('/login');
  await waitForHydration(page);
  await submitLogin(page, user.login, 'a wrong password');
  await expect(page.getByRole('alert')).toBeVisible();

  await page.goto(`/login?next=${encodeURIComponent('/admin/audit')}`);
  await waitForHydration(page);
  await submitLogin(page, 'admin', ADMIN_PASSWORD);
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await waitForHydration(page);
  await page.getByLabel('Concerning (login)').fill(user.login);
  await page.getByLabel('Event kind').fill('sign_in_failed');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(new RegExp(`subject=${user.login}`));
  const rows = page.getByRole('table', { name: 'Audit events' }).locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Sign in failed');
  await expect(page.getByText('Events 1–1 of 1')).toBeVisible();

  const exported = page.getByRole('link', { name: 'Export CSV' });
  const href = await exported.getAttribute('href');
  expect(href).toContain(`subject=${user.login}`);
  const csv = await page.request.get(href!);
  expect(csv.status()).toBe(200);
  const lines = (await csv.text()).trim().split('\r\n');
  expect(lines[0]).toBe('occurred_at,action,actor,subject,ip,user_agent,detail');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain('"sign_in_failed"');
  expect(lines[1]).toContain(`"${user.login}"`);

  // A wrong day is refused with the reason, not ignored.
  await page.goto(`/admin/audit?from=31-13-2026`);
  await expect(page.getByRole('alert')).toContainText('from:');
});
