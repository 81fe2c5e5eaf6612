// Composite graph and sObject Tree (REST API Developer Guide: "Composite Graph", "Composite Graph Limits",
// "sObject Tree") through jsforce's request API, as integrators call them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jsforce from 'jsforce';
import { startEmulator } from '../lib/emulator.mjs';

let emulator;
let conn;

before(async () => {
  emulator = await startEmulator();
  conn = new jsforce.Connection({ instanceUrl: emulator.info.instanceUrl, accessToken: emulator.info.accessToken, version: '62.0' });
});

after(async () => {
  await emulator?.stop();
});

const node = (referenceId, url, body, method = 'POST') => ({ method, url: `/services/data/v62.0/${url}`, referenceId, body });

test('composite graph runs each graph all or nothing, reports isSuccessful, and counts one call', async () => {
  const before = await emulator.control('counts');
  const answer = await conn.requestPost('/services/data/v62.0/composite/graph', {
    graphs: [
      {
        graphId: 'good',
        compositeRequest: [
          node('acct', 'sobjects/Account', { Name: 'Graph Good' }),
          node('contact', 'sobjects/Contact', { LastName: 'Grapher', AccountId: '@{acct.id}' }),
        ],
      },
      {
        graphId: 'bad',
        compositeRequest: [
          node('acct2', 'sobjects/Account', { Name: 'Graph Bad' }),
          node('contact2', 'sobjects/Contact', { FirstName: 'NoLastName', AccountId: '@{acct2.id}' }),
        ],
      },
    ],
  });
  const after = await emulator.control('counts');
  assert.equal(after.apiCalls - before.apiCalls, 1, 'the whole graph request is one call');
  const [good, bad] = answer.graphs;
  assert.equal(good.graphId, 'good');
  assert.equal(good.isSuccessful, true);
  assert.equal(good.graphResponse.compositeResponse[0].httpStatusCode, 201);
  assert.equal(bad.isSuccessful, false);
  const codes = bad.graphResponse.compositeResponse.map((r) => r.body[0]?.errorCode);
  assert.ok(codes.includes('REQUIRED_FIELD_MISSING'));
  assert.ok(codes.includes('PROCESSING_HALTED'));

  const contact = await conn.sobject('Contact').retrieve(good.graphResponse.compositeResponse[1].body.id);
  assert.equal(contact.AccountId, good.graphResponse.compositeResponse[0].body.id);
  assert.equal((await conn.query("SELECT Id FROM Account WHERE Name = 'Graph Bad'")).totalSize, 0, 'the failed graph was rolled back');
});

test('composite graph is served from API 50.0 and refuses more than 500 nodes', async () => {
  const old = await emulator.rest('/services/data/v49.0/composite/graph', { method: 'POST', body: { graphs: [] } });
  assert.equal(old.status, 404);
  const nodes = Array.from({ length: 501 }, (_, i) => node(`a${i}`, 'sobjects/Account', { Name: `N${i}` }));
  const tooMany = await emulator.rest('/services/data/v62.0/composite/graph', { method: 'POST', body: { graphs: [{ graphId: 'g', compositeRequest: nodes }] } });
  assert.equal(tooMany.status, 400);
});

test('sObject Tree creates nested records in one call and answers an id per referenceId', async () => {
  const answer = await conn.requestPost('/services/data/v62.0/composite/tree/Account', {
    records: [{
      attributes: { type: 'Account', referenceId: 'root' },
      Name: 'Treetop',
      Contacts: { records: [
        { attributes: { type: 'Contact', referenceId: 'leaf1' }, LastName: 'Leaf' },
        { attributes: { type: 'Contact', referenceId: 'leaf2' }, LastName: 'Twig' },
      ] },
    }],
  });
  assert.equal(answer.hasErrors, false);
  assert.deepEqual(answer.results.map((r) => r.referenceId), ['root', 'leaf1', 'leaf2']);
  const contacts = await conn.query(`SELECT LastName FROM Contact WHERE AccountId = '${answer.results[0].id}'`);
  assert.equal(contacts.totalSize, 2);
});

test('sObject Tree refuses a duplicate referenceId and an unknown relationship before saving anything', async () => {
  const duplicate = await emulator.rest('/services/data/v62.0/composite/tree/Account', { method: 'POST', body: { records: [
    { attributes: { type: 'Account', referenceId: 'same' }, Name: 'Dup One' },
    { attributes: { type: 'Account', referenceId: 'same' }, Name: 'Dup Two' },
  ] } });
  assert.equal(duplicate.status, 400);
  assert.equal(duplicate.body.hasErrors, true);
  assert.equal(duplicate.body.results[0].errors[0].statusCode, 'INVALID_INPUT');
  const unknown = await emulator.rest('/services/data/v62.0/composite/tree/Account', { method: 'POST', body: { records: [
    { attributes: { type: 'Account', referenceId: 'x' }, Name: 'Odd', Widgets: { records: [] } },
  ] } });
  assert.equal(unknown.status, 400);
  assert.equal((await conn.query("SELECT Id FROM Account WHERE Name IN ('Dup One', 'Dup Two', 'Odd')")).totalSize, 0);
});

test('describe names the parent-to-child relationships the tree uses', async () => {
  const account = await conn.sobject('Account').describe();
  const contacts = account.childRelationships.find((r) => r.relationshipName === 'Contacts');
  assert.equal(contacts.childSObject, 'Contact');
  assert.equal(contacts.field, 'AccountId');
});
