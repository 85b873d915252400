import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ADMIN_PASSWORD } from './tests/fixtures';

/**
 * Starts the real `tessera` release binary on a free port (port 0) with a fresh SQLite
 * database, and hands its address to the tests through TESSERA_URL.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const bin = requiredEnv('TESSERA_BIN');
  const siteRoot = requiredEnv('TESSERA_SITE_ROOT');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tessera-e2e-'));
  const logDir = path.join(__dirname, 'test-results');
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(path.join(logDir, 'server.log'));

  const databaseUrl = `sqlite://${dataDir}/tessera.db`;
  const server = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--site-root', siteRoot], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      TESSERA_LOG: 'info',
      // The webhook journey's receiver listens on loopback.
      TESSERA_WEBHOOK_ALLOW_PRIVATE: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stderr.pipe(log);

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('tessera did not start within 30 s')), 30_000);
    let seen = '';
    server.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = seen.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tessera exited with ${code} before listening; see ${logDir}/server.log`));
    });
  });
  process.env.TESSERA_URL = url;
  // For tests that create users with the CLI against the same database.
  process.env.TESSERA_E2E_DATABASE_URL = databaseUrl;

  return async () => {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  };
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the browser tests with ./dev.sh test`);
  }
  return value;
}
