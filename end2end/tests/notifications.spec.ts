import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

import { test, expect, waitForHydration, createUser, submitLogin } from './fixtures';
import { cliToken, platform } from './tokens.helpers';

/** A webhook receiver on a free loopback port, keeping what it is sent. */
async function receiver() {
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => server.close() };
}

test('register a webhook, see its secret once, and see a delivery arrive', async ({ page, request }) => {
  const hook = await receiver();
  const user = createUser('hooks');
  const value = cliToken(user, '--api', 'ide_plugins', '--description', 'Watched');
  await page.goto('/login?next=/settings/notifications');
  await waitForHydration(page);
  await submitLogin(page, user.login, user.password);
  await expect(page).toHaveURL(/\/settings\/notifications$/);
  await waitForHydration(page);

  const form = page.locator('form.endpoint-form');
  await form.getByLabel('URL').fill('ftp://example.com/');
  await form.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(form.locator('#webhook-url-error')).toContainText('https://');
  await form.getByLabel('URL').fill(hook.url);
  await form.getByRole('button', { name: 'Add endpoint' }).click();
  const confirm = page.getByRole('dialog', { name: 'Confirm with your password' });
  await confirm.getByLabel('Password', { exact: true }).fill(user.password);
  await confirm.getByRole('button', { name: 'Add' }).click();
  await expect(confirm).toBeHidden();
  const secretDialog = page.getByRole('dialog', { name: "Your endpoint's signing secret" });
  const secret = await secretDialog.getByLabel('Signing secret').inputValue();
  expect(secret).toMatch(/^whsec_/);
  await secretDialog.getByRole('button', { name: 'Done' }).click();
  const endpoint = page.getByRole('region', { name: `Endpoint ${hook.url}` });
  await expect(endpoint).toBeVisible();
  expect(await page.content()).not.toContain(secret);

  // Revoking the token (the token itself, over the API) is delivered within seconds.
  const revoked = await request.delete('/api/v1/tokens/self', { headers: { authorization: `Bearer ${value}` } });
  expect(revoked.status()).toBe(204);
  await expect.poll(() => hook.received.length, { timeout: 10_000 }).toBe(1);
  const delivered = JSON.parse(hook.received[0].body);
  expect(delivered.event).toBe('token.removed');
  expect(delivered.token.description).toBe('Watched');
  expect(hook.received[0].body).not.toContain(value);
  // The signature verifies with the secret shown once, as the README's verifier does.
  const [t, v1] = String(hook.received[0].headers['tessera-signature']).split(',').map((part) => part.split('=')[1]);
  expect(createHmac('sha256', secret).update(`${t}.${hook.received[0].body}`).digest('hex')).toBe(v1);

  await page.reload();
  await waitForHydration(page);
  await expect(endpoint.getByRole('row').filter({ hasText: 'token.removed' })).toContainText('204 · delivered');
  await endpoint.getByRole('button', { name: /^Redeliver delivery/ }).click();
  await expect(page.getByText('Sent again as a new delivery.')).toBeVisible();
  await expect.poll(() => hook.received.length, { timeout: 10_000 }).toBe(2);
  expect(hook.received[1].body).toBe(hook.received[0].body);
  hook.close();
  expect((await platform(request, '/1.0/users/account/rest/getuserinfo', value)).code).toBe('token_removed');
});
