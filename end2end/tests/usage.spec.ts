import { test, expect, createUser, waitForHydration, submitLogin, ADMIN_PASSWORD } from './fixtures';
import { cliToken, confirmWith, openTokens, platform, row } from './tokens.helpers';

const GET_ENVS = 'environment.control.GetEnvs';
const GET_ENV_INFO = 'environment.control.GetEnvInfo';
const STOP_ENV = 'environment.control.StopEnv';

test('a token’s usage panel shows its calls, and Narrow takes away what it did not use', async ({ page, request }) => {
  const user = createUser('usage');
  const token = cliToken(user, '--description', 'Deploy bot', '--method', GET_ENVS, '--method', GET_ENV_INFO,
    '--method', STOP_ENV, '-e', '30d');
  for (let n = 0; n < 3; n++) {
    expect((await platform(request, '/1.0/environment/control/rest/getenvs', token)).result).toBe(0);
  }
  expect((await platform(request, '/1.0/marketplace/app/rest/getlist', token)).code).toBe('method_not_allowed');

  await openTokens(page, user);
  await row(page, 'Deploy bot').click();
  const panel = page.getByRole('region', { name: 'Usage of “Deploy bot”' });
  await expect(panel).toBeVisible();
  await expect(panel).toContainText('4 calls in the last 30 days (UTC)');
  await expect(panel.locator('svg.usage-chart')).toHaveAttribute('data-total', '4');
  await expect(panel.getByRole('img', { name: /Calls per day over 30 days: 4 in all/ })).toBeVisible();
  await expect(panel.locator('.usage-legend')).toContainText('success: 3');
  await expect(panel.locator('.usage-legend')).toContainText('method_not_allowed: 1');
  // The same figures as a table, for screen readers and anyone who prefers numbers.
  await panel.getByText('Calls per day as a table').click();
  const today = panel.locator('table.usage-days tbody tr').first();
  await expect(today.locator('td')).toHaveText(['3', '1', '4']);
  await expect(panel.getByRole('table', { name: 'Methods called' })).toContainText(GET_ENVS);
  // Made today: its whole life is shorter than the 30 days looked at.
  const unused = panel.getByRole('region', { name: /^Allowed but not used since it was made on \d\d-\d\d-\d{4}$/ });
  await expect(unused).toContainText(GET_ENV_INFO);
  await expect(unused).toContainText(STOP_ENV);

  await unused.getByRole('button', { name: 'Narrow to what it uses' }).click();
  const dialog = page.getByRole('dialog', { name: 'Confirm with your password' });
  await expect(dialog).toContainText('Narrow “Deploy bot” to what it used?');
  await expect(dialog).toContainText('Now: Custom (3 methods) on all environments');
  await expect(dialog.locator('.before-after')).toContainText(`It keeps${GET_ENVS}`);
  await expect(dialog.locator('.before-after')).toContainText(STOP_ENV);
  await confirmWith(page, user.password);
  await expect(page.getByRole('status')).toContainText('“Deploy bot” now has only what it used: Custom (1 method).');

  expect((await platform(request, '/1.0/environment/control/rest/stopenv?envName=my-project', token)).code)
    .toBe('method_not_allowed');
  expect((await platform(request, '/1.0/environment/control/rest/getenvs', token)).result).toBe(0);
  await expect(row(page, 'Deploy bot')).toContainText('Custom (1 method)');
});

test('an admin sees the usage of a person’s token on the person’s page', async ({ page, request }) => {
  const user = createUser('audited');
  const token = cliToken(user, '--description', 'Nightly sync', '--api', 'marketplace', '-e', '30d');
  for (let n = 0; n < 2; n++) {
    expect((await platform(request, '/1.0/marketplace/app/rest/getlist', token)).result).toBe(0);
  }
  await page.goto(`/login?next=${encodeURIComponent(`/admin/people/${user.login}`)}`);
  await waitForHydration(page);
  await submitLogin(page, 'admin', ADMIN_PASSWORD);
  await waitForHydration(page);
  await row(page, 'Nightly sync').click();
  const panel = page.getByRole('region', { name: 'Usage of “Nightly sync”' });
  await expect(panel).toContainText('2 calls in the last 30 days (UTC)');
  await expect(panel.locator('.usage-legend')).toContainText('success: 2');
  // Narrowing is the owner's edit to make.
  await expect(panel.getByRole('button', { name: 'Narrow to what it uses' })).toHaveCount(0);
});
