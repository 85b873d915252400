import { readFileSync } from 'node:fs';

import { test, expect, waitForHydration, createUser } from './fixtures';
import { cliToken, confirmWith, openTokens, platform, row, takeValue } from './tokens.helpers';

/** `dd-mm-yyyy` of a moment (UTC), as the dialogs write dates. */
function dmy(millis: number): string {
  const date = new Date(millis);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}-${pad(date.getUTCMonth() + 1)}-${date.getUTCFullYear()}`;
}

test('generate with a predefined set; the token stops an environment at once; shown only once', async ({ page, context, request }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const user = createUser('gen');
  await openTokens(page, user);
  await expect(page.getByRole('heading', { name: 'No access tokens yet' })).toBeVisible();

  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate access token' });
  await dialog.getByLabel('Description', { exact: true }).fill('Deploy bot');
  // Left alone, the choice grants least: the narrowest set.
  await expect(dialog.getByLabel('API set')).toHaveValue('maven_plugin');
  await dialog.getByLabel('API set').selectOption({ label: 'Extended Access' });
  // A new token's suggested end is a date 30 days out; Never is a deliberate choice.
  await expect(dialog.getByRole('radio', { name: 'Hard Limit: date' })).toBeChecked();
  await expect(dialog.getByLabel('Expires At', { exact: true })).toHaveValue(dmy(Date.now() + 30 * 86_400_000));
  await dialog.getByRole('radio', { name: 'Never' }).check();
  await expect(dialog.getByText('The token works until it is removed.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await confirmWith(page, user.password);
  const reveal = page.getByRole('dialog', { name: 'Your new access token' });
  await reveal.getByRole('button', { name: 'Copy' }).click();
  await expect(reveal.getByRole('status')).toHaveText('Copied to the clipboard.');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const value = await takeValue(page);
  expect(copied).toBe(value);

  expect((await platform(request, '/1.0/environment/control/rest/createenvironment?envName=my-project', value)).result).toBe(0);
  const stopped = await platform(request, '/1.0/environment/control/rest/stopenv?envName=my-project', value);
  expect(stopped.result).toBe(0);
  expect(stopped.env.status).toBe('stopped');

  await expect(row(page, 'Deploy bot')).toContainText('Extended Access');
  await expect(row(page, 'Deploy bot')).toContainText('Never');
  const hint = value.slice(-4);
  await expect(row(page, 'Deploy bot')).toContainText(hint);
  expect(await page.content()).not.toContain(value);
  await page.reload();
  await waitForHydration(page);
  await expect(row(page, 'Deploy bot')).toBeVisible();
  expect(await page.content()).not.toContain(value);
  // The server-rendered page, fetched with this session's cookies: it lists the token (by its
  // hint) and never its value.
  const html = await (await page.context().request.get('/settings/tokens')).text();
  expect(html).toContain(hint);
  expect(html).not.toContain(value);
});

test('a custom selection found through Search, an impossible date, Download', async ({ page, request }) => {
  const user = createUser('custom');
  await openTokens(page, user);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate access token' });
  await dialog.getByLabel('Description', { exact: true }).fill('Stopper');

  await dialog.getByLabel('Expires At', { exact: true }).fill('31-02-2027');
  await expect(dialog.getByText('February 2027 has 28 days')).toBeVisible();
  await dialog.getByLabel('Expires At', { exact: true }).fill('01-01-2020');
  await expect(dialog.getByText('is in the past')).toBeVisible();
  await dialog.getByRole('button', { name: 'Calendar' }).click();
  await dialog.getByRole('button', { name: 'Next month' }).click();
  await dialog.getByRole('button', { name: /^15 / }).click();
  await expect(dialog.getByLabel('Expires At', { exact: true })).toHaveValue(/^15-\d\d-\d{4}$/);

  await dialog.getByLabel('API set').selectOption({ label: 'Marketplace' });
  // With every method listed the dialog is taller than a laptop screen: its actions stay in view.
  await page.setViewportSize({ width: 1280, height: 720 });
  await expect(dialog.getByRole('button', { name: 'Generate', exact: true })).toBeInViewport({ ratio: 1 });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeInViewport({ ratio: 1 });
  await dialog.getByLabel('Search').fill('stops a running');
  const stop = dialog.getByRole('checkbox', { name: /StopEnv/ });
  await expect(stop).toBeVisible();
  await expect(dialog.getByRole('checkbox', { name: /GetEnvs/ })).toBeHidden();
  await stop.check();
  await expect(dialog.getByLabel('API set')).toHaveValue('custom');
  await dialog.getByLabel('Search').fill('');
  await dialog.getByLabel('Only Checked').check();
  await expect(dialog.getByRole('checkbox', { name: /DeleteEnv/ })).toBeHidden();
  await dialog.getByRole('checkbox', { name: /StopEnv/ }).hover();
  await expect(dialog.getByRole('link', { name: /API Docs for environment.control.StopEnv/ })).toBeVisible();

  await dialog.getByRole('button', { name: 'Generate' }).click();
  await confirmWith(page, user.password);
  const reveal = page.getByRole('dialog', { name: 'Your new access token' });
  const download = page.waitForEvent('download');
  await reveal.getByRole('button', { name: 'Download' }).click();
  const file = readFileSync(await (await download).path()!, 'utf8');
  const value = await takeValue(page);
  expect(file.trim()).toBe(value);

  await expect(row(page, 'Stopper')).toContainText('Custom (8 methods)');
  expect((await platform(request, '/1.0/environment/control/rest/createenvironment?envName=x', value)).result).toBe(0);
  expect((await platform(request, '/1.0/environment/control/rest/stopenv?envName=x', value)).result).toBe(0);
  expect((await platform(request, '/1.0/environment/control/rest/deleteenv?envName=x', value)).code).toBe('method_not_allowed');
});

test('the owner chooses every expiration model: a duration, Auto Refresh, and back to a date', async ({ page, request }) => {
  const user = createUser('models');
  await openTokens(page, user);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  let dialog = page.getByRole('dialog', { name: 'Generate access token' });
  await dialog.getByLabel('Description', { exact: true }).fill('Two hours');
  await dialog.getByRole('radio', { name: 'Hard Limit: duration' }).check();
  await dialog.getByLabel('Expires after').fill('2 hours');
  await expect(dialog.getByText('is not a duration')).toBeVisible();
  await dialog.getByLabel('Expires after').fill('2h');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await confirmWith(page, user.password);
  const twoHours = await takeValue(page);
  const made = await (await request.get('/api/v1/tokens/self', { headers: { authorization: `Bearer ${twoHours}` } })).json();
  expect(made.token.expiration).toBe('hard_limit');
  expect(made.token.expires_at - made.token.created_at).toBe(7200);
  await expect(row(page, 'Two hours')).toContainText(/in (1|2) h/);

  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  dialog = page.getByRole('dialog', { name: 'Generate access token' });
  await dialog.getByLabel('Description', { exact: true }).fill('Sliding');
  await dialog.getByRole('radio', { name: 'Auto Refresh' }).check();
  await dialog.getByLabel('Renews for').fill('1d');
  // Switching away and back loses nothing typed.
  await dialog.getByRole('radio', { name: 'Hard Limit: date' }).check();
  await dialog.getByRole('radio', { name: 'Auto Refresh' }).check();
  await expect(dialog.getByLabel('Renews for')).toHaveValue('1d');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await confirmWith(page, user.password);
  const sliding = await takeValue(page);
  const slid = await (await request.get('/api/v1/tokens/self', { headers: { authorization: `Bearer ${sliding}` } })).json();
  expect(slid.token.expiration).toBe('auto_refresh');
  expect(slid.token.refresh_window_secs).toBe(86_400);
  await expect(row(page, 'Sliding')).toContainText('auto refresh');

  // Edit turns the sliding token into one with a date; the value stays the same.
  await row(page, 'Sliding').click();
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit access token' });
  await edit.getByRole('radio', { name: 'Hard Limit: date' }).check();
  const date = dmy(Date.now() + 10 * 86_400_000);
  await edit.getByLabel('Expires At', { exact: true }).fill(date);
  await edit.getByRole('button', { name: 'Apply' }).click();
  await confirmWith(page, user.password);
  await expect(row(page, 'Sliding')).toContainText(date);
  const dated = await (await request.get('/api/v1/tokens/self', { headers: { authorization: `Bearer ${sliding}` } })).json();
  expect(dated.token.expiration).toBe('hard_limit');
});

test('a wrong password keeps the dialogs and what was typed, and applies nothing', async ({ page }) => {
  const user = createUser('wrong');
  await openTokens(page, user);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  const form = page.getByRole('dialog', { name: 'Generate access token' });
  await form.getByLabel('Description', { exact: true }).fill('Keep me');
  await form.getByRole('button', { name: 'Generate' }).click();
  const confirm = page.getByRole('dialog', { name: 'Confirm with your password' });
  await confirm.getByLabel('Password', { exact: true }).fill('not my password');
  await confirm.getByRole('button', { name: 'Confirm' }).click();
  await expect(confirm.getByRole('alert')).toHaveText('Wrong password.');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(form.getByLabel('Description', { exact: true })).toHaveValue('Keep me');
  await form.press('Escape');
  await expect(form).toBeHidden();
  await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeFocused();
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.getByRole('heading', { name: 'No access tokens yet' })).toBeVisible();
});

test('edit, regenerate (old value refused), copy, and remove several with Shift+click', async ({ page, request }) => {
  const user = createUser('life');
  const first = cliToken(user, '--api', 'ide_plugins', '--description', 'First', '-a', '12h');
  cliToken(user, '--api', 'marketplace', '--description', 'Second');
  cliToken(user, '--api', 'maven_plugin', '--description', 'Third');
  await openTokens(page, user);

  await row(page, 'First').click();
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit access token' });
  // The dialog shows the expiry it keeps: Auto Refresh with its 12-hour window.
  await expect(edit.getByRole('radio', { name: 'Auto Refresh' })).toBeChecked();
  await expect(edit.getByLabel('Renews for')).toHaveValue('12h');
  await expect(edit.locator('#token-window-help')).toContainText('Now: ');
  await edit.getByLabel('Description', { exact: true }).fill('First, renamed');
  await edit.getByRole('button', { name: 'Apply' }).click();
  await confirmWith(page, user.password);
  await expect(row(page, 'First, renamed')).toBeVisible();
  await expect(row(page, 'First, renamed')).toContainText('auto refresh');

  await row(page, 'First, renamed').click();
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('button', { name: 'Regenerate token value' }).click();
  await confirmWith(page, user.password);
  const regenerated = await takeValue(page);
  expect((await platform(request, '/1.0/users/account/rest/getuserinfo', first)).code).toBe('token_regenerated');
  expect((await platform(request, '/1.0/users/account/rest/getuserinfo', regenerated)).result).toBe(0);

  await row(page, 'Second').click();
  await page.getByRole('button', { name: 'Copy' }).click();
  const copy = page.getByRole('dialog', { name: 'Copy access token' });
  await expect(copy.getByLabel('Description', { exact: true })).toHaveValue('Second (copy)');
  await copy.getByRole('button', { name: 'Generate' }).click();
  await confirmWith(page, user.password);
  const copied = await takeValue(page);
  expect((await platform(request, '/1.0/marketplace/app/rest/getlist', copied)).result).toBe(0);
  await expect(row(page, 'Second (copy)')).toContainText('Marketplace');

  // Newest first: Second (copy), Third, Second, First, renamed.
  await row(page, 'Second (copy)').click();
  await page.getByRole('row').filter({ has: page.getByRole('checkbox', { name: 'Select Second', exact: true }) }).click({ modifiers: ['Shift'] });
  await expect(page.getByText('4 tokens, 3 selected')).toBeVisible();
  await page.getByRole('button', { name: 'Remove', exact: true }).click();
  await confirmWith(page, user.password);
  await expect(page.getByText('3 tokens were removed.')).toBeVisible();
  await expect(page.getByRole('row')).toHaveCount(2); // header + "First, renamed"
  expect((await platform(request, '/1.0/marketplace/app/rest/getlist', copied)).code).toBe('token_removed');
});

test('regenerate with a grace period: both values work until the new one is first used', async ({ page, request }) => {
  const user = createUser('grace');
  const old = cliToken(user, '--api', 'ide_plugins', '--description', 'Plugin');
  await openTokens(page, user);

  await row(page, 'Plugin').click();
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('button', { name: 'Regenerate token value' }).click();
  const confirm = page.getByRole('dialog', { name: 'Confirm with your password' });
  const grace = confirm.getByLabel('Keep the old value working for');
  await expect(grace).toHaveValue('');
  await grace.selectOption({ label: '1 day' });
  await confirmWith(page, user.password);
  const reveal = page.getByRole('dialog', { name: 'Your new access token' });
  await expect(reveal).toContainText('The old value keeps working until');
  const fresh = await takeValue(page);
  await expect(row(page, 'Plugin')).toContainText('Rotating: the old value works until');

  const info = '/1.0/users/account/rest/getuserinfo';
  expect((await platform(request, info, old)).result).toBe(0);
  expect((await platform(request, info, old)).result).toBe(0);
  // The new value's first use ends the old one's grace.
  expect((await platform(request, info, fresh)).result).toBe(0);
  expect((await platform(request, info, old)).code).toBe('token_regenerated');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(row(page, 'Plugin')).not.toContainText('Rotating');
});

test('a token ending soon is listed above the others, counted in the top bar, and extended with the same value', async ({ page, request }) => {
  const user = createUser('ending');
  const value = cliToken(user, '--api', 'ide_plugins', '--description', 'Nightly build', '-e', '47h');
  cliToken(user, '--api', 'marketplace', '--description', 'Far off', '-e', '90d');
  await openTokens(page, user);

  const ending = page.getByRole('region', { name: 'Ending soon' });
  await expect(ending).toContainText('Nightly build');
  await expect(ending).not.toContainText('Far off');
  await expect(ending).toContainText(/ends \d\d-\d\d-\d{4} \d\d:\d\d \(in \d+ h\)/);
  const badge = page.getByRole('link', { name: '1 token ends soon' });
  await expect(badge).toBeVisible();

  const extend = ending.getByRole('button', { name: /^Extend to \d\d-\d\d-\d{4}: Nightly build$/ });
  const label = (await extend.textContent())!.trim();
  await extend.click();
  const confirm = page.getByRole('dialog', { name: 'Confirm with your password' });
  await expect(confirm).toContainText(`${label} “Nightly build”? It keeps its value.`);
  await confirmWith(page, user.password);
  await expect(page.getByText('“Nightly build” was extended:')).toBeVisible();
  await expect(ending).toBeHidden();
  await expect(badge).toBeHidden();
  await expect(row(page, 'Nightly build')).toContainText(label.replace('Extend to ', ''));
  expect((await platform(request, '/1.0/users/account/rest/getuserinfo', value)).result).toBe(0);
});

test('Refresh shows what another tab changed, and drops a selection that is gone', async ({ page, context }) => {
  const user = createUser('tabs');
  cliToken(user, '--api', 'marketplace', '--description', 'Shared');
  await openTokens(page, user);
  await row(page, 'Shared').click();
  await expect(page.getByText('1 token, 1 selected')).toBeVisible();

  const other = await context.newPage();
  await other.goto('/settings/tokens');
  await waitForHydration(other);
  await expect(other.locator('.tokens')).toHaveAttribute('data-hydrated', 'true');
  await other.getByRole('button', { name: 'Generate', exact: true }).click();
  const dialog = other.getByRole('dialog', { name: 'Generate access token' });
  await dialog.getByLabel('Description', { exact: true }).fill('Made in the other tab');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await confirmWith(other, user.password);
  await takeValue(other);
  await row(other, 'Shared').click();
  await other.getByRole('button', { name: 'Remove', exact: true }).click();
  await confirmWith(other, user.password);
  await expect(row(other, 'Shared')).toHaveCount(0);

  await expect(row(page, 'Made in the other tab')).toHaveCount(0);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(row(page, 'Made in the other tab')).toBeVisible();
  await expect(row(page, 'Shared')).toHaveCount(0);
  await expect(page.getByText('1 token', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Edit' })).toBeDisabled();
});

test('the list works from the keyboard: arrows, Shift, Space, Ctrl+A, Enter and Delete', async ({ page }) => {
  const user = createUser('keys');
  for (const name of ['Alpha', 'Beta', 'Gamma']) cliToken(user, '--api', 'maven_plugin', '--description', name);
  await openTokens(page, user);
  const selected = page.locator('tr[aria-selected="true"]');

  // Newest first: Gamma, Beta, Alpha. The first row is the list's tab stop.
  await page.getByRole('button', { name: 'Refresh' }).focus();
  await page.keyboard.press('Tab');
  await expect(row(page, 'Gamma')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(row(page, 'Beta')).toBeFocused();
  await expect(selected).toHaveCount(1);
  await expect(row(page, 'Beta')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Shift+ArrowDown');
  await expect(selected).toHaveCount(2);
  await page.keyboard.press('Space');
  await expect(row(page, 'Alpha')).toHaveAttribute('aria-selected', 'false');
  await page.keyboard.press('Control+a');
  await expect(selected).toHaveCount(3);
  await page.keyboard.press('Home');
  await expect(row(page, 'Gamma')).toBeFocused();
  await expect(selected).toHaveCount(1);

  await page.keyboard.press('Enter');
  const edit = page.getByRole('dialog', { name: 'Edit access token' });
  await expect(edit.getByLabel('Description', { exact: true })).toHaveValue('Gamma');
  await page.keyboard.press('Escape');
  await expect(edit).toBeHidden();

  await row(page, 'Gamma').focus();
  await page.keyboard.press('Delete');
  const remove = page.getByRole('dialog', { name: 'Remove access tokens' });
  await expect(remove).toContainText('Remove “Gamma”?');
  await expect(remove.getByLabel('Password', { exact: true })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(remove).toBeHidden();
  await expect(page.getByRole('row')).toHaveCount(4);
});

test('a long list comes in pages: Next, a token on page 2 opens for editing, Previous', async ({ page }) => {
  const user = createUser('pages');
  for (let n = 1; n <= 55; n++) {
    cliToken(user, '--api', 'marketplace', '--description', `Build agent ${n}`, '-e', '30d');
  }
  await openTokens(page, user);
  const rows = page.locator('tr[data-token-id]');
  const pager = page.getByRole('navigation', { name: 'Pages' });
  await expect(pager).toContainText('Tokens 1–50 of 55');
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toContainText('Build agent 55');

  await pager.getByRole('link', { name: 'Next' }).click();
  await expect(page).toHaveURL(/\/settings\/tokens\?page=2$/);
  await expect(pager).toContainText('Tokens 51–55 of 55');
  await expect(rows).toHaveCount(5);
  await expect(page.locator('.tokens')).toHaveAttribute('data-hydrated', 'true');
  await row(page, 'Build agent 1').click();
  await expect(pager).toContainText('Tokens 51–55 of 55, 1 selected');
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit access token' });
  await expect(dialog.getByLabel('Description', { exact: true })).toHaveValue('Build agent 1');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await pager.getByRole('link', { name: 'Previous' }).click();
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await expect(rows).toHaveCount(50);
});

test('limits set in the dialog show in the list and hold: a single use, a refill, suspend and resume', async ({ page, request }) => {
  const user = createUser('limits');
  await openTokens(page, user);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate access token' });
  await dialog.getByLabel('Description', { exact: true }).fill('One shot');
  await dialog.getByLabel('API set').selectOption({ label: 'Extended Access' });
  await dialog.getByRole('radio', { name: 'Never' }).check();
  await dialog.getByText('Limits').click();
  await dialog.getByLabel('Uses').fill('1');
  await dialog.getByLabel('Rate limit').fill('fast');
  await expect(dialog.locator('#token-rate-limit-error')).toContainText('600/min');
  await dialog.getByLabel('Rate limit').fill('600/min');
  await expect(dialog.locator('#token-rate-limit-error')).toBeEmpty();
  await dialog.getByLabel('Allowed addresses').fill('127.0.0.1\n::1');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await confirmWith(page, user.password);
  const value = await takeValue(page);
  await expect(row(page, 'One shot')).toContainText('single use · 600/min · from 2 address ranges');

  const info = '/1.0/users/account/rest/getuserinfo';
  expect((await platform(request, info, value)).result).toBe(0);
  const spent = await platform(request, info, value);
  expect([spent.code, spent.result]).toEqual(['token_exhausted', 714]);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(row(page, 'One shot')).toContainText('no uses left of 1');

  // A refill is an edit: the dialog shows what is left, and a number gives a fresh allowance.
  await row(page, 'One shot').click();
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit access token' });
  await expect(edit.locator('#token-max-uses-help')).toContainText('0 of 1 uses left');
  await edit.getByLabel('Uses').fill('5');
  await edit.getByRole('button', { name: 'Apply' }).click();
  await confirmWith(page, user.password);
  await expect(row(page, 'One shot')).toContainText('5 of 5 uses left');
  expect((await platform(request, info, value)).result).toBe(0);

  await row(page, 'One shot').click();
  await page.getByRole('button', { name: 'Suspend' }).click();
  await confirmWith(page, user.password);
  await expect(page.getByText('“One shot” was suspended.')).toBeVisible();
  await expect(row(page, 'One shot')).toContainText('Suspended');
  expect((await platform(request, info, value)).code).toBe('token_suspended');
  await row(page, 'One shot').click();
  await page.getByRole('button', { name: 'Resume' }).click();
  await confirmWith(page, user.password);
  await expect(row(page, 'One shot')).toContainText('Active');
  expect((await platform(request, info, value)).result).toBe(0);
});

test('Remove all my tokens: the incident button ends every token at once', async ({ page, request }) => {
  const user = createUser('incident');
  const first = cliToken(user, '--api', 'extended_access', '--description', 'Laptop');
  const second = cliToken(user, '--api', 'extended_access', '--description', 'CI');
  await openTokens(page, user);
  await page.getByRole('button', { name: 'Remove all' }).click();
  await expect(page.getByRole('dialog', { name: 'Remove access tokens' })).toContainText('Remove every one of your access tokens?');
  await confirmWith(page, user.password);
  await expect(page.getByText('All 2 of your tokens were removed.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No access tokens yet' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Remove all' })).toHaveCount(0);
  for (const value of [first, second]) {
    expect((await platform(request, '/1.0/users/account/rest/getuserinfo', value)).code).toBe('token_removed');
  }
});

test('the dialog says what the token will be able to do, as its fields change', async ({ page }) => {
  const user = createUser('preview');
  await openTokens(page, user);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate access token' });
  const preview = dialog.getByRole('region', { name: 'What this token will be able to do' });
  await dialog.getByLabel('Description', { exact: true }).fill('Preview');
  // The narrowest set, on every environment, until the suggested date.
  await expect(preview).toContainText('that read');
  await expect(preview).toContainText('On all of your environments');
  await expect(preview).toContainText(`Works through ${dmy(Date.now() + 30 * 86_400_000)} (UTC)`);
  await dialog.getByLabel('API set').selectOption({ label: 'Extended Access' });
  await expect(preview).toContainText('that write');
  await dialog.locator('#token-scopes').fill('env:my-project:r');
  await expect(preview).toContainText('Only on my-project (read only).');
  await expect(preview).toContainText('Its write methods are refused everywhere');
  await dialog.locator('#token-scopes').fill('env:my-project:rw');
  await expect(preview).toContainText('Only on my-project (read and write).');
  await expect(preview).not.toContainText('refused everywhere');
  await dialog.getByRole('radio', { name: 'Never' }).check();
  await expect(preview).toContainText('Never expires');
  // A wrong field: no preview of a token that could not be made.
  await dialog.locator('#token-scopes').fill('env:My Project:r');
  await expect(preview).toContainText('Correct the fields marked above');
});
