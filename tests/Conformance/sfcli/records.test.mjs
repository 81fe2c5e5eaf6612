// The Salesforce CLI's everyday data commands against the emulator, logged in with an access token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loggedInCli, ok } from '../lib/sf.mjs';

const cli = loggedInCli();

test('sf data query prints the rows and reads the column metadata (columns=true)', async () => {
  const result = ok(await cli.box.sf(['data', 'query', ...cli.org, '--query', 'SELECT Id, Username, Profile.Name FROM User ORDER BY Username']));
  assert.ok(result.totalSize >= 1);
  const integration = result.records.find((r) => r.Username === cli.emulator.info.username);
  assert.ok(integration, 'the integration user is listed');
  assert.equal(typeof integration.Profile.Name, 'string');
  const { requests } = await cli.emulator.control('requests');
  assert.ok(requests.some((r) => r.endpoint === 'query' && r.query.includes('columns=true') && r.status === 200));
});

test('sf data query lays out parent-to-child subqueries and aggregates from the column metadata', async () => {
  const account = ok(await cli.box.sf(['data', 'create', 'record', ...cli.org, '--sobject', 'Account', '--values', "Name='Columns Inc'"]));
  ok(await cli.box.sf(['data', 'create', 'record', ...cli.org, '--sobject', 'Contact', '--values', `LastName=Column AccountId=${account.id}`]));
  const nested = ok(await cli.box.sf(['data', 'query', ...cli.org, '--query', "SELECT Name, (SELECT LastName FROM Contacts) FROM Account WHERE Name = 'Columns Inc'"]));
  assert.equal(nested.records[0].Contacts.records[0].LastName, 'Column');
  const human = await cli.box.sf(['data', 'query', ...cli.org, '--query', "SELECT Name, (SELECT LastName FROM Contacts) FROM Account WHERE Name = 'Columns Inc'"],
    { json: false });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /CONTACTS\.LASTNAME|Contacts\.LastName/i, 'the table has a column for the subquery field');
  assert.match(human.stdout, /Column/);

  const counted = ok(await cli.box.sf(['data', 'query', ...cli.org, '--query', "SELECT COUNT(Id) total FROM Contact WHERE LastName = 'Column'"]));
  assert.equal(counted.records[0].total, 1);
});

test('sf data create, get, update and delete record round-trip an Account', async () => {
  const created = ok(await cli.box.sf(['data', 'create', 'record', ...cli.org, '--sobject', 'Account', '--values', "Name='Conformance Ltd' Phone=555-0100"]));
  assert.equal(created.success, true);
  assert.match(created.id, /^001[A-Za-z0-9]{15}$/);

  const fetched = ok(await cli.box.sf(['data', 'get', 'record', ...cli.org, '--sobject', 'Account', '--record-id', created.id]));
  assert.equal(fetched.Name, 'Conformance Ltd');
  assert.equal(fetched.Phone, '555-0100');

  ok(await cli.box.sf(['data', 'update', 'record', ...cli.org, '--sobject', 'Account', '--record-id', created.id, '--values', "Name='Conformance plc'"]));
  const byWhere = ok(await cli.box.sf(['data', 'get', 'record', ...cli.org, '--sobject', 'Account', '--where', "Name='Conformance plc'"]));
  assert.equal(byWhere.Id, created.id);

  ok(await cli.box.sf(['data', 'delete', 'record', ...cli.org, '--sobject', 'Account', '--record-id', created.id]));
  const gone = await cli.box.sf(['data', 'get', 'record', ...cli.org, '--sobject', 'Account', '--record-id', created.id]);
  assert.notEqual(gone.code, 0, 'a deleted record is not found');
});

test('sf data create record reports the org\'s validation error', async () => {
  const result = await cli.box.sf(['data', 'create', 'record', ...cli.org, '--sobject', 'Contact', '--values', "FirstName='No' Email=x@example.com"]);
  assert.notEqual(result.code, 0);
  assert.match(result.stdout, /REQUIRED_FIELD_MISSING/);
});

test('sf sobject describe returns the object and its fields', async () => {
  const describe = ok(await cli.box.sf(['sobject', 'describe', ...cli.org, '--sobject', 'Contact']));
  assert.equal(describe.name, 'Contact');
  assert.equal(describe.keyPrefix, '003');
  const lastName = describe.fields.find((f) => f.name === 'LastName');
  assert.equal(lastName.type, 'string');
  assert.equal(lastName.nillable, false);
});
