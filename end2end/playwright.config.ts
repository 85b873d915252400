import { defineConfig, devices } from '@playwright/test';

// Debian's Chromium (Playwright must not download a browser here); see scripts/setup.sh.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: './tests',
  // Starts the release binary on a free port against a fresh SQLite file.
  globalSetup: './global-setup.ts',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    launchOptions: { executablePath, args: chromiumArgs },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: { ...devices['Desktop Chrome'] },
      testIgnore: /\.(nojs|phone|last)\.spec\.ts$/,
    },
    {
      name: 'phone',
      use: { ...devices['Pixel 7'] },
      testMatch: /\.phone\.spec\.ts$/,
    },
    {
      // Proves the server-rendered HTML works before (and without) the WASM bundle.
      name: 'no-javascript',
      use: { ...devices['Desktop Chrome'], javaScriptEnabled: false },
      testMatch: /\.nojs\.spec\.ts$/,
    },
    {
      // Changes what the whole server allows (the token policy), so it runs after the rest.
      name: 'last',
      use: { ...devices['Desktop Chrome'] },
      testMatch: /\.last\.spec\.ts$/,
      dependencies: ['chromium', 'phone', 'no-javascript'],
    },
  ],
});
