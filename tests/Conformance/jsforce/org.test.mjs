// jsforce against the emulator as a faithful org: org shapes from the seed, SOQL as Salesforce defines it,
// records (system fields, recycle bin, upsert, collections, recent items, describe) and per-record latency.
// Each case backs a claim of src/SalesforceProvisioning.Emulator/README.md.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import jsforce from 'jsforce';
import { startEmulator } from '../lib/emulator.mjs';

let emulator;
let conn;
let defaultSeed;

before(async () => {
  emulator = await startEmulator();
  const { instanceUrl, accessToken } = emulator.info;
  conn = new jsforce.Connection({ instanceUrl, accessToken, version: '62.0' });
  defaultSeed = await emulator.control('seed');
});

after(async () => {
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.control('seed', defaultSeed);
  await emulator.control('reset', {});
});

/** The default seed changed by `change`, loaded into the emulator. */
async function useSeed(change) {
  const seed = structuredClone(defaultSeed);
  change(seed);
  await emulator.control('seed', seed);
  conn.cache.clear?.();
}

const withPersonAccounts = (seed) => {
  seed.org.personAccounts = true;
  seed.objects.Account.push({ Id: '001Em0000000002', FirstName: 'Jane', LastName: 'Doe', PersonEmail: 'jane.doe@example.com' });
};

const fieldNames = (describe) => describe.fields.map((f) => f.name);

// ---- Org shape -------------------------------------------------------------------------------------------

test('Person Accounts are off by default: no IsPersonAccount in describe, INVALID_FIELD in SOQL', async () => {
  const account = await conn.describe('Account');
  assert.ok(!fieldNames(account).includes('IsPersonAccount'));
  await assert.rejects(conn.query('SELECT Id, IsPersonAccount FROM Account'), (error) => {
    assert.equal(error.errorCode, 'INVALID_FIELD');
    assert.match(error.message, /No such column 'IsPersonAccount' on entity 'Account'/);
    return true;
  });
  await assert.rejects(conn.sobject('Account').create({ LastName: 'Person' }), (error) => error.errorCode === 'INVALID_FIELD');

  await useSeed(withPersonAccounts);
  assert.ok(fieldNames(await conn.describe('Account')).includes('IsPersonAccount'));
  const person = await conn.query('SELECT Name, PersonContactId, (SELECT Email, IsPersonAccount FROM Contacts) FROM Account WHERE IsPersonAccount = true');
  assert.deepEqual(person.records.map((r) => r.Name), ['Jane Doe']);
  assert.equal(person.records[0].Contacts.records[0].Email, 'jane.doe@example.com');
  assert.equal(person.records[0].Contacts.records[0].IsPersonAccount, true);
  await assert.rejects(conn.sobject('Contact').create({ LastName: 'Joiner', AccountId: '001Em0000000002' }), (error) => error.errorCode === 'FIELD_INTEGRITY_EXCEPTION');
});

test('custom fields, external ids and required fields come from the seed', async () => {
  await useSeed((seed) => {
    seed.org.fields.Contact = [{ name: 'Badge__c', type: 'string', length: 12, externalId: true, unique: true }];
    seed.org.fields.Account = [{ name: 'Tier__c', type: 'picklist', picklistValues: ['Gold', 'Silver'], required: true }];
    seed.objects.Account.forEach((a) => { a.Tier__c = 'Gold'; });
  });
  const badge = (await conn.describe('Contact')).fields.find((f) => f.name === 'Badge__c');
  assert.equal(badge.custom, true);
  assert.equal(badge.externalId, true);
  const tier = (await conn.describe('Account')).fields.find((f) => f.name === 'Tier__c');
  assert.equal(tier.nillable, false);
  await assert.rejects(conn.sobject('Account').create({ Name: 'No Tier' }), (error) => error.errorCode === 'REQUIRED_FIELD_MISSING');
  await conn.sobject('Contact').create({ LastName: 'Badger', Badge__c: 'B-1' });
  const found = await conn.query("SELECT LastName FROM Contact WHERE Badge__c = 'B-1'");
  assert.equal(found.records[0].LastName, 'Badger');
});

test('validation rules answer FIELD_CUSTOM_VALIDATION_EXCEPTION with their message', async () => {
  await useSeed((seed) => {
    seed.org.validationRules = { Contact: [{ fullName: 'Reachable', errorConditionFormula: 'AND(ISBLANK(Email), ISBLANK(Phone))', errorMessage: 'Give an email or a phone number.', errorDisplayField: 'Email' }] };
  });
  await assert.rejects(conn.sobject('Contact').create({ LastName: 'Nobody' }), (error) => {
    assert.equal(error.errorCode, 'FIELD_CUSTOM_VALIDATION_EXCEPTION');
    assert.equal(error.message, 'Give an email or a phone number.');
    return true;
  });
  const ok = await conn.sobject('Contact').create({ LastName: 'Somebody', Phone: '555' });
  assert.equal(ok.success, true);
});

test("the org's lead statuses are LeadStatus rows and the Status picklist", async () => {
  const statuses = await conn.query('SELECT ApiName, MasterLabel, IsConverted, IsDefault, SortOrder FROM LeadStatus ORDER BY SortOrder');
  assert.deepEqual(statuses.records.filter((s) => s.IsConverted).map((s) => s.ApiName), ['Closed - Converted', 'Qualified']);
  await useSeed((seed) => {
    seed.objects.LeadStatus = [
      { ApiName: 'New', MasterLabel: 'New enquiry', IsDefault: true, SortOrder: 1 },
      { ApiName: 'Won', MasterLabel: 'Won over', IsConverted: true, SortOrder: 2 },
    ];
    seed.objects.Lead = [];
  });
  const status = (await conn.describe('Lead')).fields.find((f) => f.name === 'Status');
  assert.deepEqual(status.picklistValues.map((v) => [v.value, v.label]), [['New', 'New enquiry'], ['Won', 'Won over']]);
  assert.equal(status.defaultValue, 'New');
  const lead = await conn.sobject('Lead').create({ LastName: 'L', Company: 'C' });
  const labelled = await conn.query(`SELECT toLabel(Status) FROM Lead WHERE Id = '${lead.id}'`);
  assert.equal(labelled.records[0].Status, 'New enquiry');
});

test('record types show in describe and must belong to the object', async () => {
  await useSeed((seed) => {
    seed.objects.RecordType = [
      { Id: '012Em0000000001', Name: 'Partner Contact', DeveloperName: 'Partner_Contact', SobjectType: 'Contact' },
      { Id: '012Em0000000003', Name: 'Hot Lead', DeveloperName: 'Hot_Lead', SobjectType: 'Lead' },
    ];
  });
  const infos = (await conn.describe('Contact')).recordTypeInfos;
  assert.deepEqual(infos.map((i) => i.name), ['Partner Contact', 'Master']);
  await assert.rejects(conn.sobject('Contact').create({ LastName: 'P', RecordTypeId: '012Em0000000003' }), (error) => error.errorCode === 'INVALID_CROSS_REFERENCE_KEY');
  assert.equal((await conn.sobject('Contact').create({ LastName: 'P', RecordTypeId: '012Em0000000001' })).success, true);
});

test('licences count their seats and a full one answers LICENSE_LIMIT_EXCEEDED', async () => {
  await useSeed((seed) => {
    seed.objects.UserLicense[0].TotalLicenses = 3; // the integration user, Alice and Dan are active on it
    seed.objects.PermissionSetLicense[0].TotalLicenses = 1; // Alice holds it
  });
  const licence = await conn.query("SELECT TotalLicenses, UsedLicenses FROM UserLicense WHERE Name = 'Salesforce'");
  assert.equal(licence.records[0].UsedLicenses, 3);
  const user = {
    Username: 'seat@example.com', LastName: 'Seat', Email: 'seat@example.com', Alias: 'seat', TimeZoneSidKey: 'GMT',
    LocaleSidKey: 'en_US', EmailEncodingKey: 'UTF-8', LanguageLocaleKey: 'en_US', ProfileId: '00eEm0000000002',
  };
  await assert.rejects(conn.sobject('User').create(user), (error) => error.errorCode === 'LICENSE_LIMIT_EXCEEDED');
  await assert.rejects(conn.sobject('PermissionSetLicenseAssign').create({ AssigneeId: '005Em0000000004', PermissionSetLicenseId: '0PLEm0000000001' }),
    (error) => error.errorCode === 'LICENSE_LIMIT_EXCEEDED');
  const path = await conn.query("SELECT Profile.UserLicense.Name FROM User WHERE Username = 'alice.active@emulator.example.com'");
  assert.equal(path.records[0].Profile.UserLicense.Name, 'Salesforce');
});

test('roles and permission set groups are queryable setup objects', async () => {
  const roles = await conn.query('SELECT Name, ParentRole.Name, (SELECT Username FROM Users) FROM UserRole WHERE ParentRoleId != null');
  assert.equal(roles.records[0].ParentRole.Name, 'CEO');
  assert.equal(roles.records[0].Users.records[0].Username, 'alice.active@emulator.example.com');
  assert.equal((await conn.query('SELECT MasterLabel FROM PermissionSetGroup')).records[0].MasterLabel, 'Sales Bundle');
});

// ---- SOQL ------------------------------------------------------------------------------------------------

test('child-to-parent paths and parent-to-child subqueries', async () => {
  const alice = (await conn.query("SELECT Profile.Name, Manager.Username FROM User WHERE Username = 'alice.active@emulator.example.com'")).records[0];
  assert.equal(alice.Profile.Name, 'Standard User');
  assert.equal(alice.Manager.Username, 'integration@emulator.example.com');
  const assignee = await conn.query("SELECT Assignee.Username FROM PermissionSetAssignment WHERE PermissionSet.Name = 'Sales_Ops'");
  assert.equal(assignee.records[0].Assignee.Username, 'alice.active@emulator.example.com');
  const acme = (await conn.query("SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account WHERE Name = 'Acme Corporation'")).records[0];
  assert.deepEqual(acme.Contacts.records.map((c) => c.LastName), ['Community', 'Newcomer']);
});

test('COUNT(), GROUP BY with aliases, MIN and MAX, NULLS LAST and OFFSET', async () => {
  assert.equal((await conn.query('SELECT COUNT() FROM User')).totalSize, 6);
  const grouped = await conn.query('SELECT Profile.Name, COUNT(Id) total, MAX(Username) FROM User GROUP BY Profile.Name ORDER BY COUNT(Id) DESC');
  assert.equal(grouped.records[0].Name, 'Standard User');
  assert.equal(grouped.records[0].total, 3);
  assert.equal(grouped.records[0].expr0, 'dan.obrien@emulator.example.com');
  const ordered = await conn.query('SELECT Department FROM User ORDER BY Department NULLS LAST, Username LIMIT 2 OFFSET 1');
  assert.deepEqual(ordered.records.map((r) => r.Department), ['Support', null]);
});

test('date literals, semi-joins, FIELDS() and the batchSize option', async () => {
  assert.equal((await conn.query('SELECT COUNT() FROM Contact WHERE CreatedDate = TODAY')).totalSize, 3);
  assert.equal((await conn.query('SELECT COUNT() FROM Contact WHERE CreatedDate = LAST_N_DAYS:7')).totalSize, 3);
  assert.equal((await conn.query('SELECT COUNT() FROM Contact WHERE CreatedDate < YESTERDAY')).totalSize, 0);
  const semi = await conn.query("SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE LastName = 'Partner')");
  assert.deepEqual(semi.records.map((r) => r.Name), ['Globex Partners']);
  const standard = (await conn.query("SELECT FIELDS(STANDARD) FROM User WHERE Username = 'alice.active@emulator.example.com'")).records[0];
  assert.ok('Username' in standard && !('Employee_Id__c' in standard));
  await assert.rejects(conn.query('SELECT FIELDS(ALL) FROM User'), (error) => error.errorCode === 'MALFORMED_QUERY');

  await conn.sobject('Contact').create(Array.from({ length: 200 }, (_, i) => ({ LastName: `Batch${i}` })), { allOrNone: true });
  const page = await conn.request({
    method: 'GET',
    url: `/services/data/v62.0/query?q=${encodeURIComponent("SELECT Id FROM Contact WHERE LastName LIKE 'Batch%'")}`,
    headers: { 'Sforce-Query-Options': 'batchSize=150' },
  });
  assert.equal(page.records.length, 200); // below the minimum of 200, the page is 200 anyway
  assert.equal(page.done, true);
});

// ---- Records ---------------------------------------------------------------------------------------------

test('system fields, the recycle bin, queryAll and getDeleted/getUpdated', async () => {
  const start = new Date(Date.now() - 60_000);
  const created = await conn.sobject('Contact').create({ LastName: 'Binned' });
  const record = await conn.sobject('Contact').retrieve(created.id);
  assert.equal(record.IsDeleted, false);
  assert.equal(record.OwnerId, record.CreatedById);
  assert.ok(record.LastModifiedById && record.SystemModstamp);
  await conn.sobject('Contact').destroy(created.id);
  assert.equal((await conn.query(`SELECT COUNT() FROM Contact WHERE Id = '${created.id}'`)).totalSize, 0);
  const all = await conn.query(`SELECT Id, IsDeleted FROM Contact WHERE Id = '${created.id}'`).scanAll(true); // queryAll
  assert.equal(all.records[0].IsDeleted, true);
  const end = new Date(Date.now() + 120_000);
  const deleted = await conn.sobject('Contact').deleted(start, end);
  assert.deepEqual(deleted.deletedRecords.map((d) => d.id), [created.id]);
  const updated = await conn.sobject('Contact').updated(start, end);
  assert.ok(Array.isArray(updated.ids));
});

test('upsert by external id, one record and many', async () => {
  const user = (username, key) => ({
    Username: username, LastName: 'Upsert', Email: username, Alias: 'ups', TimeZoneSidKey: 'GMT', LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8', LanguageLocaleKey: 'en_US', ProfileId: '00eEm0000000002', Employee_Id__c: key,
  });
  const first = await conn.sobject('User').upsert(user('one@example.com', 'E-5001'), 'Employee_Id__c');
  assert.equal(first.success, true);
  assert.equal(first.created, true);
  const again = await conn.sobject('User').upsert({ Employee_Id__c: 'E-5001', Title: 'Again' }, 'Employee_Id__c');
  assert.equal(again.created, false);
  const many = await conn.sobject('User').upsert([user('two@example.com', 'E-5002'), { Employee_Id__c: 'E-1001', Title: 'Boss' }], 'Employee_Id__c');
  assert.deepEqual(many.map((r) => [r.success, r.created]), [[true, true], [true, false]]);
});

test('collections retrieve by POST, recent items, and wrong-type lookups', async () => {
  const records = await conn.requestPost('/services/data/v62.0/composite/sobjects/Contact', { ids: ['003Em0000000001', '003Em0000000002'], fields: ['LastName'] });
  assert.deepEqual(records.map((r) => r.LastName), ['Community', 'Partner']);
  await conn.query("SELECT Id FROM Account WHERE Name = 'Globex Partners' FOR VIEW");
  const recent = await conn.recent();
  assert.equal(recent[0].Name, 'Globex Partners');
  assert.equal((await conn.request('/services/data/v62.0/')).recent, '/services/data/v62.0/recent'); // named in the resource list
  await assert.rejects(conn.sobject('Contact').create({ LastName: 'W', AccountId: '005Em0000000002' }), (error) => error.errorCode === 'FIELD_INTEGRITY_EXCEPTION');
});

test("convertLead through jsforce's SOAP API gives the new records to ownerId, or else the lead's owner", async () => {
  const alice = '005Em0000000002IAA';
  const lead = await conn.sobject('Lead').create({ LastName: 'Owned', Company: 'Owned Ltd', OwnerId: alice });
  const [byLeadOwner] = [].concat(await conn.soap.convertLead([{ leadId: lead.id, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true }]));
  assert.equal(String(byLeadOwner.success), 'true');
  assert.equal((await conn.sobject('Contact').retrieve(byLeadOwner.contactId)).OwnerId, alice);
  const other = await conn.sobject('Lead').create({ LastName: 'Other', Company: 'Other Ltd', OwnerId: alice });
  const [byOwnerId] = [].concat(await conn.soap.convertLead([{ leadId: other.id, convertedStatus: 'Qualified', ownerId: '005Em0000000004IAA', doNotCreateOpportunity: true }]));
  assert.equal((await conn.sobject('Account').retrieve(byOwnerId.accountId)).OwnerId, '005Em0000000004IAA');
});

test('describe has the keys clients read', async () => {
  const account = await conn.describe('Account');
  assert.ok(account.childRelationships.some((c) => c.relationshipName === 'Contacts' && c.childSObject === 'Contact' && c.field === 'AccountId'));
  assert.ok(account.recordTypeInfos.some((i) => i.master));
  const name = account.fields.find((f) => f.name === 'Name');
  assert.equal(name.nameField, true);
  assert.equal(name.soapType, 'xsd:string');
  assert.equal(name.filterable, true);
  assert.equal(account.fields.find((f) => f.name === 'Id').soapType, 'tns:ID');
  assert.equal(account.fields.find((f) => f.name === 'IsDeleted').defaultValue, false);
});

test('a per-record latency is charged for each record a request writes', async () => {
  const slow = await startEmulator(['--latency-per-record-ms', '1']);
  try {
    const slowConn = new jsforce.Connection({ instanceUrl: slow.info.instanceUrl, accessToken: slow.info.accessToken, version: '62.0' });
    await slow.control('requests', undefined, 'DELETE');
    await slowConn.sobject('Contact').create([{ LastName: 'A' }, { LastName: 'B' }, { LastName: 'C' }], { allOrNone: false });
    const log = (await slow.control('requests')).requests;
    assert.deepEqual(log.map((e) => e.recordsProcessed), [3]);
  } finally {
    await slow.stop();
  }
});
