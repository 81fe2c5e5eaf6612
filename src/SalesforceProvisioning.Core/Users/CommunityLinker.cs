using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The Communities target's extra rules around a user sync: every community user hangs off a Contact
    /// under a business Account. New users get the contact found by email under that account, or a new
    /// one; person accounts are refused; a matched community user without a contact is reported, never
    /// duplicated. Contacts are non-setup objects, so they are written in their own requests.
    /// </summary>
    internal sealed class CommunityLinker
    {
        private static readonly HashSet<string> CommunityUserTypes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "PowerCustomerSuccess", "CspLitePortal", "PowerPartner", "CustomerSuccess", "Guest",
        };

        private readonly SalesforceClient _client;
        private readonly CompositeReader _reader;
        private readonly CompositeWriter _writer;
        private readonly string _defaultAccountId;
        private readonly TimeSpan _retryDelay;
        private AccountShape _accounts;

        public CommunityLinker(SalesforceClient client, CompositeReader reader, CompositeWriter writer, string defaultAccountId, TimeSpan retryDelay)
        {
            _client = client;
            _reader = reader;
            _writer = writer;
            _defaultAccountId = defaultAccountId;
            _retryDelay = retryDelay;
        }

        /// <summary>Accounts read in this run, by 15-character Id (null: read and not found).</summary>
        private readonly Dictionary<string, JObject> _accountsById = new Dictionary<string, JObject>(StringComparer.Ordinal);

        /// <summary>The connection's account's contacts (from PrepareAsync's count); null when not known.</summary>
        private int? _defaultAccountContacts;

        /// <summary>The connection's account's contacts by <see cref="ContactKey"/>, once read (see <see cref="ShouldReadDefaultAccountContacts"/>).</summary>
        private Dictionary<string, JObject> _defaultContacts;

        /// <summary>
        /// The inputs given a contact in this run (found, or to be created), by <see cref="ContactKey"/>. Writes are
        /// carried across windows, so a contact planned in one may not exist yet when a later window plans the
        /// same email: a second contact (nothing unique tells contacts apart) or a second user of one contact
        /// would duplicate the person, so the later input is refused whether or not the contact was created yet.
        /// </summary>
        private readonly Dictionary<string, (int Index, string Username)> _contactsGiven = new Dictionary<string, (int, string)>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Query subrequests spent so far finding the connection's account's contacts by email.</summary>
        private int _keyedContactReads;

        /// <summary>
        /// The connection's account must exist and be a business account, before anything is written. One
        /// call reads the Account describe, the account and how many contacts it holds.
        /// </summary>
        public async Task ValidateDefaultAccountAsync(CancellationToken ct)
        {
            if (_defaultAccountId == null) return;
            var body = new JObject
            {
                ["allOrNone"] = false,
                ["compositeRequest"] = new JArray
                {
                    Get("describe", "sobjects/Account/describe"),
                    Get("account", "query?q=" + Uri.EscapeDataString($"SELECT Id, Name FROM Account WHERE Id = {Soql.Literal(_defaultAccountId)}")),
                    Get("contacts", "query?q=" + Uri.EscapeDataString($"SELECT COUNT() FROM Contact WHERE AccountId = {Soql.Literal(_defaultAccountId)}")),
                },
            };
            var answer = await _client.SendAsync(RestSharp.Method.Post, _client.DataPath("composite"), body, repeatable: true, ct).ConfigureAwait(false);
            var responses = ((JArray)answer["compositeResponse"]).Cast<JObject>().ToDictionary(r => r.Value<string>("referenceId"));
            foreach (var response in responses.Values.Where(r => r.Value<int>("httpStatusCode") >= 300))
                throw SalesforceClient.ToApiException(new ApiResponse(response.Value<int>("httpStatusCode"), response["body"]?.ToString(Newtonsoft.Json.Formatting.None)));
            _accounts = AccountShape.FromDescribe((JObject)responses["describe"]["body"]);
            var account = ((JArray)responses["account"]["body"]["records"]).Cast<JObject>().FirstOrDefault();
            // Only an org with Person Accounts has IsPersonAccount, read then in a call of its own.
            if (account != null && _accounts.HasPersonAccounts)
                account = (await ReadAccountsAsync(new[] { _defaultAccountId }, ct).ConfigureAwait(false)).Values.FirstOrDefault();
            else _accountsById[UserOrgContext.Id15(_defaultAccountId)] = account;
            _defaultAccountContacts = responses["contacts"]["body"].Value<int?>("totalSize");
            string problem = AccountProblem(_defaultAccountId, account);
            if (problem != null)
                throw new SalesforceConfigurationException("AccountId", problem, "Give the Id of the business account that holds the community's contacts.");
        }

        public async Task PlanAsync(IReadOnlyList<UserPlan> plans, UserOrgContext org, CancellationToken ct)
        {
            var creates = plans.Where(p => p.Create != null && Active(p)).ToList();
            if (creates.Count == 0) return;
            foreach (UserPlan plan in creates)
            {
                SfProfile profile = org.ProfileById(plan.Create.Value<string>("ProfileId"));
                if (profile != null && !CommunityUserTypes.Contains(profile.UserType ?? ""))
                    plan.Fail("NotACommunityProfile", $"Profile '{profile.Name}' is not a community profile, so it cannot hold a community user.", "Give a Customer Community or Partner Community profile (-Profile or ProfileName).");
                else if ((plan.Source.AccountId ?? _defaultAccountId) == null)
                    plan.Fail("MissingAccount", "A community user needs a business account and neither the input nor the connection names one.", "Create the connection with -AccountId, or give the input an AccountId property.");
                else if (plan.Source.AccountId != null && QueryValues.IdProblem("AccountId", plan.Source.AccountId) is string badId)
                    plan.Fail("InvalidAccountId", badId, "Give the Id of the person's business account (it starts with 001), or leave AccountId empty to use the connection's.");
            }
            creates = creates.Where(Active).ToList();

            var accounts = await ReadAccountsAsync(creates.Select(AccountOf), ct).ConfigureAwait(false);
            foreach (UserPlan plan in creates)
            {
                accounts.TryGetValue(UserOrgContext.Id15(AccountOf(plan)), out JObject account);
                string problem = AccountProblem(AccountOf(plan), account);
                if (problem != null) plan.Fail(account == null ? "AccountNotFound" : "PersonAccountNotSupported", problem, "Use a business account's Id for community users.");
            }
            creates = creates.Where(Active).ToList();

            var contacts = await FindContactsAsync(creates, ct).ConfigureAwait(false);
            var portalUsers = (await _reader.QueryManyAsync(Soql.ChunkedInQueries("SELECT Id, Username, ContactId FROM User WHERE ContactId IN", contacts.Values.Select(c => c.Value<string>("Id"))), ct).ConfigureAwait(false))
                .ToDictionary(u => UserOrgContext.Id15(u.Value<string>("ContactId")));
            foreach (UserPlan plan in creates)
            {
                string key = ContactKey(AccountOf(plan), Email(plan));
                if (Email(plan) != null && _contactsGiven.TryGetValue(key, out (int Index, string Username) first))
                {
                    plan.Fail("DuplicateInput", $"This input's email '{Email(plan)}' under account {AccountOf(plan)} is the person of input {first.Index} ('{first.Username}'), to whom this run already gave that contact (found, or to be created); a second user would duplicate the person. Only the first is synced.",
                        "Remove the duplicate from the source, or give each person their own email.");
                    continue;
                }
                if (contacts.TryGetValue(key, out JObject contact))
                {
                    if (portalUsers.TryGetValue(UserOrgContext.Id15(contact.Value<string>("Id")), out JObject other))
                    {
                        plan.Fail("ContactAlreadyHasUser", $"The contact for {Email(plan)} already has the community user '{other.Value<string>("Username")}'; a second user would duplicate the person.",
                            "Sync the person with that username (map Username to it), or change the existing user's username in Salesforce.");
                        continue;
                    }
                    plan.Create["ContactId"] = contact.Value<string>("Id");
                }
                else
                {
                    plan.NewContact = new JObject { ["AccountId"] = AccountOf(plan), ["LastName"] = plan.Create.Value<string>("LastName"), ["Email"] = Email(plan) };
                    if (plan.Create["FirstName"] != null) plan.NewContact["FirstName"] = plan.Create["FirstName"];
                }
                if (Email(plan) != null) _contactsGiven[key] = (plan.Source.Index, plan.Username);
            }
        }

        /// <summary>
        /// A community user without its contact may only be left alone or signed out (the lifecycle policy's
        /// decision); any other change it would need fails, since it would give the person a second identity.
        /// </summary>
        public static void RefuseWritesToUnlinked(IReadOnlyList<UserPlan> plans)
        {
            foreach (UserPlan plan in plans.Where(p => p.Decision?.WritesNeedLinkedContact == true && p.IsWrite && Active(p)))
                plan.Fail(LifecyclePolicy.CommunityUserUnlinkedCode, $"The community user '{plan.Username}' is no longer linked to a contact; changing it would keep a user beside the person's contact, and creating another would duplicate the person.",
                    "In Salesforce, link the person's contact to a customer user again (Contact > Enable Customer User) or deactivate the stray user, then run again.");
        }

        /// <summary>
        /// Creates the missing contacts. A Contact has no unique key Salesforce checks, so one whose answer was lost
        /// is never sent again in this run: it is looked up by account and email, and when not found (Salesforce
        /// may still commit it after that read) its person is NotConfirmed; the next run finds the contact by the
        /// same key, or creates it then.
        /// </summary>
        public async Task<SalesforceException> CreateContactsAsync(IReadOnlyList<UserPlan> plans, CancellationToken ct)
        {
            var writes = plans.Where(p => p.NewContact != null && Active(p)).Select(p => new RecordWrite(WriteKind.Create, "Contact", p.NewContact, tag: p)).ToList();
            if (writes.Count == 0) return null;
            var (outcomes, stopped) = await _writer.WriteWithRetriesAsync(writes, 2, _retryDelay, ct).ConfigureAwait(false);
            var unknown = new List<UserPlan>();
            foreach (RecordOutcome outcome in outcomes)
            {
                var plan = (UserPlan)outcome.Write.Tag;
                if (outcome.Success) Linked(plan, outcome.Id);
                else if (outcome.OutcomeUnknown) { plan.AnswerLost = true; unknown.Add(plan); }
                else plan.Fail(outcome.ErrorCode, $"Creating the community user's contact failed: {outcome.Message}", Remedies.For(outcome.ErrorCode));
            }
            if (stopped != null) return stopped;
            var found = await FindContactsAsync(unknown, ct, fresh: true).ConfigureAwait(false);
            foreach (UserPlan plan in unknown)
            {
                if (found.TryGetValue(ContactKey(AccountOf(plan), Email(plan)), out JObject contact)) Linked(plan, contact.Value<string>("Id"));
                else plan.FailNotConfirmed("Creating the community user's contact: " + NotConfirmed.Message(null) + " The user was not created; the next run finds the contact by account and email, or creates it.");
            }
            return null;
        }

        /// <summary>The person's new contact is in Salesforce: the user is created on it.</summary>
        private void Linked(UserPlan plan, string contactId)
        {
            // A later window's person with the same email under this account finds it, as a query would.
            if (_defaultContacts != null && AccountOf(plan) == _defaultAccountId)
                _defaultContacts[ContactKey(_defaultAccountId, Email(plan))] = new JObject { ["Id"] = contactId, ["AccountId"] = _defaultAccountId, ["Email"] = Email(plan) };
            plan.Create["ContactId"] = contactId;
            plan.NewContact = null;
            plan.PartWritten(new RecordWrite(WriteKind.Create, "Contact"));
        }

        /// <summary>
        /// The contacts of these plans' people by account and email. The connection's account's contacts come
        /// from one read of all of them once querying them by email would have cost as much (see
        /// <see cref="ShouldReadDefaultAccountContacts"/>); <paramref name="fresh"/> (after a lost answer) always asks Salesforce.
        /// </summary>
        private async Task<Dictionary<string, JObject>> FindContactsAsync(IReadOnlyList<UserPlan> plans, CancellationToken ct, bool fresh = false)
        {
            var found = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
            var keyed = plans.Where(p => Email(p) != null).ToList();
            if (!fresh)
            {
                var ofDefault = keyed.Where(p => AccountOf(p) == _defaultAccountId).ToList();
                if (_defaultContacts == null && ShouldReadDefaultAccountContacts(ofDefault))
                    _defaultContacts = Index(await _reader.QueryManyAsync(new[] { $"SELECT Id, AccountId, Email FROM Contact WHERE AccountId = {Soql.Literal(_defaultAccountId)}" }, ct).ConfigureAwait(false));
                if (_defaultContacts != null)
                {
                    foreach (UserPlan plan in ofDefault)
                        if (_defaultContacts.TryGetValue(ContactKey(AccountOf(plan), Email(plan)), out JObject contact)) found[ContactKey(AccountOf(plan), Email(plan))] = contact;
                    keyed = keyed.Except(ofDefault).ToList();
                }
                else _keyedContactReads += ofDefault.Count == 0 ? 0 : KeyedContactQueries(ofDefault).Count;
            }
            foreach (var pair in Index(keyed.Count == 0 ? new List<JObject>() : await _reader.QueryManyAsync(KeyedContactQueries(keyed), ct).ConfigureAwait(false)))
                if (!found.ContainsKey(pair.Key)) found[pair.Key] = pair.Value;
            return found;
        }

        private List<string> KeyedContactQueries(IReadOnlyList<UserPlan> plans)
        {
            var emails = plans.Select(Email).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var accountIds = plans.Select(AccountOf).Distinct().ToList();
            return Soql.ChunkedInQueries($"SELECT Id, AccountId, Email FROM Contact WHERE AccountId IN {Soql.InList(accountIds)} AND Email IN", emails).ToList();
        }

        private static Dictionary<string, JObject> Index(IEnumerable<JObject> contacts)
        {
            var found = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
            foreach (JObject contact in contacts)
            {
                string key = ContactKey(contact.Value<string>("AccountId"), contact.Value<string>("Email"));
                if (!found.ContainsKey(key)) found[key] = contact;
            }
            return found;
        }

        /// <summary>
        /// Whether to read every contact of the connection's account now instead of querying this window's
        /// emails: reading them costs a subrequest per page of 2,000, querying one per few hundred emails. They
        /// are read once the email queries, with this window's, cost as much (a new community's first window
        /// reads its account's few contacts at once; a few people under a large account are queried by email).
        /// </summary>
        private bool ShouldReadDefaultAccountContacts(IReadOnlyList<UserPlan> plans)
        {
            if (_defaultAccountContacts == null || plans.Count == 0) return false;
            int all = Math.Max(1, (_defaultAccountContacts.Value + 1999) / 2000);
            return _keyedContactReads + KeyedContactQueries(plans).Count >= all;
        }

        /// <summary>The accounts by 15-character Id; each is read once a run.</summary>
        private async Task<Dictionary<string, JObject>> ReadAccountsAsync(IEnumerable<string> ids, CancellationToken ct)
        {
            var wanted = ids.Where(i => i != null).Distinct().ToList();
            _accounts ??= await AccountShape.ReadAsync(_client, ct).ConfigureAwait(false);
            var unread = wanted.Where(id => !_accountsById.ContainsKey(UserOrgContext.Id15(id))).ToList();
            if (unread.Count > 0)
            {
                foreach (string id in unread) _accountsById[UserOrgContext.Id15(id)] = null;
                foreach (JObject account in await _reader.QueryManyAsync(Soql.ChunkedInQueries($"SELECT {_accounts.SelectFields} FROM Account WHERE Id IN", unread), ct).ConfigureAwait(false))
                    _accountsById[UserOrgContext.Id15(account.Value<string>("Id"))] = account;
            }
            var found = new Dictionary<string, JObject>(StringComparer.Ordinal);
            foreach (string id in wanted)
                if (_accountsById.TryGetValue(UserOrgContext.Id15(id), out JObject account) && account != null) found[UserOrgContext.Id15(id)] = account;
            return found;
        }

        private JObject Get(string reference, string path) => new JObject { ["method"] = "GET", ["url"] = _client.DataPath(path), ["referenceId"] = reference };

        private string AccountProblem(string id, JObject account)
        {
            if (account == null) return $"Account '{id}' does not exist in this org.";
            if (_accounts.IsPersonAccount(account)) return $"Account '{account.Value<string>("Name")}' ({id}) is a person account; community users need a business account (person accounts are not supported, as in the PingOne connector).";
            return null;
        }

        private string AccountOf(UserPlan plan) => plan.Source.AccountId ?? _defaultAccountId;
        private static string Email(UserPlan plan) => plan.Create?.Value<string>("Email");
        private static string ContactKey(string accountId, string email) => UserOrgContext.Id15(accountId ?? "") + "|" + (email ?? "").ToLowerInvariant();
        private static bool Active(UserPlan plan) => plan.Action != SfSyncAction.Failed && plan.Action != SfSyncAction.Skipped;
    }
}
