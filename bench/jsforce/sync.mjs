// The baseline of the benchmark's side-by-side mode: a competent hand-written jsforce user sync, as
// an integrator would write it. It matches by Username with IN-list queries (300 names a query, as many as a URL of 16,384 characters holds),
// writes creates and updates in sObject Collections of 200 records, and keeps four requests in
// flight. The people are the ones the benchmark feeds the module (bench/SalesforceProvisioning.Bench).
//
//   SF_ACCESS_TOKEN=... node bench/jsforce/sync.mjs --instance-url URL --users N [--changed-every K]
//
// Prints one JSON line: created, updated, unchanged, failed, wallSeconds. jsforce comes from
// tests/Conformance (npm ci there).
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../tests/Conformance/package.json', import.meta.url));
const jsforce = require('jsforce');

const NamesPerQuery = 300;
const RecordsPerCollection = 200;
const InFlight = 4;
const Fields = ['FirstName', 'LastName', 'Email', 'Title', 'Department'];

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1];
}

function person(i, changedEvery) {
  const id = String(i).padStart(6, '0');
  return {
    Username: `user${id}@bench.example.com`,
    Email: `user${id}@bench.example.com`,
    FirstName: i % 7 === 0 ? 'Seán' : 'Alex',
    LastName: i % 5 === 0 ? `O'Brien${i}` : `Bench${i}`,
    Title: changedEvery > 0 && i % changedEvery === 0 ? 'Senior Engineer' : 'Engineer',
    Department: 'Dept' + (i % 20),
  };
}

const quote = (value) => "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";

function chunks(items, size) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function inFlight(tasks, limit) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < tasks.length) await tasks[next++]();
  }));
}

const instanceUrl = option('--instance-url');
const users = Number(option('--users', '1000'));
const changedEvery = Number(option('--changed-every', '0'));
const conn = new jsforce.Connection({ instanceUrl, accessToken: process.env.SF_ACCESS_TOKEN, version: '62.0' });

const started = process.hrtime.bigint();
const people = Array.from({ length: users }, (_, i) => person(i, changedEvery));
const profileId = (await conn.query("SELECT Id FROM Profile WHERE Name = 'Standard User'")).records[0].Id;

const existing = new Map();
await inFlight(chunks(people, NamesPerQuery).map((batch) => async () => {
  const soql = `SELECT Id, Username, ${Fields.join(', ')} FROM User WHERE Username IN (${batch.map((p) => quote(p.Username)).join(', ')})`;
  const result = await conn.query(soql, { autoFetch: true, maxFetch: NamesPerQuery });
  for (const record of result.records) existing.set(record.Username.toLowerCase(), record);
}), InFlight);

const creates = [];
const updates = [];
let unchanged = 0;
for (const p of people) {
  const found = existing.get(p.Username.toLowerCase());
  if (!found) {
    creates.push({
      ...p, ProfileId: profileId, Alias: (p.FirstName[0] + p.LastName).replace(/[^A-Za-z0-9]/g, '').slice(0, 8),
      TimeZoneSidKey: 'America/Los_Angeles', LocaleSidKey: 'en_US', EmailEncodingKey: 'UTF-8', LanguageLocaleKey: 'en_US',
    });
    continue;
  }
  const changed = Fields.filter((f) => (found[f] ?? '') !== (p[f] ?? ''));
  if (changed.length === 0) { unchanged++; continue; }
  const update = { Id: found.Id };
  for (const f of changed) update[f] = p[f];
  updates.push(update);
}

let created = 0, updated = 0, failed = 0;
const writes = [
  ...chunks(creates, RecordsPerCollection).map((batch) => async () => {
    for (const r of await conn.sobject('User').create(batch, { allOrNone: false })) r.success ? created++ : failed++;
  }),
  ...chunks(updates, RecordsPerCollection).map((batch) => async () => {
    for (const r of await conn.sobject('User').update(batch, { allOrNone: false })) r.success ? updated++ : failed++;
  }),
];
await inFlight(writes, InFlight);

const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ tool: 'jsforce', users, created, updated, unchanged, failed, wallSeconds: Math.round(wallSeconds * 100) / 100 }));
