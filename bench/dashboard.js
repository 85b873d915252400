// Run by bench/dashboard.sh: navigation → the first page of tokens (50 rows) painted, the
// browser's own first contentful paint, and → interactive (hydrated and a click selects a
// row), in headless Chromium.
const { chromium } = require('../end2end/node_modules/playwright-core');

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

(async () => {
  const base = process.env.BASE;
  const [login, password] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  const context = await browser.newContext();
  const signIn = await context.request.post(`${base}/login`, {
    form: { login, password },
    headers: { 'sec-fetch-site': 'same-origin' },
    maxRedirects: 0,
  });
  if (signIn.status() !== 303) throw new Error(`sign-in answered ${signIn.status()}`);
  const painted = [];
  const contentful = [];
  const interactive = [];
  for (let run = 0; run < 8; run++) {
    const page = await context.newPage();
    const start = Date.now();
    await page.goto(`${base}/settings/tokens`, { waitUntil: 'commit' });
    const rows = page.locator('tr[data-token-id]');
    await rows.nth(49).waitFor({ state: 'visible' });
    painted.push(Date.now() - start);
    await page.waitForSelector('body[data-hydrated=true]');
    await rows.nth(25).click();
    await page.waitForSelector('tr[data-token-id][aria-selected=true]');
    interactive.push(Date.now() - start);
    contentful.push(Math.round(await page.evaluate(() =>
      performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN)));
    await page.close();
  }
  const html = await (await context.request.get(`${base}/settings/tokens`)).text();
  console.log(`painted:     median ${median(painted.slice(1))} (runs ${painted.join(' ')})`);
  console.log(`first contentful paint (browser's clock): median ${median(contentful.slice(1))} (runs ${contentful.join(' ')})`);
  console.log(`interactive: median ${median(interactive.slice(1))} (runs ${interactive.join(' ')})`);
  console.log(`server-rendered HTML: ${html.length} bytes`);
  await browser.close();
})();
