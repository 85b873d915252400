// Throwaway: screenshots of the new UI (not committed).
import { chromium, devices } from 'playwright';
import { createServer } from 'node:http';
let calls = 0;
const receiver = createServer((req, res) => { req.resume(); req.on('end', () => { calls += 1; res.writeHead(calls === 1 ? 503 : 204).end(); }); });
await new Promise((r) => receiver.listen(4998, '127.0.0.1', r));
const base = 'http://127.0.0.1:3999';
const out = process.argv[2];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
async function session(opts) {
  const context = await browser.newContext(opts);
  const page = await context.newPage();
  await page.goto(base + '/login?next=/settings/tokens');
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.getByLabel('Login').fill('ann');
  await page.getByLabel('Password').fill('ann long password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/settings\/tokens/);
  await page.waitForSelector('.tokens[data-hydrated="true"]');
  return { context, page };
}
for (const [name, opts] of [
  ['light', { viewport: { width: 1280, height: 900 } }],
  ['dark', { viewport: { width: 1280, height: 900 }, colorScheme: 'dark' }],
  ['phone', { ...devices['Pixel 7'] }],
]) {
  const { context, page } = await session(opts);
  await page.screenshot({ path: `${out}/tokens-${name}.png`, fullPage: true });
  if (name === 'light') {
    await page.getByRole('row').filter({ hasText: 'Deploy bot' }).click();
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Regenerate token value' }).click();
    await page.getByLabel('Keep the old value working for').selectOption({ label: '1 day' });
    await page.screenshot({ path: `${out}/regenerate-confirm.png` });
    await page.getByLabel('Password', { exact: true }).fill('ann long password');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForSelector('#reveal-grace');
    await page.screenshot({ path: `${out}/regenerate-reveal.png` });
    await page.getByRole('button', { name: 'Done' }).click();
    await page.screenshot({ path: `${out}/tokens-rotating.png`, fullPage: true });
    await page.getByRole('row').filter({ hasText: 'IDE plugin' }).click();
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Ends no later than').fill('31-12-2027');
    await page.screenshot({ path: `${out}/edit-not-after.png` });
    await page.keyboard.press('Escape');
    const headers = { origin: base, 'content-type': 'application/json' };
    const hook = await page.request.post(base + '/api/v1/webhooks', { headers, data: { password: 'ann long password', url: 'http://127.0.0.1:4998/hook' } });
    console.log('webhook', hook.status());
    const list = await (await page.request.get(base + '/api/v1/tokens')).json();
    const nightly = list.tokens.find((t) => t.description === 'Nightly build');
    await page.request.post(base + `/api/v1/tokens/${nightly.id}/regenerate`, { headers, data: { password: 'ann long password', grace: '1h' } });
    const bot = list.tokens.find((t) => t.description === 'Deploy bot');
    await page.request.delete(base + `/api/v1/tokens/${bot.id}`, { headers, data: { password: 'ann long password' } });
    await page.waitForTimeout(2500);
  }
  await page.goto(base + '/settings/notifications');
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.screenshot({ path: `${out}/notifications-${name}.png`, fullPage: true });
  await context.close();
}
await browser.close();
receiver.close();
