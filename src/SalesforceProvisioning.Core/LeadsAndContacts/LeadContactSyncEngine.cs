using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RestSharp;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The Leads and Contacts target: each person is a Contact or a Lead (the connection's record type, or
    /// the source's RecordType), matched by Email (or another field). Created, updated, removed according to
    /// the connection, promoted from Lead to Contact with Salesforce's lead conversion (which keeps history),
    /// or demoted back to a Lead. Converted leads are read-only and never matched.
    /// </summary>
    public sealed class LeadContactSyncEngine : ISyncEngine
    {
        /// <summary>Sends of a write that failed transiently (UNABLE_TO_LOCK_ROW; a lost update or delete).</summary>
        private const int WriteRounds = 2;

        private readonly SfProvisioningConnection _connection;
        private readonly SalesforceClient _client;
        private readonly SfAttributeMap _map;
        private readonly UserSyncPolicy _policy;
        private readonly string _matchField;
        private readonly CompositeReader _reader;
        private readonly CompositeWriter _writer;
        private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private SObjectDescribe _contact;
        private SObjectDescribe _lead;
        private LeadStatuses _statuses;

        public LeadContactSyncEngine(SfProvisioningConnection connection, SfAttributeMap map, UserSyncPolicy policy, string matchField = "Email", int maxConcurrentRequests = CompositeWriter.DefaultMaxInFlight)
        {
            _connection = connection;
            _client = connection.Client;
            _map = map;
            _policy = policy;
            _matchField = matchField;
            _reader = new CompositeReader(_client);
            _writer = new CompositeWriter(_client, maxConcurrentRequests);
        }

        public string MatchingStrategy => _org != null ? "scan" : "by-" + _matchField.ToLowerInvariant();

        public async Task PrepareAsync(CancellationToken ct)
        {
            // One call: both describes, the lead statuses, the org's Contact and Lead counts (they decide how
            // people are matched, see ShouldScan) and, with an account on the connection, that account.
            var subrequests = new JArray
            {
                Get("contact", "sobjects/Contact/describe"),
                Get("lead", "sobjects/Lead/describe"),
                Get("statuses", "query?q=" + Uri.EscapeDataString(LeadStatuses.Query)),
                Get("contacts", "query?q=" + Uri.EscapeDataString("SELECT COUNT() FROM Contact")),
                Get("leads", "query?q=" + Uri.EscapeDataString("SELECT COUNT() FROM Lead")),
            };
            if (_connection.AccountId != null)
            {
                subrequests.Add(Get("accountDescribe", "sobjects/Account/describe"));
                subrequests.Add(Get("account", "query?q=" + Uri.EscapeDataString($"SELECT Id, Name FROM Account WHERE Id = {Soql.Literal(_connection.AccountId)}")));
            }
            var body = new JObject { ["allOrNone"] = false, ["compositeRequest"] = subrequests };
            var answer = await _client.SendAsync(Method.Post, _client.DataPath("composite"), body, repeatable: true, ct).ConfigureAwait(false);
            var responses = ((JArray)answer["compositeResponse"]).Cast<JObject>().ToDictionary(r => r.Value<string>("referenceId"));
            foreach (var response in responses.Values.Where(r => r.Value<int>("httpStatusCode") >= 300))
                throw SalesforceClient.ToApiException(new ApiResponse(response.Value<int>("httpStatusCode"), response["body"]?.ToString(Newtonsoft.Json.Formatting.None)));
            _contact = SObjectDescribe.FromJson((JObject)responses["contact"]["body"]);
            _lead = SObjectDescribe.FromJson((JObject)responses["lead"]["body"]);
            _statuses = LeadStatuses.From(((JArray)responses["statuses"]["body"]["records"]).Cast<JObject>(), _connection.LeadClosedStatus, _connection.LeadReopenStatus);
            _orgContacts = responses["contacts"]["body"].Value<int?>("totalSize");
            _orgLeads = responses["leads"]["body"].Value<int?>("totalSize");

            if (_contact.Field(_matchField) == null || _lead.Field(_matchField) == null)
                throw new SalesforceConfigurationException("MatchField", $"'{_matchField}' is not a field of both Contact and Lead.", "Match on Email (the default) or another field both objects have.");
            if (_map.IsBuiltIn) _map.RemoveWhere(m => !SfAttributeMap.IsPseudoField(m.Field) && _contact.Field(m.Field) == null && _lead.Field(m.Field) == null);
            foreach (SfFieldMapping mapping in _map.Mappings.Where(m => !SfAttributeMap.IsPseudoField(m.Field)))
            {
                if (_contact.Field(mapping.Field) == null && _lead.Field(mapping.Field) == null)
                    throw new SalesforceConfigurationException("AttributeMap", $"The attribute map names '{mapping.Field}', which is a field of neither Contact nor Lead (did you mean '{_contact.Suggest(mapping.Field)}'?).", "Fix the field name in the map.");
            }
            if (_connection.AccountId != null)
            {
                var shape = AccountShape.FromDescribe((JObject)responses["accountDescribe"]["body"]);
                var account = ((JArray)responses["account"]["body"]["records"]).Cast<JObject>().FirstOrDefault();
                // Only an org with Person Accounts has IsPersonAccount, read then in a call of its own.
                if (account != null && shape.HasPersonAccounts)
                    account = (await _client.QueryAsync($"SELECT {shape.SelectFields} FROM Account WHERE Id = {Soql.Literal(_connection.AccountId)}", ct).ConfigureAwait(false)).FirstOrDefault();
                if (account == null)
                    throw new SalesforceConfigurationException("AccountId", $"Account '{_connection.AccountId}' does not exist in this org.", "Give the Id of the business account new contacts belong to.");
                if (shape.IsPersonAccount(account))
                    throw new SalesforceConfigurationException("AccountId", $"Account '{account.Value<string>("Name")}' ({_connection.AccountId}) is a person account; a person account holds only its own person contact.", "Give the Id of the business account new contacts belong to.");
            }
        }

        private JObject Get(string reference, string path) => new JObject { ["method"] = "GET", ["url"] = _client.DataPath(path), ["referenceId"] = reference };

        public async Task<IReadOnlyList<ISyncPlan>> PlanWindowAsync(IReadOnlyList<SourceUser> window, CancellationToken ct)
        {
            var plans = new List<PersonPlan>();
            foreach (SourceUser source in window)
            {
                string key = source.Fields.TryGetValue(_matchField, out object value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)?.Trim() : null;
                var type = ParseRecordType(source, out string typeProblem);
                var plan = new PersonPlan(source, key, type) { ObjectType = type.ToString() };
                plans.Add(plan);
                if (source.Problems.Count > 0) plan.Fail("InvalidSourceValue", $"{source.Problems[0].Field}: {source.Problems[0].Problem}", source.Problems[0].Remedy);
                else if (typeProblem != null) plan.Fail("InvalidRecordType", typeProblem, "Give RecordType as Contact or Lead.");
                else if (string.IsNullOrEmpty(key)) plan.Fail("MissingMatchKey", $"The input has no {_matchField}, which Leads and Contacts are matched on.", $"Map {_matchField} to a source property (for example mail).");
                else if ((QueryValues.LengthProblem(_contact.Field(_matchField), key) ?? QueryValues.LengthProblem(_lead.Field(_matchField), key)) is string tooLong)
                    plan.Fail("InvalidFieldValue", tooLong, $"Fix {_matchField} in the source.");
                else if (source.AccountId != null && QueryValues.IdProblem("AccountId", source.AccountId) is string badId)
                    plan.Fail("InvalidAccountId", badId, "Give the Id of the person's account (it starts with 001), or leave AccountId empty to use the connection's.");
                else if (!_seen.Add(key)) plan.Fail("DuplicateInput", $"{_matchField} '{key}' appears more than once in the input; only the first is synced.", "Remove the duplicate from the source.");
            }

            var keys = plans.Where(p => p.Action != SfSyncAction.Failed).Select(p => p.Key).ToList();
            if (_org == null && ShouldScan(keys)) _org = await ScanOrgAsync(ct).ConfigureAwait(false);
            Dictionary<string, JObject> contacts, leads, convertedContacts;
            if (_org != null) (contacts, leads, convertedContacts) = _org.Value;
            else
            {
                var contactReads = Soql.ChunkedInQueries(KeyedPrefix("Contact", _contact, ""), keys).ToList();
                var answers = await _reader.QueryEachAsync(contactReads.Concat(Soql.ChunkedInQueries(KeyedPrefix("Lead", _lead, "IsConverted = false AND "), keys)).ToList(), ct).ConfigureAwait(false);
                contacts = ByKey(answers.Take(contactReads.Count).SelectMany(a => a.Records), _contact.Field(_matchField).Name);
                leads = ByKey(answers.Skip(contactReads.Count).SelectMany(a => a.Records), _lead.Field(_matchField).Name);
                var withoutLead = keys.Where(k => !leads.ContainsKey(k)).ToList();
                convertedContacts = await ReadConvertedContactsAsync(withoutLead, ct).ConfigureAwait(false);
                _keyedReads += answers.Length + Soql.ChunkedInQueries("SELECT Id FROM Lead WHERE Email IN", withoutLead).Count();
            }
            foreach (PersonPlan plan in plans.Where(p => p.Action != SfSyncAction.Failed))
            {
                contacts.TryGetValue(plan.Key, out JObject contact);
                leads.TryGetValue(plan.Key, out JObject lead);
                JObject convertedContact = null;
                bool converted = lead == null && convertedContacts.TryGetValue(plan.Key, out convertedContact);
                if (converted) contact = contact ?? convertedContact;
                Plan(plan, contact, lead, converted);
            }
            return plans;
        }

        /// <summary>
        /// People whose lead was converted in Salesforce (by a sales rep, or an earlier promotion): the lead's
        /// contact, when it still exists, is their record.
        /// </summary>
        private async Task<Dictionary<string, JObject>> ReadConvertedContactsAsync(List<string> keys, CancellationToken ct)
        {
            var found = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
            if (keys.Count == 0) return found;
            string keyField = _lead.Field(_matchField).Name;
            var converted = await _reader.QueryManyAsync(Soql.ChunkedInQueries($"SELECT Id, {keyField}, ConvertedContactId FROM Lead WHERE IsConverted = true AND ConvertedContactId != null AND {keyField} IN", keys), ct).ConfigureAwait(false);
            if (converted.Count == 0) return found;
            var byContact = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JObject lead in converted) byContact[UserOrgContext.Id15(lead.Value<string>("ConvertedContactId"))] = lead.Value<string>(keyField);
            var contacts = await ReadAsync("Contact", _contact, byContact.Keys.ToList(), "", ct, byField: "Id").ConfigureAwait(false);
            foreach (JObject contact in contacts.Values)
            {
                if (byContact.TryGetValue(UserOrgContext.Id15(contact.Value<string>("Id")), out string key) && key != null && !found.ContainsKey(key)) found[key] = contact;
            }
            return found;
        }

        private SfRecordType ParseRecordType(SourceUser source, out string problem)
        {
            problem = null;
            if (source.RecordType == null) return _connection.RecordType;
            if (Enum.TryParse(source.RecordType.Trim(), true, out SfRecordType type)) return type;
            problem = $"RecordType '{source.RecordType}' is neither Contact nor Lead.";
            return _connection.RecordType;
        }

        private async Task<Dictionary<string, JObject>> ReadAsync(string sObject, SObjectDescribe describe, List<string> keys, string filter, CancellationToken ct, string byField = null)
        {
            string keyField = byField ?? describe.Field(_matchField).Name;
            return ByKey(await _reader.QueryManyAsync(Soql.ChunkedInQueries(KeyedPrefix(sObject, describe, filter, keyField), keys), ct).ConfigureAwait(false), keyField);
        }

        /// <summary>The fields a match reads: Id, the match field, the mapped fields, and what creates and lifecycle decisions need.</summary>
        private string Fields(string sObject, SObjectDescribe describe)
        {
            var fields = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Id", _matchField };
            foreach (SfFieldMapping mapping in _map.Mappings)
                if (describe.Field(mapping.Field) != null) fields.Add(describe.Field(mapping.Field).Name);
            if (sObject == "Contact") fields.Add("AccountId");
            if (sObject == "Lead") { fields.Add("Status"); fields.Add("Company"); }
            return string.Join(", ", fields);
        }

        private string KeyedPrefix(string sObject, SObjectDescribe describe, string filter, string keyField = null)
            => $"SELECT {Fields(sObject, describe)} FROM {sObject} WHERE {filter}{keyField ?? describe.Field(_matchField).Name} IN";

        /// <summary>The first record of each key (keys compare as Salesforce compares text in a filter: ignoring case).</summary>
        private static Dictionary<string, JObject> ByKey(IEnumerable<JObject> records, string keyField)
        {
            var found = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
            foreach (JObject record in records)
            {
                string key = record.Value<string>(keyField);
                if (key != null && !found.ContainsKey(key)) found[key] = record;
            }
            return found;
        }

        /// <summary>The org's contacts, open leads and converted leads' contacts by key, once read (see <see cref="ShouldScan"/>).</summary>
        private (Dictionary<string, JObject> Contacts, Dictionary<string, JObject> Leads, Dictionary<string, JObject> ConvertedContacts)? _org;

        /// <summary>The org's Contact and Lead counts (from PrepareAsync); null when not known.</summary>
        private int? _orgContacts, _orgLeads;

        /// <summary>Query subrequests spent so far matching by key, window by window.</summary>
        private int _keyedReads;

        /// <summary>
        /// Whether to read every Contact and Lead of the org now instead of querying this window by key: reading
        /// them costs a subrequest per page of 2,000 (five to a counted call), querying by key one per few hundred
        /// keys for Contacts, Leads and converted Leads each. The org is read once what the keyed queries
        /// have cost, with this window's, reaches what reading it costs (an input as large as the org reads it
        /// with its first window; a few people in a large org are always queried by key), so a run never spends
        /// more than twice the cheaper of the two.
        /// </summary>
        private bool ShouldScan(List<string> keys) => ShouldScan(_orgContacts, _orgLeads, _keyedReads, keys);

        /// <summary><see cref="ShouldScan(List{string})"/> from the org's counts and the keyed reads spent so far.</summary>
        internal static bool ShouldScan(int? orgContacts, int? orgLeads, int keyedReads, List<string> keys)
        {
            if (orgContacts == null || orgLeads == null || keys.Count == 0) return false;
            if ((long)orgContacts.Value + orgLeads.Value > MostRecordsRead) return false;
            int scan = Pages(orgContacts.Value) + Pages(orgLeads.Value);
            int window = 3 * Soql.ChunkedInQueries("SELECT Id FROM Lead WHERE Email IN", keys).Count();
            return keyedReads + window >= scan;
        }

        /// <summary>
        /// The most Contacts and Leads read at once: they are kept as JSON objects for the run (about 1 KB each),
        /// so a larger org is always queried by key (its memory would cost more than the calls it saves).
        /// </summary>
        internal const int MostRecordsRead = 200_000;

        private static int Pages(int records) => Math.Max(1, (records + 1999) / 2000);

        /// <summary>Every Contact and Lead of the org, the pages of both read together.</summary>
        private async Task<(Dictionary<string, JObject>, Dictionary<string, JObject>, Dictionary<string, JObject>)> ScanOrgAsync(CancellationToken ct)
        {
            var answers = await _reader.QueryEachAsync(new[]
            {
                $"SELECT {Fields("Contact", _contact)} FROM Contact",
                $"SELECT {Fields("Lead", _lead)}, IsConverted, ConvertedContactId FROM Lead",
            }, ct).ConfigureAwait(false);
            foreach (JObject record in answers.SelectMany(a => a.Records)) record.Remove("attributes");
            string contactKey = _contact.Field(_matchField).Name, leadKey = _lead.Field(_matchField).Name;
            var contacts = ByKey(answers[0].Records, contactKey);
            var leads = ByKey(answers[1].Records.Where(l => l.Value<bool?>("IsConverted") != true), leadKey);
            var contactsById = new Dictionary<string, JObject>(StringComparer.Ordinal);
            foreach (JObject contact in answers[0].Records) contactsById[UserOrgContext.Id15(contact.Value<string>("Id"))] = contact;
            var converted = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
            foreach (JObject lead in answers[1].Records.Where(l => l.Value<bool?>("IsConverted") == true && l.Value<string>("ConvertedContactId") != null))
            {
                string key = lead.Value<string>(leadKey);
                if (key != null && !converted.ContainsKey(key) && contactsById.TryGetValue(UserOrgContext.Id15(lead.Value<string>("ConvertedContactId")), out JObject contact))
                    converted[key] = contact;
            }
            return (contacts, leads, converted);
        }

        /// <summary>Carries out the lifecycle policy's decision for one person; skips say why.</summary>
        private PersonRecordState LeadState(string status) =>
            _statuses.IsClosed(status) ? PersonRecordState.LeadClosed
            : _statuses.IsClosedInSalesforce(status) ? PersonRecordState.LeadClosedInSalesforce
            : PersonRecordState.LeadOpen;

        private void Plan(PersonPlan plan, JObject contact, JObject lead, bool converted)
        {
            SourceUser source = plan.Source;
            SourceState state = LifecyclePolicy.StateOf(source);
            // Removal acts on the record of the person's own type first; otherwise on whichever exists.
            JObject record = plan.Type == SfRecordType.Lead ? lead ?? contact : contact ?? lead;
            bool isLead = record != null && record == lead;
            PersonRecordState held = record == null ? PersonRecordState.Missing
                : isLead ? LeadState(lead.Value<string>("Status"))
                : converted ? PersonRecordState.ConvertedLead : PersonRecordState.Contact;
            LifecycleDecision decision = LifecyclePolicy.ForPerson(_policy, state, plan.Type, source.RecordType != null, source.LastRecordType, held,
                contactBesideLead: isLead && contact != null);
            if (record != null)
            {
                plan.ObjectType = isLead ? "Lead" : "Contact";
                plan.RecordId = record.Value<string>("Id");
            }
            switch (decision.Outcome)
            {
                case LifecycleOutcome.Skip:
                    plan.Skip(decision.Reason, decision.Remedy);
                    break;
                case LifecycleOutcome.Unchanged:
                    break;
                case LifecycleOutcome.Create:
                    PlanCreate(plan, plan.Type == SfRecordType.Contact ? _contact : _lead, plan.Type.ToString());
                    break;
                case LifecycleOutcome.Delete:
                    plan.Delete = true;
                    plan.Action = SfSyncAction.Deleted;
                    break;
                case LifecycleOutcome.CloseLead:
                    PlanLeadStatus(plan, _statuses.Closed, SfSyncAction.Disabled);
                    break;
                case LifecycleOutcome.ReopenLead:
                    PlanUpdate(plan, lead, _lead, "Lead");
                    if (plan.Action == SfSyncAction.Failed || plan.Action == SfSyncAction.Skipped) break;
                    PlanLeadStatus(plan, _statuses.Reopen, SfSyncAction.Reactivated);
                    break;
                case LifecycleOutcome.Promote:
                    PlanPromotion(plan, lead);
                    break;
                case LifecycleOutcome.Demote:
                    PlanDemotion(plan, contact, decision.DeleteReplacedContact);
                    break;
                default:
                    PlanUpdate(plan, record, isLead ? _lead : _contact, plan.ObjectType);
                    if (decision.DeleteReplacedContact) PlanFinishedDemotion(plan, contact);
                    break;
            }
            if (decision.Reason != null && plan.Action != SfSyncAction.Failed && plan.Action != SfSyncAction.Skipped)
                plan.Message = plan.Message == null ? decision.Reason : decision.Reason + " " + plan.Message;
        }

        /// <summary>Closes or reopens a lead with the connection's (or the org's) status; without one that person fails, saying which exist.</summary>
        private void PlanLeadStatus(PersonPlan plan, string status, SfSyncAction action)
        {
            if (status == null)
            {
                var (problem, remedy) = _statuses.Missing(closing: action == SfSyncAction.Disabled);
                plan.Fail("NoLeadStatus", problem, remedy);
                return;
            }
            plan.Update = plan.Update ?? new JObject();
            plan.Update["Status"] = status;
            plan.ChangedFields.Add("Status");
            plan.Action = action;
        }

        private JObject Desired(PersonPlan plan, SObjectDescribe describe)
        {
            var desired = new JObject();
            foreach (var pair in plan.Source.Fields)
            {
                FieldInfo field = describe.Field(pair.Key);
                if (field == null) continue;
                JToken value = FieldValues.Normalize(field, pair.Value, out string problem);
                if (problem != null)
                {
                    plan.Fail("InvalidFieldValue", problem, $"Fix {field.Name} in the source, or change its mapping.");
                    return null;
                }
                if (value.Type == JTokenType.Null && !field.Nillable && _map[field.Name]?.Optional != true)
                {
                    plan.Fail("RequiredFieldMissing", $"{field.Name} is required on a {describe.Name} but the source value is empty.", $"Fill {field.Name} in the source, or make it optional with New-SfAttributeMap -Optional {field.Name}.");
                    return null;
                }
                if (value.Type == JTokenType.Null && !field.Nillable) continue;
                desired[field.Name] = value;
            }
            return desired;
        }

        private void PlanCreate(PersonPlan plan, SObjectDescribe describe, string type)
        {
            JObject desired = Desired(plan, describe);
            if (desired == null) return;
            var create = new JObject(desired.Properties().Where(p => p.Value.Type != JTokenType.Null && describe.Field(p.Name).Createable));
            if (!CompleteRequired(plan, create, type)) return;
            plan.Create = create;
            plan.Action = SfSyncAction.Created;
            plan.ChangedFields.AddRange(create.Properties().Select(p => p.Name));
        }

        /// <summary>A Contact needs an account; a Lead needs a company and a last name.</summary>
        private bool CompleteRequired(PersonPlan plan, JObject record, string type)
        {
            if (type == "Contact" && record["AccountId"] == null)
            {
                string account = plan.Source.AccountId ?? _connection.AccountId;
                if (account == null)
                {
                    plan.Fail("MissingAccount", "A Contact needs an account and neither the input nor the connection names one.", "Create the connection with -AccountId, or give the input an AccountId property.");
                    return false;
                }
                record["AccountId"] = account;
            }
            if (type == "Lead" && record["Company"] == null)
            {
                if (_connection.DefaultCompany == null)
                {
                    plan.Fail("MissingCompany", "A Lead needs a Company and neither the input nor the connection gives one.", "Map Company (New-SfAttributeMap -Mapping @{ Company = 'company' }) or create the connection with -DefaultCompany.");
                    return false;
                }
                record["Company"] = _connection.DefaultCompany;
            }
            if (record["LastName"] == null)
            {
                plan.Fail("RequiredFieldMissing", $"LastName is required to create a {type} and the source has none.", "Map LastName to a source property (sn, Surname).");
                return false;
            }
            return true;
        }

        private void PlanUpdate(PersonPlan plan, JObject record, SObjectDescribe describe, string type)
        {
            plan.ObjectType = type;
            plan.RecordId = record.Value<string>("Id");
            JObject desired = Desired(plan, describe);
            if (desired == null) return;
            var update = new JObject();
            var notUpdated = new List<string>();
            foreach (var property in desired.Properties())
            {
                FieldInfo field = describe.Field(property.Name);
                if (!field.Updateable || FieldValues.AreEqual(field, property.Value, record[field.Name])) continue;
                if (LifecyclePolicy.UpdatesField(_map[field.Name])) update[field.Name] = property.Value;
                else notUpdated.Add(field.Name);
            }
            if (notUpdated.Count > 0) plan.Message = $"Not updated because their Update flag is off: {string.Join(", ", notUpdated)}.";
            if (!update.HasValues) return;
            LifecycleDecision fields = LifecyclePolicy.ForFieldChanges(_policy, update.Properties().Select(p => p.Name));
            if (fields.IsSkip)
            {
                plan.Skip(fields.Reason, fields.Remedy);
                return;
            }
            plan.Update = update;
            plan.Action = SfSyncAction.Updated;
            plan.ChangedFields.AddRange(update.Properties().Select(p => p.Name));
        }

        private void PlanPromotion(PersonPlan plan, JObject lead)
        {
            JObject desired = Desired(plan, _contact);
            if (desired == null) return;
            plan.ObjectType = "Contact";
            plan.ConvertLeadId = lead.Value<string>("Id");
            plan.ConvertAccountId = plan.Source.AccountId ?? _connection.AccountId;
            // After conversion the new contact gets the source's values (the conversion copies the lead's).
            var update = new JObject(desired.Properties().Where(p => p.Value.Type != JTokenType.Null && _contact.Field(p.Name).Updateable && p.Name != "AccountId"));
            if (update.HasValues) plan.Update = update;
            plan.Action = SfSyncAction.Promoted;
            plan.ChangedFields.Add("Lead->Contact");
            plan.Message = $"Converted from lead {plan.ConvertLeadId} (its history stays with the contact).";
        }

        private void PlanDemotion(PersonPlan plan, JObject contact, bool deleteContact)
        {
            JObject desired = Desired(plan, _lead);
            if (desired == null) return;
            var create = new JObject(desired.Properties().Where(p => p.Value.Type != JTokenType.Null && _lead.Field(p.Name).Createable));
            foreach (string field in new[] { "FirstName", "LastName", "Email", "Phone", "Title" })
                if (create[field] == null && contact[field] != null && contact[field].Type != JTokenType.Null) create[field] = contact[field];
            if (!CompleteRequired(plan, create, "Lead")) return;
            plan.ObjectType = "Lead";
            plan.Create = create;
            plan.DemotedContactId = contact.Value<string>("Id");
            plan.DeleteDemotedContact = deleteContact;
            plan.Action = SfSyncAction.Demoted;
            plan.ChangedFields.Add("Contact->Lead");
            plan.Message = plan.DeleteDemotedContact
                ? $"A lead replaces contact {plan.DemotedContactId}, which is deleted once the lead's create is confirmed."
                : $"A lead now stands beside contact {plan.DemotedContactId}, which is kept (records may not be deleted on this connection).";
        }

        /// <summary>The lead an earlier demotion created stands (updated as any lead): the contact it replaces is deleted now.</summary>
        private void PlanFinishedDemotion(PersonPlan plan, JObject contact)
        {
            if (plan.Action == SfSyncAction.Failed || plan.Action == SfSyncAction.Skipped) return;
            plan.DemotedContactId = contact.Value<string>("Id");
            plan.DeleteDemotedContact = true;
            plan.Action = SfSyncAction.Demoted;
            plan.ChangedFields.Add("Contact->Lead");
            if (plan.Update == null) plan.Written = true; // nothing to write to the lead: only the contact's delete
        }

        /// <summary>Write plans waiting for a full burst of calls or the end of the input.</summary>
        private readonly List<PersonPlan> _carried = new List<PersonPlan>();

        /// <summary>Its writes are answered before ExecuteAsync or FinishAsync returns: nothing is ever left in flight.</summary>
        public Task StopAsync(List<SfUserSyncResult> results) => Task.CompletedTask;

        /// <summary>Its writes are answered before ExecuteAsync or FinishAsync returns: nothing is ever left in flight.</summary>
        public Task CollectSentAsync(List<SfUserSyncResult> results) => Task.CompletedTask;

        /// <summary>
        /// Plans that need no write get their result at once; write plans are carried across windows until
        /// they fill more whole counted calls (1,000 records each) than go out at once (-MaxConcurrentRequests),
        /// then all of them go out together; the rest goes at the end of the input (<see cref="FinishAsync"/>).
        /// So sparse changes cost one call per 1,000 records written, not one per window.
        /// </summary>
        public async Task ExecuteAsync(IReadOnlyList<ISyncPlan> all, List<SfUserSyncResult> results, CancellationToken ct)
        {
            foreach (PersonPlan plan in all.Cast<PersonPlan>())
            {
                if (plan.Action != SfSyncAction.Failed && plan.IsWrite) _carried.Add(plan);
                else results.Add(plan.ToResult(false));
            }
            if (CompositeWriter.CallsFor(WritesOf(_carried)) > _writer.MaxInFlight) await WriteCarriedAsync(results, ct).ConfigureAwait(false);
        }

        /// <summary>The end of the input: writes everything still carried and adds their results.</summary>
        public Task FinishAsync(List<SfUserSyncResult> results, CancellationToken ct)
            => _carried.Count == 0 ? Task.CompletedTask : WriteCarriedAsync(results, ct);

        private async Task WriteCarriedAsync(List<SfUserSyncResult> results, CancellationToken ct)
        {
            var plans = _carried.ToList();
            _carried.Clear();
            SalesforceException stop = null;
            try
            {
                await ConvertLeadsAsync(plans.Where(p => p.ConvertLeadId != null && p.Action != SfSyncAction.Failed).ToList(), ct).ConfigureAwait(false);
                stop = await WriteRecordsAsync(plans.Where(p => p.Action != SfSyncAction.Failed && p.IsWrite).ToList(), ct).ConfigureAwait(false);
            }
            catch (SalesforceException ex)
            {
                stop = ex;
            }
            finally
            {
                foreach (PersonPlan plan in plans)
                {
                    // A demotion whose lead was written and whose contact's delete a stop kept from being sent.
                    if (plan.Action != SfSyncAction.Failed && plan.DeleteDemotedContact && plan.Written && !plan.DemotedContactDeleted)
                        FailContactDelete(plan, NotSent.Code(stop), NotSent.Message(stop), NotSent.Remedy(stop));
                    if (plan.Action != SfSyncAction.Failed && plan.IsWrite && !plan.Written)
                    {
                        // Sent and its answer lost: Salesforce may have done it. Otherwise the stop came before it was sent.
                        if (plan.AnswerLost) plan.FailNotConfirmed(NotConfirmed.Message(stop));
                        else plan.Fail(NotSent.Code(stop), NotSent.Message(stop), NotSent.Remedy(stop));
                    }
                    results.Add(plan.ToResult(false));
                }
            }
            if (stop != null) throw stop;
        }

        /// <summary>Salesforce converts leads only through SOAP convertLead, up to 200 a call.</summary>
        private async Task ConvertLeadsAsync(List<PersonPlan> plans, CancellationToken ct)
        {
            if (plans.Count > 0 && _statuses.Converted == null)
            {
                foreach (PersonPlan plan in plans)
                    plan.Fail("NoConvertedLeadStatus", "The org has no converted lead status, so the lead cannot be converted to a contact.", "Mark a lead status as Converted in Setup > Lead Status.");
                return;
            }
            for (int i = 0; i < plans.Count; i += 200)
            {
                var batch = plans.Skip(i).Take(200).ToList();
                string converts = string.Concat(batch.Select(p =>
                    "<urn:leadConverts>"
                    + (p.ConvertAccountId != null ? $"<urn:accountId>{SecurityElement.Escape(p.ConvertAccountId)}</urn:accountId>" : "")
                    + $"<urn:convertedStatus>{SecurityElement.Escape(_statuses.Converted)}</urn:convertedStatus>"
                    + "<urn:doNotCreateOpportunity>true</urn:doNotCreateOpportunity>"
                    + $"<urn:leadId>{SecurityElement.Escape(p.ConvertLeadId)}</urn:leadId>"
                    + "</urn:leadConverts>"));
                System.Xml.Linq.XElement body;
                try
                {
                    body = await _client.SoapAsync($"<urn:convertLead>{converts}</urn:convertLead>", ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (MayHaveConverted(ex))
                {
                    // The call may have been carried out (its answer was lost): not confirmed, never "not sent".
                    foreach (PersonPlan plan in batch) plan.AnswerLost = true;
                    throw;
                }
                var answers = body.Descendants().Where(e => e.Name.LocalName == "result").ToList();
                for (int j = 0; j < batch.Count; j++)
                {
                    PersonPlan plan = batch[j];
                    var answer = j < answers.Count ? answers[j] : null;
                    string Value(string name) => answer?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
                    if (Value("success") == "true")
                    {
                        plan.RecordId = Value("contactId");
                        if (plan.Update == null) plan.Written = true;
                        else plan.Wrote($"Lead {plan.ConvertLeadId} was converted into contact {plan.RecordId}.",
                            $"the contact's update with the source's values ({string.Join(", ", plan.Update.Properties().Select(p => p.Name))})");
                        plan.ConvertLeadId = null;
                        continue;
                    }
                    var error = answer?.Descendants().FirstOrDefault(e => e.Name.LocalName == "errors");
                    string code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "statusCode")?.Value ?? "CONVERSION_FAILED";
                    string message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "message")?.Value ?? "Salesforce did not convert the lead.";
                    plan.Fail(code, $"Converting lead {plan.ConvertLeadId} failed: {message}", Remedies.For(code));
                }
            }
        }

        /// <summary>
        /// A convertLead call that failed without Salesforce's answer: the connection dropped or timed out, or the
        /// edge answered 502/503/504 (which may come after the work was done). A SOAP fault (REQUEST_LIMIT_EXCEEDED,
        /// a refused session) is Salesforce's answer: nothing of the call was carried out.
        /// </summary>
        private static bool MayHaveConverted(Exception ex)
            => ex is SalesforceException failure && (failure.AnswerLost || failure.Failure == SalesforceFailure.ConnectionDropped || failure.Failure == SalesforceFailure.Timeout
                || failure is SalesforceApiException api && (api.HttpStatus == 502 || api.HttpStatus == 503 || api.HttpStatus == 504));

        /// <summary>
        /// Creates, updates and deletes of Contacts and Leads. Nothing unique identifies a Contact or a Lead, so a
        /// create whose answer was lost is never sent again in this run: it is looked up by its match key, and
        /// when not found (Salesforce may still commit it after that read) it is NotConfirmed; the next run finds
        /// it by the same key, or creates it then.
        /// </summary>
        private async Task<SalesforceException> WriteRecordsAsync(List<PersonPlan> plans, CancellationToken ct)
        {
            var writes = WritesOf(plans);
            var (outcomes, stopped) = await _writer.WriteWithRetriesAsync(writes, WriteRounds, _connection.RetryBaseDelay, ct).ConfigureAwait(false);
            var lost = new List<PersonPlan>();
            foreach (RecordOutcome outcome in outcomes)
            {
                var plan = (PersonPlan)outcome.Write.Tag;
                if (plan.Action == SfSyncAction.Failed) continue;
                if (outcome.Success || IsGone(outcome))
                {
                    if (outcome.Write.Kind == WriteKind.Create) plan.RecordId = outcome.Id;
                    Confirmed(plan, outcome.Write.Kind == WriteKind.Create);
                }
                else if (outcome.OutcomeUnknown && outcome.Write.Kind == WriteKind.Create) { plan.AnswerLost = true; lost.Add(plan); }
                else if (outcome.OutcomeUnknown) plan.FailNotConfirmed(NotConfirmed.Message(stopped));
                else plan.Fail(outcome.ErrorCode, outcome.Message, Remedies.For(outcome.ErrorCode));
            }
            if (stopped != null) return stopped;

            // A create whose answer was lost may have gone through: look for the record, never send it again.
            foreach (var group in lost.GroupBy(p => p.ObjectType))
            {
                var describe = group.Key == "Contact" ? _contact : _lead;
                var found = await ReadAsync(group.Key, describe, group.Select(p => p.Key).ToList(), group.Key == "Lead" ? "IsConverted = false AND " : "", ct).ConfigureAwait(false);
                foreach (PersonPlan plan in group)
                {
                    if (found.TryGetValue(plan.Key, out JObject record)) { plan.RecordId = record.Value<string>("Id"); Confirmed(plan, created: true); }
                    else plan.FailNotConfirmed(NotConfirmed.Message(null) + $" The next run looks for the {group.Key.ToLowerInvariant()} by {plan.Key} again, or creates it.");
                }
            }
            return await DeleteDemotedContactsAsync(plans, ct).ConfigureAwait(false);
        }

        /// <summary>A plan's record write was confirmed; a demotion's contact delete is still to come.</summary>
        private static void Confirmed(PersonPlan plan, bool created)
        {
            plan.Written = true;
            if (plan.DeleteDemotedContact)
                plan.Wrote($"Lead {plan.RecordId} was {(created ? "created" : "updated")}.", $"deleting contact {plan.DemotedContactId}, which it replaces");
        }

        /// <summary>A demotion's contact was not deleted: the person has a lead and a contact until a later run deletes the contact.</summary>
        private static void FailContactDelete(PersonPlan plan, string code, string reason, string remedy)
        {
            string contact = plan.DemotedContactId;
            plan.Fail(code, plan.Applied == null ? $"Contact {contact}, which the lead replaces, was not deleted: {reason}" : reason, remedy);
        }

        private static List<RecordWrite> WritesOf(IEnumerable<PersonPlan> plans)
        {
            var writes = new List<RecordWrite>();
            foreach (PersonPlan plan in plans)
            {
                if (plan.Create != null) writes.Add(new RecordWrite(WriteKind.Create, plan.ObjectType, plan.Create, tag: plan));
                else if (plan.Delete) writes.Add(new RecordWrite(WriteKind.Delete, plan.ObjectType, id: plan.RecordId, tag: plan));
                else if (plan.Update != null) writes.Add(new RecordWrite(WriteKind.Update, plan.ObjectType, new JObject(plan.Update) { ["Id"] = plan.RecordId }, plan.RecordId, plan));
            }
            return writes;
        }

        private static bool IsGone(RecordOutcome outcome)
            => outcome.Write.Kind == WriteKind.Delete && (outcome.ErrorCode == "ENTITY_IS_DELETED" || outcome.ErrorCode == "NOT_FOUND");

        /// <summary>
        /// A demoted person's contact is deleted only after their lead's create was confirmed, in its own
        /// request: a refused or unconfirmed lead never costs the person their contact.
        /// </summary>
        private async Task<SalesforceException> DeleteDemotedContactsAsync(List<PersonPlan> plans, CancellationToken ct)
        {
            var writes = plans.Where(p => p.DeleteDemotedContact && p.Written && p.Action == SfSyncAction.Demoted)
                .Select(p => new RecordWrite(WriteKind.Delete, "Contact", id: p.DemotedContactId, tag: p)).ToList();
            if (writes.Count == 0) return null;
            var (outcomes, stopped) = await _writer.WriteWithRetriesAsync(writes, WriteRounds, _connection.RetryBaseDelay, ct).ConfigureAwait(false);
            // Until the contact's delete is confirmed the demotion is not done: the result fails (partly applied when
            // this run wrote the lead), no fingerprint is kept, and the next run finds the lead and deletes the contact.
            foreach (RecordOutcome outcome in outcomes)
            {
                var plan = (PersonPlan)outcome.Write.Tag;
                if (outcome.Success || IsGone(outcome)) plan.DemotedContactDeleted = true;
                else if (outcome.OutcomeUnknown) FailContactDelete(plan, NotConfirmed.Code, NotConfirmed.Message(stopped), Remedies.For(NotConfirmed.Code));
                else if (outcome.NotSent) FailContactDelete(plan, NotSent.Code(stopped), NotSent.Message(stopped), NotSent.Remedy(stopped));
                else FailContactDelete(plan, outcome.ErrorCode, $"Salesforce refused the delete ({outcome.ErrorCode}: {outcome.Message}); the next run tries again.", Remedies.For(outcome.ErrorCode));
            }
            return stopped;
        }
    }
}
