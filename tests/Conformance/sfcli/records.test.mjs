// The Salesforce CLI's everyday data commands against the emulator, logged in with an access token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../lib/emulator.mjs';
import { sfSandbox, ok } from '../lib/sf.mjs';

let emulator;
let box;
const org = ['--target-org', 'emu'];

before(async () => {
  emulator = await startEmulator();
  box = sfSandbox();
  ok(await box.sf(['org', 'login', 'access-token', '--instance-url', emulator.info.instanceUrl, '--no-prompt', '--alias', 'emu'],
    { extraEnv: { SF_ACCESS_TOKEN: emulator.info.accessToken } }));
});

after(async () => {
  await emulator?.stop();
  box?.cleanup();
});

test('sf data query prints the rows and reads the column metadata (columns=true)', async () => {
  const result = ok(await box.sf(['data', 'query', ...org, '--query', 'SELECT Id, Username, Profile.Name FROM User ORDER BY Username']));
  assert.ok(result.totalSize >= 1);
  const integration = result.records.find((r) => r.Username === emulator.info.username);
  assert.ok(integration, 'the integration user is listed');
  assert.equal(typeof integration.Profile.Name, 'string');
  const { requests } = await emulator.control('requests');
  assert.ok(requests.some((r) => r.endpoint === 'query' && r.query.includes('columns=true') && r.status === 200));
});

test('sf data query lays out parent-to-child subqueries and aggregates from the column metadata', async () => {
  const account = ok(await box.sf(['data', 'create', 'record', ...org, '--sobject', 'Account', '--values', "Name='Columns Inc'"]));
  ok(await box.sf(['data', 'create', 'record', ...org, '--sobject', 'Contact', '--values', `LastName=Column AccountId=${account.id}`]));
  const nested = ok(await box.sf(['data', 'query', ...org, '--query', "SELECT Name, (SELECT LastName FROM Contacts) FROM Account WHERE Name = 'Columns Inc'"]));
  assert.equal(nested.records[0].Contacts.records[0].LastName, 'Column');
  const human = await box.sf(['data', 'query', ...org, '--query', "SELECT Name, (SELECT LastName FROM Contacts) FROM Account WHERE Name = 'Columns Inc'"],
    { json: false });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /CONTACTS\.LASTNAME|Contacts\.LastName/i, 'the table has a column for the subquery field');
  assert.match(human.stdout, /Column/);

  const counted = ok(await box.sf(['data', 'query', ...org, '--query', "SELECT COUNT(Id) total FROM Contact WHERE LastName = 'Column'"]));
  assert.equal(counted.records[0].total, 1);
});

test('sf data create, get, update and delete record round-trip an Account', async () => {
  const created = ok(await box.sf(['data', 'create', 'record', ...org, '--sobject', 'Account', '--values', "Name='Conformance Ltd' Phone=555-0100"]));
  assert.equal(created.success, true);
  assert.match(created.id, /^001[A-Za-z0-9]{15}$/);

  const fetched = ok(await box.sf(['data', 'get', 'record', ...org, '--sobject', 'Account', '--record-id', created.id]));
  assert.equal(fetched.Name, 'Conformance Ltd');
  assert.equal(fetched.Phone, '555-0100');

  ok(await box.sf(['data', 'update', 'record', ...org, '--sobject', 'Account', '--record-id', created.id, '--values', "Name='Conformance plc'"]));
  const byWhere = ok(await box.sf(['data', 'get', 'record', ...org, '--sobject', 'Account', '--where', "Name='Conformance plc'"]));
  assert.equal(byWhere.Id, created.id);

  ok(await box.sf(['data', 'delete', 'record', ...org, '--sobject', 'Account', '--record-id', created.id]));
  const gone = await box.sf(['data', 'get', 'record', ...org, '--sobject', 'Account', '--record-id', created.id]);
  assert.notEqual(gone.code, 0, 'a deleted record is not found');
});

test('sf data create record reports the org\'s validation error', async () => {
  const result = await box.sf(['data', 'create', 'record', ...org, '--sobject', 'Contact', '--values', "FirstName='No' Email=x@example.com"]);
  assert.notEqual(result.code, 0);
  assert.match(result.stdout, /REQUIRED_FIELD_MISSING/);
});

test('sf sobject describe returns the object and its fields', async () => {
  const describe = ok(await box.sf(['sobject', 'describe', ...org, '--sobject', 'Contact']));
  assert.equal(describe.name, 'Contact');
  assert.equal(describe.keyPrefix, '003');
  const lastName = describe.fields.find((f) => f.name === 'LastName');
  assert.equal(lastName.type, 'string');
  assert.equal(lastName.nillable, false);
});
