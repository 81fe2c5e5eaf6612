// sf data import tree / export tree: the sObject Tree resource (composite/tree) with child records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loggedInCli, ok } from '../lib/sf.mjs';

const cli = loggedInCli();

const tree = (accountName, contacts) => ({
  records: [{
    attributes: { type: 'Account', referenceId: `${accountName.replace(/\W/g, '')}Ref` },
    Name: accountName,
    Phone: '555-0199',
    Contacts: { records: contacts.map((c, i) => ({ attributes: { type: 'Contact', referenceId: `${accountName.replace(/\W/g, '')}Contact${i}` }, ...c })) },
  }],
});

test('sf data import tree saves an account with its contacts, linked by AccountId', async () => {
  const file = path.join(cli.box.home, 'Account-Contact.json');
  writeFileSync(file, JSON.stringify(tree('Tree Industries', [{ LastName: 'Root', Email: 'root@example.com' }, { LastName: 'Branch' }])));
  const result = ok(await cli.box.sf(['data', 'import', 'tree', ...cli.org, '--files', file]));
  assert.equal(result.length, 3);
  const account = result.find((r) => r.type === 'Account');
  assert.match(account.id, /^001/);
  const contacts = ok(await cli.box.sf(['data', 'query', ...cli.org, '--query', `SELECT LastName, AccountId FROM Contact WHERE AccountId = '${account.id}' ORDER BY LastName`]));
  assert.deepEqual(contacts.records.map((c) => c.LastName), ['Branch', 'Root']);

  const { requests } = await cli.emulator.control('requests');
  const treeCalls = requests.filter((r) => r.endpoint === 'compositeTree');
  assert.equal(treeCalls.length, 1);
  assert.equal(treeCalls[0].countedCalls, 1, 'one counted call for the whole tree');
});

test('a tree with one invalid child saves nothing and names the failing reference', async () => {
  const file = path.join(cli.box.home, 'Broken.json');
  writeFileSync(file, JSON.stringify(tree('Broken Tree Ltd', [{ LastName: 'Fine' }, { FirstName: 'NoLastName' }])));
  const result = await cli.box.sf(['data', 'import', 'tree', ...cli.org, '--files', file]);
  assert.notEqual(result.code, 0);
  assert.match(result.stdout, /BrokenTreeLtdContact1/);
  assert.match(result.stdout, /REQUIRED_FIELD_MISSING/);
  const accounts = ok(await cli.box.sf(['data', 'query', ...cli.org, '--query', "SELECT Id FROM Account WHERE Name = 'Broken Tree Ltd'"]));
  assert.equal(accounts.totalSize, 0, 'the parent was rolled back with the failing child');
});

test('sf data export tree writes records in the tree format that import tree reads back', async () => {
  const dir = path.join(cli.box.home, 'export');
  mkdirSync(dir);
  ok(await cli.box.sf(['data', 'export', 'tree', ...cli.org, '--query', "SELECT Name, Phone FROM Account WHERE Name = 'Tree Industries'", '--output-dir', dir]));
  const [file] = readdirSync(dir);
  const exported = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  assert.equal(exported.records.length, 1);
  assert.equal(exported.records[0].attributes.type, 'Account');
  assert.equal(exported.records[0].Name, 'Tree Industries');
  assert.ok(exported.records[0].attributes.referenceId);

  exported.records[0].Name = 'Tree Industries Copy';
  writeFileSync(path.join(dir, file), JSON.stringify(exported));
  ok(await cli.box.sf(['data', 'import', 'tree', ...cli.org, '--files', path.join(dir, file)]));
  const copy = ok(await cli.box.sf(['data', 'query', ...cli.org, '--query', "SELECT Phone FROM Account WHERE Name = 'Tree Industries Copy'"]));
  assert.equal(copy.records[0].Phone, '555-0199');
});

test('sf data export tree with a parent-to-child subquery writes the children nested, and import tree restores them', async () => {
  const dir = path.join(cli.box.home, 'export-children');
  mkdirSync(dir);
  ok(await cli.box.sf(['data', 'export', 'tree', ...cli.org, '--query',
    "SELECT Name, Phone, (SELECT LastName, Email FROM Contacts ORDER BY LastName) FROM Account WHERE Name = 'Tree Industries'", '--output-dir', dir]));
  const [file] = readdirSync(dir);
  const exported = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  assert.equal(exported.records.length, 1);
  const contacts = exported.records[0].Contacts.records;
  assert.deepEqual(contacts.map((c) => c.LastName), ['Branch', 'Root']);
  assert.ok(contacts.every((c) => c.attributes.type === 'Contact' && c.attributes.referenceId));

  exported.records[0].Name = 'Tree Industries Clone';
  writeFileSync(path.join(dir, file), JSON.stringify(exported));
  const imported = ok(await cli.box.sf(['data', 'import', 'tree', ...cli.org, '--files', path.join(dir, file)]));
  assert.equal(imported.length, 3);
  const clone = imported.find((r) => r.type === 'Account');
  const cloned = ok(await cli.box.sf(['data', 'query', ...cli.org, '--query', `SELECT LastName FROM Contact WHERE AccountId = '${clone.id}' ORDER BY LastName`]));
  assert.deepEqual(cloned.records.map((c) => c.LastName), ['Branch', 'Root']);
});
