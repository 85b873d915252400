import { test, expect, waitForHydration, createUser, submitLogin } from './fixtures';
import { cliToken } from './tokens.helpers';

test('the server renders the page before any script runs', async ({ request }) => {
  const response = await request.get('/');

  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain('Personal access tokens for your platform');
  expect(html).toContain('href="/login">Sign in</a>');
  // The database check is for signed-in people: a visitor is not offered it.
  expect(html).not.toContain('Check database');
  expect(html).toMatch(/\/pkg\/[0-9a-f]{16}\/frontend\.js/);
  expect(html).not.toContain('data-hydrated');
});

test('after hydration the button runs a server function that reads the database', async ({ page }) => {
  const pageErrors: Error[] = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  const user = createUser('home');
  await page.goto('/login');
  await submitLogin(page, user.login, user.password);
  await expect(page).toHaveURL(/\/settings\/tokens/);
  await page.goto('/');
  await waitForHydration(page);

  const roundTrip = page.waitForResponse(
    (response) => response.url().endsWith('/_fn/check_database') && response.status() === 200,
  );
  await page.getByRole('button', { name: 'Check database' }).click();
  await roundTrip;

  const result = page.getByRole('status');
  await expect(result.getByText('Database', { exact: true })).toBeVisible();
  await expect(result).toContainText('SQLite 3.');
  const applied = result.locator('dt:text-is("Migrations applied") + dd');
  expect(Number(await applied.textContent())).toBeGreaterThanOrEqual(1);
  expect(pageErrors).toEqual([]);
});

test('signed out, the landing page says what Tessera is and leads to Sign in and back', async ({ page }) => {
  const user = createUser('landing');
  await page.goto('/');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Works with any client' })).toBeVisible();
  await page.getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await waitForHydration(page);
  await submitLogin(page, user.login, user.password);
  await expect(page).toHaveURL(/\/settings\/tokens/);
  await page.getByRole('link', { name: 'Tessera' }).click();
  await expect(page.getByRole('heading', { name: `Welcome, ${user.name}` })).toBeVisible();
});

test('signed in, the landing page lists what needs attention and leads to the tokens', async ({ page }) => {
  const user = createUser('attention');
  cliToken(user, '--api', 'marketplace', '--description', 'Ends in two days', '-e', '2d');
  cliToken(user, '--api', 'marketplace', '--description', 'Plenty of time', '-e', '30d');
  await page.goto('/login?next=/');
  await waitForHydration(page);
  await submitLogin(page, user.login, user.password);
  await expect(page).toHaveURL(/\/$/);
  await waitForHydration(page);

  await expect(page.getByText('2 access tokens in date.')).toBeVisible();
  const attention = page.getByRole('region', { name: 'Needs attention' });
  const item = attention.getByRole('listitem').filter({ hasText: 'Ends in two days' });
  await expect(item.locator('.badge')).toHaveText('Expires soon');
  // Two days at the second it was made, 47 h a second later.
  await expect(item).toContainText(/Ends in (2 days|\d+ h)/);
  await expect(attention).not.toContainText('Plenty of time');
  await page.getByRole('link', { name: 'Manage access tokens' }).click();
  await expect(page).toHaveURL(/\/settings\/tokens$/);
});

test('an unknown address shows a 404 page', async ({ page }) => {
  const response = await page.goto('/no/such/page');

  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

test('healthz reports version, engine and database', async ({ request }) => {
  const response = await request.get('/healthz');

  expect(response.status()).toBe(200);
  const health = await response.json();
  expect(health).toMatchObject({ status: 'ok', storage: 'sqlite', database: { reachable: true } });
  expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
});

test('the WASM bundle is served compressed with revalidation headers', async ({ request }) => {
  for (const encoding of ['br', 'gzip']) {
    const response = await request.get('/pkg/frontend_bg.wasm', {
      headers: { 'accept-encoding': encoding },
    });
    expect(response.status()).toBe(200);
    expect(response.headers()['content-encoding']).toBe(encoding);
    expect(response.headers()['content-type']).toBe('application/wasm');
    expect(response.headers()['cache-control']).toContain('must-revalidate');
  }
});
