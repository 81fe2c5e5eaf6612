// The Salesforce CLI's three non-interactive logins against the emulator: access token, JWT bearer, SFDX auth URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator } from '../lib/emulator.mjs';
import { sfSandbox, ok } from '../lib/sf.mjs';

let emulator;
let box;
let keys;

before(async () => {
  // The connected app's certificate: the emulator checks assertions against the public key, the CLI signs with the private one.
  keys = mkdtempSync(path.join(os.tmpdir(), 'sf-jwt-'));
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path.join(keys, 'server.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(path.join(keys, 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  emulator = await startEmulator(['--jwt-certificate', path.join(keys, 'public.pem')]);
  box = sfSandbox({ certificatePem: emulator.info.certificatePem });
});

after(async () => {
  await emulator?.stop();
  box?.cleanup();
  if (keys) rmSync(keys, { recursive: true, force: true });
});

test('the announced access token is shaped like a Salesforce session id, <org id>!<token>', () => {
  assert.match(emulator.info.accessToken, /^00D[A-Za-z0-9]{12}![A-Za-z0-9._]+$/);
});

test('sf org login access-token, then sf org display shows the org as connected', async () => {
  const login = ok(await box.sf(['org', 'login', 'access-token', '--instance-url', emulator.info.instanceUrl, '--no-prompt', '--alias', 'token'],
    { extraEnv: { SF_ACCESS_TOKEN: emulator.info.accessToken } }));
  assert.equal(login.username, emulator.info.username);
  assert.equal(login.orgId.slice(0, 15), emulator.info.accessToken.slice(0, 15));

  const display = ok(await box.sf(['org', 'display', '--target-org', 'token']));
  assert.equal(display.connectedStatus, 'Connected');
  assert.equal(display.username, emulator.info.username);
  assert.equal(display.apiVersion, '67.0', 'the CLI picks the newest version the org lists');
});

test('sf org login access-token refuses a token of another shape, as against a real org', async () => {
  const result = await box.sf(['org', 'login', 'access-token', '--instance-url', emulator.info.instanceUrl, '--no-prompt'],
    { extraEnv: { SF_ACCESS_TOKEN: 'not-a-session-id' } });
  assert.notEqual(result.code, 0);
});

test('sf org login jwt signs an assertion with exp in milliseconds, and the emulator accepts it as orgs do', async () => {
  const login = ok(await box.sf(['org', 'login', 'jwt', '--client-id', emulator.info.clientId, '--jwt-key-file', path.join(keys, 'server.key'),
    '--username', emulator.info.username, '--instance-url', emulator.info.instanceUrl, '--alias', 'jwt']));
  assert.equal(login.username, emulator.info.username);
  const { requests } = await emulator.control('requests');
  const grant = requests.filter((r) => r.endpoint === 'token').at(-1);
  assert.equal(grant.status, 200);
  const query = ok(await box.sf(['data', 'query', '--target-org', 'jwt', '--query', 'SELECT Name FROM Organization']));
  assert.equal(query.totalSize, 1);
});

test('sf org login jwt for an unknown user fails with the org\'s error, not a server error', async () => {
  const result = await box.sf(['org', 'login', 'jwt', '--client-id', emulator.info.clientId, '--jwt-key-file', path.join(keys, 'server.key'),
    '--username', 'nobody@example.com', '--instance-url', emulator.info.instanceUrl]);
  assert.notEqual(result.code, 0);
  const { requests } = await emulator.control('requests');
  assert.equal(requests.filter((r) => r.endpoint === 'token').at(-1).status, 400);
});

test('sf org login sfdx-url logs in over https with the refresh token', async () => {
  const { clientId, clientSecret, refreshToken, httpsInstanceUrl } = emulator.info;
  assert.match(httpsInstanceUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
  const authFile = path.join(box.home, 'auth-url.txt');
  writeFileSync(authFile, `force://${clientId}:${clientSecret}:${refreshToken}@${httpsInstanceUrl.slice('https://'.length)}`);
  const login = ok(await box.sf(['org', 'login', 'sfdx-url', '--sfdx-url-file', authFile, '--alias', 'authurl']));
  assert.equal(login.username, emulator.info.username);
  assert.equal(login.instanceUrl.replace(/\/$/, ''), httpsInstanceUrl);

  const display = ok(await box.sf(['org', 'display', '--target-org', 'authurl']));
  assert.equal(display.connectedStatus, 'Connected');
});
