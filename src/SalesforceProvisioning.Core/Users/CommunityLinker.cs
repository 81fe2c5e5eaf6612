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

        /// <summary>The connection's account must exist and be a business account, before anything is written.</summary>
        public async Task ValidateDefaultAccountAsync(CancellationToken ct)
        {
            if (_defaultAccountId == null) return;
            var account = (await ReadAccountsAsync(new[] { _defaultAccountId }, ct).ConfigureAwait(false)).Values.FirstOrDefault();
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
                if (contacts.TryGetValue(ContactKey(AccountOf(plan), Email(plan)), out JObject contact))
                {
                    if (portalUsers.TryGetValue(UserOrgContext.Id15(contact.Value<string>("Id")), out JObject other))
                    {
                        plan.Fail("ContactAlreadyHasUser", $"The contact for {Email(plan)} already has the community user '{other.Value<string>("Username")}'; a second user would duplicate the person.",
                            "Sync the person with that username (map Username to it), or change the existing user's username in Salesforce.");
                        continue;
                    }
                    plan.Create["ContactId"] = contact.Value<string>("Id");
                    continue;
                }
                plan.NewContact = new JObject { ["AccountId"] = AccountOf(plan), ["LastName"] = plan.Create.Value<string>("LastName"), ["Email"] = Email(plan) };
                if (plan.Create["FirstName"] != null) plan.NewContact["FirstName"] = plan.Create["FirstName"];
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
        /// Creates the missing contacts. A contact whose answer was lost is looked up again before it is sent
        /// again, so a retry never creates a second contact.
        /// </summary>
        public async Task<SalesforceException> CreateContactsAsync(IReadOnlyList<UserPlan> plans, CancellationToken ct)
        {
            var pending = plans.Where(p => p.NewContact != null && Active(p)).ToList();
            for (int round = 0; round < 3 && pending.Count > 0; round++)
            {
                var writes = pending.Select(p => new RecordWrite(WriteKind.Create, "Contact", p.NewContact, tag: p)).ToList();
                var (outcomes, stopped) = await _writer.WriteWithRetriesAsync(writes, 2, _retryDelay, ct).ConfigureAwait(false);
                var unknown = new List<UserPlan>();
                foreach (RecordOutcome outcome in outcomes)
                {
                    var plan = (UserPlan)outcome.Write.Tag;
                    if (outcome.Success) { plan.Create["ContactId"] = outcome.Id; plan.NewContact = null; plan.PartWritten(outcome.Write); }
                    else if (outcome.OutcomeUnknown) { plan.AnswerLost = true; unknown.Add(plan); }
                    else plan.Fail(outcome.ErrorCode, $"Creating the community user's contact failed: {outcome.Message}", Remedies.For(outcome.ErrorCode));
                }
                if (stopped != null) return stopped;
                var found = await FindContactsAsync(unknown, ct).ConfigureAwait(false);
                pending = new List<UserPlan>();
                foreach (UserPlan plan in unknown)
                {
                    if (found.TryGetValue(ContactKey(AccountOf(plan), Email(plan)), out JObject contact)) { plan.Create["ContactId"] = contact.Value<string>("Id"); plan.NewContact = null; plan.PartWritten(new RecordWrite(WriteKind.Create, "Contact")); }
                    else pending.Add(plan);
                }
            }
            foreach (UserPlan plan in pending)
                plan.Fail("ConnectionDropped", "Creating the community user's contact had no answer after several tries.", Remedies.For("ConnectionDropped"));
            return null;
        }

        private async Task<Dictionary<string, JObject>> FindContactsAsync(IReadOnlyList<UserPlan> plans, CancellationToken ct)
        {
            var emails = plans.Select(Email).Where(e => e != null).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var accountIds = plans.Select(AccountOf).Distinct().ToList();
            if (emails.Count == 0) return new Dictionary<string, JObject>();
            string prefix = $"SELECT Id, AccountId, Email FROM Contact WHERE AccountId IN {Soql.InList(accountIds)} AND Email IN";
            var found = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
            foreach (JObject contact in await _reader.QueryManyAsync(Soql.ChunkedInQueries(prefix, emails), ct).ConfigureAwait(false))
            {
                string key = ContactKey(contact.Value<string>("AccountId"), contact.Value<string>("Email"));
                if (!found.ContainsKey(key)) found[key] = contact;
            }
            return found;
        }

        private async Task<Dictionary<string, JObject>> ReadAccountsAsync(IEnumerable<string> ids, CancellationToken ct)
        {
            var wanted = ids.Where(i => i != null).Distinct().ToList();
            _accounts ??= await AccountShape.ReadAsync(_client, ct).ConfigureAwait(false);
            var accounts = await _reader.QueryManyAsync(Soql.ChunkedInQueries($"SELECT {_accounts.SelectFields} FROM Account WHERE Id IN", wanted), ct).ConfigureAwait(false);
            return accounts.ToDictionary(a => UserOrgContext.Id15(a.Value<string>("Id")));
        }

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
