import { test, expect, createUser } from './fixtures';
import { cliToken, openTokens, platform, row } from './tokens.helpers';

const FOUND_AT = 'https://github.com/leaky/app/blob/9c1e/.env';

test('a token a scanner reports leaked is refused and marked with where it was found', async ({ page, request }) => {
  const user = createUser('leaky');
  const value = cliToken(user, '--api', 'ide_plugins', '--description', 'Deploy key');
  const kept = cliToken(user, '--api', 'ide_plugins', '--description', 'Laptop');
  expect((await platform(request, '/1.0/users/account/rest/getuserinfo', value)).result).toBe(0);

  const reported = await request.post('/api/v1/leaks', {
    data: [{ token: value, type: 'tessera_token', url: FOUND_AT, source: 'content' }],
  });
  expect(reported.status()).toBe(200);
  const answer = await reported.json();
  expect(answer).toHaveLength(1);
  expect(answer[0].label).toBe('true_positive');
  expect(JSON.stringify(answer)).not.toContain(value);

  const refused = await platform(request, '/1.0/users/account/rest/getuserinfo', value);
  expect(refused.code).toBe('token_leaked');
  expect((await platform(request, '/1.0/users/account/rest/getuserinfo', kept)).result).toBe(0);

  await openTokens(page, user);
  const leaked = row(page, 'Deploy key');
  await expect(leaked.getByText('Leaked', { exact: true })).toBeVisible();
  await expect(leaked).toContainText('Found in public (content)');
  await expect(leaked.getByRole('link', { name: FOUND_AT })).toHaveAttribute('href', FOUND_AT);
  await expect(row(page, 'Laptop').getByText('Active', { exact: true })).toBeVisible();
});
