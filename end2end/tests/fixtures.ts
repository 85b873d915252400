import { test as base, expect, type Page } from '@playwright/test';

/** Tests address the server that global-setup.ts started. */
export const test = base.extend({
  baseURL: async ({}, use) => {
    const url = process.env.TESSERA_URL;
    if (!url) throw new Error('TESSERA_URL is not set: global setup did not start the server');
    await use(url);
  },
});

/** Waits until the WASM bundle has hydrated the page (the App sets this attribute). */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

export { expect };
