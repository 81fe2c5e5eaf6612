// API versions as Salesforce serves them (Salesforce Help 000354473 "Salesforce Platform API Versions 21.0 through
// 30.0 Retirement": retired versions answer 410 GONE on REST), seen through jsforce's version option.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jsforce from 'jsforce';
import { startEmulator } from '../lib/emulator.mjs';

let emulator;
const connect = (version) => new jsforce.Connection({ instanceUrl: emulator.info.instanceUrl, accessToken: emulator.info.accessToken, version });

before(async () => {
  emulator = await startEmulator();
});

after(async () => {
  await emulator?.stop();
});

test('the oldest and newest served versions answer; the version list runs from 31.0 to 67.0', async () => {
  for (const version of ['31.0', '67.0']) {
    assert.equal((await connect(version).query('SELECT Id FROM Organization')).totalSize, 1, version);
  }
  const versions = await (await fetch(`${emulator.info.instanceUrl}/services/data/`)).json();
  assert.equal(versions[0].version, '31.0');
  assert.equal(versions.at(-1).version, '67.0');
});

test('a retired version answers 410 GONE and one newer than the latest 404 NOT_FOUND', async () => {
  await assert.rejects(connect('30.0').query('SELECT Id FROM Organization'), (error) => {
    assert.equal(error.errorCode, 'GONE');
    return true;
  });
  await assert.rejects(connect('68.0').query('SELECT Id FROM Organization'), (error) => {
    assert.equal(error.errorCode, 'NOT_FOUND');
    return true;
  });
});
