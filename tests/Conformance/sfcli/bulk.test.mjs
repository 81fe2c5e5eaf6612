// sf data import bulk / export bulk (Bulk API 2.0) against the emulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loggedInCli, ok } from '../lib/sf.mjs';

const cli = loggedInCli();

test('sf data import bulk loads a CSV through an ingest job and reports the failed row', async () => {
  const file = path.join(cli.box.home, 'contacts.csv');
  const rows = Array.from({ length: 120 }, (_, i) => `Bulk${i},bulk${i}@example.com`);
  rows[42] = ',missing.lastname@example.com';
  writeFileSync(file, `LastName,Email\n${rows.join('\n')}\n`);
  const result = await cli.box.sf(['data', 'import', 'bulk', ...cli.org, '--file', file, '--sobject', 'Contact', '--wait', '5']);
  // The CLI exits non-zero when any record failed, naming the job; its results come from `sf data bulk results`.
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.json.message, /failed to process 1 records/);
  assert.equal(result.json.data.state, 'JobComplete');
  const details = ok(await cli.box.sf(['data', 'bulk', 'results', ...cli.org, '--job-id', result.json.data.jobId]));
  assert.equal(details.processedRecords, 120, JSON.stringify(details));
  assert.equal(details.successfulRecords, 119);
  assert.equal(details.failedRecords, 1);
  const count = ok(await cli.box.sf(['data', 'query', ...cli.org, '--query', "SELECT COUNT() FROM Contact WHERE Email LIKE 'bulk%'"]));
  assert.equal(count.totalSize, 119);
});

test('sf data export bulk writes every row of a query job to CSV', async () => {
  const file = path.join(cli.box.home, 'export.csv');
  const result = ok(await cli.box.sf(['data', 'export', 'bulk', ...cli.org, '--query', "SELECT Id, LastName, Email FROM Contact WHERE Email LIKE 'bulk%' ORDER BY LastName",
    '--output-file', file, '--wait', '5']));
  assert.equal(result.totalSize, 119);
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  assert.equal(lines.length, 120, 'header plus 119 rows');
  assert.match(lines[0], /Id.*LastName.*Email/);
});
