// Sign-in as Salesforce documents it, seen through jsforce: the identity URL, userinfo, the resource list, and
// frozen users (Salesforce Help, "Freeze or Unfreeze User Accounts": frozen users cannot log in).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jsforce from 'jsforce';
import { startEmulator } from '../lib/emulator.mjs';

let emulator;
let conn;

before(async () => {
  emulator = await startEmulator();
  const { instanceUrl, clientId, clientSecret, accessToken, refreshToken } = emulator.info;
  conn = new jsforce.Connection({ oauth2: { clientId, clientSecret, loginUrl: instanceUrl }, instanceUrl, accessToken, refreshToken, version: '62.0' });
});

after(async () => {
  await emulator?.stop();
});

test('the resource list names the caller\'s identity URL and every resource served', async () => {
  const resources = await conn.request('/services/data/v62.0/');
  assert.match(resources.identity, new RegExp(`^${emulator.info.instanceUrl}/id/00D[A-Za-z0-9]{15}/005[A-Za-z0-9]{15}$`));
  for (const name of ['sobjects', 'query', 'queryAll', 'limits', 'composite']) {
    assert.equal(resources[name], `/services/data/v62.0/${name}`);
    if (name !== 'composite') {
      const answer = await emulator.rest(resources[name] + (name.startsWith('query') ? '?q=SELECT+Id+FROM+Organization' : ''));
      assert.equal(answer.status, 200, `${name} is served`);
    }
  }
});

test('identity() reads the identity URL with ?oauth_token= and gets Salesforce\'s fields', async () => {
  const identity = await conn.identity();
  assert.equal(identity.username, emulator.info.username);
  for (const field of ['id', 'asserted_user', 'user_id', 'organization_id', 'nick_name', 'display_name', 'email', 'email_verified',
    'first_name', 'last_name', 'timezone', 'photos', 'urls', 'active', 'user_type', 'language', 'locale', 'utcOffset', 'last_modified_date']) {
    assert.ok(field in identity, `identity has ${field}`);
  }
  assert.equal(identity.urls.rest, `${emulator.info.instanceUrl}/services/data/v{version}/`);
  const { requests } = await emulator.control('requests');
  assert.ok(requests.some((r) => r.path.startsWith('/id/') && r.query.includes('oauth_token=') && r.status === 200));
});

test('userinfo answers the OpenID Connect claims, also for ?oauth_token=', async () => {
  const info = await conn.request(`${emulator.info.instanceUrl}/services/oauth2/userinfo`);
  for (const claim of ['sub', 'user_id', 'organization_id', 'preferred_username', 'nickname', 'name', 'email', 'email_verified',
    'given_name', 'family_name', 'zoneinfo', 'photos', 'profile', 'picture', 'urls', 'active', 'user_type', 'language', 'locale', 'utcOffset', 'updated_at']) {
    assert.ok(claim in info, `userinfo has ${claim}`);
  }
  const byParameter = await fetch(`${emulator.info.instanceUrl}/services/oauth2/userinfo?oauth_token=${encodeURIComponent(conn.accessToken)}`);
  assert.equal(byParameter.status, 200);
  assert.equal((await byParameter.json()).preferred_username, emulator.info.username);
  const badToken = await fetch(`${emulator.info.instanceUrl}/services/oauth2/userinfo?oauth_token=00D000000000000!nope`);
  assert.equal(badToken.status, 401);
});

test('freezing a user ends their open session and refuses them a new token', async () => {
  const [login] = (await conn.query(`SELECT Id FROM UserLogin WHERE UserId = '${(await conn.identity()).user_id}'`)).records;
  await conn.sobject('UserLogin').update({ Id: login.Id, IsFrozen: true });

  const session = await emulator.rest('/services/data/v62.0/limits', { token: conn.accessToken });
  assert.equal(session.status, 401);
  assert.equal(session.body[0].errorCode, 'INVALID_SESSION_ID');
  await assert.rejects(conn.query('SELECT Id FROM Organization'), (error) => {
    assert.match(`${error.name}: ${error.message}`, /inactive_user|user is frozen/);
    return true;
  });
});
