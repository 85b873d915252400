import type { Page } from '@playwright/test';

import { test, expect, waitForHydration, createUser, submitLogin, ADMIN_PASSWORD } from './fixtures';

/** Collects every Content-Security-Policy violation the page reports, in the page itself. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportViolation: (t: string) => void }).reportViolation(
        `${event.violatedDirective} blocked ${event.blockedURI}`,
      );
    });
  });
  return violations;
}

test('every page hydrates under its Content-Security-Policy without a violation', async ({ page }) => {
  const violations = await watchViolations(page);
  for (const path of ['/', '/login', '/docs/api']) {
    const response = await page.goto(path);
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    if (path !== '/docs/api') await waitForHydration(page);
  }
  await page.goto('/login?next=/admin/people');
  await waitForHydration(page);
  await submitLogin(page, 'admin', ADMIN_PASSWORD);
  await page.waitForURL((url) => url.pathname === '/admin/people');
  await waitForHydration(page);
  for (const path of ['/admin/policies', '/settings/account', '/settings/tokens']) {
    await page.goto(path);
    await waitForHydration(page);
  }
  await expect(page.locator('.tokens')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'Generate access token' })).toBeVisible();
  expect(violations).toEqual([]);
});

test('another site cannot frame the token pages', async ({ page, baseURL }) => {
  await page.setContent(`<iframe id="framed" src="${baseURL}/login" width="600" height="400"></iframe>`);
  const frame = page.frameLocator('#framed');
  await page.waitForTimeout(500);
  await expect(frame.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
});

test('a crafted next cannot send a person off the site after sign-in', async ({ page, baseURL }) => {
  const user = createUser('redirect');
  for (const next of ['/%09/evil.example', '/%0d%0a/evil.example', '%5C%5Cevil.example', '/\\evil.example']) {
    await page.goto(`/login?next=${next}`);
    await waitForHydration(page);
    await submitLogin(page, user.login, user.password);
    await page.waitForURL((url) => url.pathname !== '/login');
    expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
    await page.context().clearCookies();
  }
});
