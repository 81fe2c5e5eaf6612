// Bulk API 2.0 ("Bulk API 2.0 and Bulk API Developer Guide") through jsforce's bulk2 client, and the counts
// Salesforce keeps: one batch per 10,000 ingested records (DailyBulkApiBatches), one query job (DailyBulkV2QueryJobs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jsforce from 'jsforce';
import { startEmulator } from '../lib/emulator.mjs';

let emulator;
let conn;

before(async () => {
  emulator = await startEmulator();
  const { instanceUrl, accessToken } = emulator.info;
  conn = new jsforce.Connection({ instanceUrl, accessToken, version: '62.0' });
  conn.bulk2.pollInterval = 200;
  conn.bulk2.pollTimeout = 60_000;
});

after(async () => {
  await emulator?.stop();
});

const limits = async () => (await emulator.rest('/services/data/v62.0/limits')).body;

test('an ingest job of 25,001 rows runs in three 10,000-record batches, each row succeeding or failing alone', async () => {
  const before = await limits();
  const rows = Array.from({ length: 25_001 }, (_, i) => ({ LastName: `Bulk ${i}`, Company: i % 5000 === 0 ? '' : 'Bulk Co' }));
  const results = await conn.bulk2.loadAndWaitForResults({ object: 'Lead', operation: 'insert', input: rows });

  const failing = rows.filter((r) => r.Company === '').length;
  assert.equal(results.successfulResults.length, 25_001 - failing);
  assert.equal(results.failedResults.length, failing);
  assert.equal(results.unprocessedRecords.length, 0);
  assert.match(results.successfulResults[0].sf__Id, /^00Q[A-Za-z0-9]{15}$/);
  assert.equal(results.successfulResults[0].sf__Created, 'true');
  assert.match(results.failedResults[0].sf__Error, /^REQUIRED_FIELD_MISSING:/);

  const after = await limits();
  assert.equal(before.DailyBulkApiBatches.Remaining - after.DailyBulkApiBatches.Remaining, 3, 'ceil(25,001 / 10,000) batches');
  const count = await conn.query('SELECT COUNT() FROM Lead WHERE Company = \'Bulk Co\'');
  assert.equal(count.totalSize, 25_001 - failing, 'nothing lost, nothing doubled');
});

test('the job reports Salesforce\'s counts when polled', async () => {
  const job = conn.bulk2.createJob({ object: 'Contact', operation: 'insert' });
  await job.open();
  await job.uploadData('LastName,Email\nKeller,keller@example.com\n,nobody@example.com\nOrtiz,not-an-email\n');
  await job.close();
  await job.poll(100, 10_000);
  const info = await job.check();
  assert.equal(info.state, 'JobComplete');
  assert.equal(info.jobType, 'V2Ingest');
  assert.equal(info.numberRecordsProcessed, 3);
  assert.equal(info.numberRecordsFailed, 2);
});

test('an aborted job leaves its rows in unprocessedrecords and writes none of them', async () => {
  const job = conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
  await job.open();
  await job.uploadData('Name\nNever One\nNever Two\n');
  await job.abort();
  const unprocessed = await job.getUnprocessedRecords();
  assert.deepEqual(unprocessed.map((r) => r.Name), ['Never One', 'Never Two']);
  assert.equal((await conn.query('SELECT COUNT() FROM Account WHERE Name LIKE \'Never %\'')).totalSize, 0);
});

test('update and delete jobs take Id columns; a bad header fails the whole job', async () => {
  const created = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'insert', input: 'Name\nAlpha\nBeta\n' });
  const ids = created.successfulResults.map((r) => r.sf__Id);
  const updated = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'update', input: `Id,Phone\n${ids[0]},555-0101\n${ids[1]},555-0102\n` });
  assert.equal(updated.successfulResults.length, 2);
  assert.equal(updated.successfulResults[0].sf__Created, 'false');
  assert.equal((await conn.sobject('Account').retrieve(ids[1])).Phone, '555-0102');
  const deleted = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'delete', input: `Id\n${ids.join('\n')}\n` });
  assert.equal(deleted.successfulResults.length, 2);

  const bad = conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
  await bad.open();
  await bad.uploadData('Name,Colour\nGamma,red\n');
  await bad.close();
  await assert.rejects(bad.poll(100, 10_000), /Field name not found : Colour/);
});

test('an upsert job matches rows by the external id: existing records are updated, the others created', async () => {
  const csv = [
    'Employee_Id__c,Department,Username,LastName,Email,Alias,TimeZoneSidKey,LocaleSidKey,EmailEncodingKey,LanguageLocaleKey,ProfileId',
    'E-1001,Upserted,,,,,,,,,',
    'E-9001,New Hires,new.hire@emulator.example.com,Hire,new.hire@example.com,nhire,Europe/Paris,fr_FR,UTF-8,fr,00eEm0000000002',
  ].join('\n') + '\n';
  const results = await conn.bulk2.loadAndWaitForResults({ object: 'User', operation: 'upsert', externalIdFieldName: 'Employee_Id__c', input: csv });
  assert.equal(results.failedResults.length, 0, JSON.stringify(results.failedResults));
  assert.deepEqual(results.successfulResults.map((r) => [r.Employee_Id__c, r.sf__Created]), [['E-1001', 'false'], ['E-9001', 'true']]);
  const users = await conn.query("SELECT Employee_Id__c, Department FROM User WHERE Employee_Id__c IN ('E-1001', 'E-9001') ORDER BY Employee_Id__c");
  assert.deepEqual(users.records.map((u) => u.Department), ['Upserted', 'New Hires']);
});

test('a query job pages its CSV results with Sforce-Locator and counts one DailyBulkV2QueryJobs', async () => {
  const before = await limits();
  const records = await (await conn.bulk2.query('SELECT Id, LastName FROM Lead WHERE Company = \'Bulk Co\'')).toArray();
  assert.ok(records.length > 20_000);
  assert.equal(new Set(records.map((r) => r.Id)).size, records.length);
  const after = await limits();
  assert.equal(before.DailyBulkV2QueryJobs.Remaining - after.DailyBulkV2QueryJobs.Remaining, 1);
  assert.equal(after.DailyBulkApiBatches.Remaining, before.DailyBulkApiBatches.Remaining, 'query jobs take no batches');

  const job = await emulator.rest('/services/data/v62.0/jobs/query', { method: 'POST', body: { operation: 'query', query: 'SELECT Name FROM Profile ORDER BY Name' } });
  assert.equal(job.status, 200);
  const pages = [];
  let locator = '';
  do {
    const page = await emulator.rest(`/services/data/v62.0/jobs/query/${job.body.id}/results?maxRecords=2${locator ? `&locator=${locator}` : ''}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /text\/csv/);
    pages.push(page.text.trim().split('\n').slice(1));
    assert.equal(Number(page.headers.get('sforce-numberofrecords')), pages.at(-1).length);
    locator = page.headers.get('sforce-locator');
  } while (locator !== 'null');
  assert.ok(pages.length > 1, 'more than one page');
  assert.ok(pages.slice(0, -1).every((p) => p.length === 2));
});

test('a query job with an invalid query is refused when it is created', async () => {
  const job = await emulator.rest('/services/data/v62.0/jobs/query', { method: 'POST', body: { operation: 'query', query: 'SELECT Colour FROM Account' } });
  assert.equal(job.status, 400);
  assert.equal(job.body[0].errorCode, 'INVALID_FIELD');
});
