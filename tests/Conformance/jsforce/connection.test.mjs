// jsforce, the most used Node client, driven against the emulator the way integrators write it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jsforce from 'jsforce';
import { startEmulator } from '../lib/emulator.mjs';

let emulator;
let conn;

before(async () => {
  emulator = await startEmulator();
  const { instanceUrl, clientId, clientSecret, accessToken, refreshToken } = emulator.info;
  conn = new jsforce.Connection({
    oauth2: { clientId, clientSecret, loginUrl: instanceUrl },
    instanceUrl,
    accessToken,
    refreshToken,
    version: '62.0',
  });
});

after(async () => {
  await emulator?.stop();
});

test('identity() follows the id URL and names the user and org', async () => {
  const identity = await conn.identity();
  assert.equal(identity.username, emulator.info.username);
  assert.match(identity.organization_id, /^00D[A-Za-z0-9]{15}$/);
  assert.match(identity.user_id, /^005[A-Za-z0-9]{15}$/);
});

test('an expired session is refreshed with the refresh token and the call replayed', async () => {
  await emulator.control('expire-access-tokens', {});
  let refreshed = null;
  conn.once('refresh', (token) => { refreshed = token; });
  const result = await conn.query('SELECT Id FROM Organization');
  assert.equal(result.totalSize, 1);
  assert.ok(refreshed, 'jsforce refreshed its token');
  assert.match(refreshed, /^00D[A-Za-z0-9]{12}![A-Za-z0-9._]+$/, 'the new token is shaped like a Salesforce session id');
});

test('create, retrieve, update, delete through sobject()', async () => {
  const created = await conn.sobject('Contact').create({ FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' });
  assert.equal(created.success, true);
  const record = await conn.sobject('Contact').retrieve(created.id);
  assert.equal(record.Name, 'Ada Lovelace');
  await conn.sobject('Contact').update({ Id: created.id, Title: 'Analyst' });
  assert.equal((await conn.sobject('Contact').retrieve(created.id)).Title, 'Analyst');
  const deleted = await conn.sobject('Contact').destroy(created.id);
  assert.equal(deleted.success, true);
  await assert.rejects(conn.sobject('Contact').retrieve(created.id), (error) => error.errorCode === 'ENTITY_IS_DELETED' || error.errorCode === 'NOT_FOUND');
});

test('a failed create rejects with Salesforce\'s errorCode and fields', async () => {
  await assert.rejects(conn.sobject('Contact').create({ FirstName: 'NoLastName' }), (error) => {
    assert.equal(error.errorCode, 'REQUIRED_FIELD_MISSING');
    return true;
  });
});

test('bulk create through sObject Collections keeps one result per record, in order', async () => {
  const leads = Array.from({ length: 450 }, (_, i) => ({ LastName: `Lead ${i}`, Company: 'Conformance' }));
  leads[7].Status = 'No Such Status';
  const results = await conn.sobject('Lead').create(leads, { allOrNone: false, allowRecursive: true });
  assert.equal(results.length, 450);
  assert.equal(results.filter((r) => r.success).length, 449);
  assert.equal(results[7].success, false);
  assert.equal(results[7].errors[0].statusCode, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
});

test('query with autoFetch follows nextRecordsUrl past 2,000 rows', async () => {
  const rows = Array.from({ length: 2100 - 450 }, (_, i) => ({ LastName: `More ${i}`, Company: 'Paging' }));
  await conn.sobject('Lead').create(rows, { allowRecursive: true });
  const result = await conn.query('SELECT Id FROM Lead', { autoFetch: true, maxFetch: 10000 });
  assert.ok(result.totalSize >= 2099);
  assert.equal(result.records.length, result.totalSize);
  assert.equal(new Set(result.records.map((r) => r.Id)).size, result.totalSize, 'no row is doubled');
});

test('describe and describeGlobal', async () => {
  const global = await conn.describeGlobal();
  assert.ok(global.sobjects.some((s) => s.name === 'User'));
  const user = await conn.sobject('User').describe();
  assert.equal(user.name, 'User');
  assert.ok(user.fields.some((f) => f.name === 'Username' && f.type === 'string'));
});

test('limits() reports the daily API allowance', async () => {
  const limits = await conn.limits();
  assert.equal(typeof limits.DailyApiRequests.Max, 'number');
  assert.ok(limits.DailyApiRequests.Remaining <= limits.DailyApiRequests.Max);
});
