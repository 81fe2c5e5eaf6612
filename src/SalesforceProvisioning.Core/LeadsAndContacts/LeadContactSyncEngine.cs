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
        private const int MaxWriteRounds = 3;
        private const string ConvertedStatus = "Closed - Converted";
        private const string ClosedStatus = "Closed - Not Converted";

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

        public LeadContactSyncEngine(SfProvisioningConnection connection, SfAttributeMap map, UserSyncPolicy policy, string matchField = "Email", int maxConcurrentRequests = 2)
        {
            _connection = connection;
            _client = connection.Client;
            _map = map;
            _policy = policy;
            _matchField = matchField;
            _reader = new CompositeReader(_client);
            _writer = new CompositeWriter(_client, maxConcurrentRequests);
        }

        public string MatchingStrategy => "by-" + _matchField.ToLowerInvariant();

        public async Task PrepareAsync(CancellationToken ct)
        {
            var body = new JObject
            {
                ["allOrNone"] = false,
                ["compositeRequest"] = new JArray
                {
                    new JObject { ["method"] = "GET", ["url"] = _client.DataPath("sobjects/Contact/describe"), ["referenceId"] = "contact" },
                    new JObject { ["method"] = "GET", ["url"] = _client.DataPath("sobjects/Lead/describe"), ["referenceId"] = "lead" },
                },
            };
            var answer = await _client.SendAsync(Method.Post, _client.DataPath("composite"), body, repeatable: true, ct).ConfigureAwait(false);
            var responses = ((JArray)answer["compositeResponse"]).Cast<JObject>().ToDictionary(r => r.Value<string>("referenceId"));
            foreach (var response in responses.Values.Where(r => r.Value<int>("httpStatusCode") >= 300))
                throw SalesforceClient.ToApiException(new ApiResponse(response.Value<int>("httpStatusCode"), response["body"]?.ToString(Newtonsoft.Json.Formatting.None)));
            _contact = SObjectDescribe.FromJson((JObject)responses["contact"]["body"]);
            _lead = SObjectDescribe.FromJson((JObject)responses["lead"]["body"]);

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
                var shape = await AccountShape.ReadAsync(_client, ct).ConfigureAwait(false);
                var account = (await _client.QueryAsync($"SELECT {shape.SelectFields} FROM Account WHERE Id = {Soql.Literal(_connection.AccountId)}", ct).ConfigureAwait(false)).FirstOrDefault();
                if (account == null)
                    throw new SalesforceConfigurationException("AccountId", $"Account '{_connection.AccountId}' does not exist in this org.", "Give the Id of the business account new contacts belong to.");
                if (shape.IsPersonAccount(account))
                    throw new SalesforceConfigurationException("AccountId", $"Account '{account.Value<string>("Name")}' ({_connection.AccountId}) is a person account; a person account holds only its own person contact.", "Give the Id of the business account new contacts belong to.");
            }
        }

        public async Task<IReadOnlyList<ISyncPlan>> PlanWindowAsync(IReadOnlyList<SourceUser> window, CancellationToken ct)
        {
            var plans = new List<PersonPlan>();
            foreach (SourceUser source in window)
            {
                string key = source.Fields.TryGetValue(_matchField, out object value) ? Convert.ToString(value)?.Trim() : null;
                var type = ParseRecordType(source, out string typeProblem);
                var plan = new PersonPlan(source, key, type) { ObjectType = type.ToString() };
                plans.Add(plan);
                if (source.Problems.Count > 0) plan.Fail("InvalidSourceValue", $"{source.Problems[0].Field}: {source.Problems[0].Problem}", source.Problems[0].Remedy);
                else if (typeProblem != null) plan.Fail("InvalidRecordType", typeProblem, "Give RecordType as Contact or Lead.");
                else if (string.IsNullOrEmpty(key)) plan.Fail("MissingMatchKey", $"The input has no {_matchField}, which Leads and Contacts are matched on.", $"Map {_matchField} to a source property (for example mail).");
                else if (!_seen.Add(key)) plan.Fail("DuplicateInput", $"{_matchField} '{key}' appears more than once in the input; only the first is synced.", "Remove the duplicate from the source.");
            }

            var keys = plans.Where(p => p.Action != SfSyncAction.Failed).Select(p => p.Key).ToList();
            var contacts = await ReadAsync("Contact", _contact, keys, "", ct).ConfigureAwait(false);
            var leads = await ReadAsync("Lead", _lead, keys, "IsConverted = false AND ", ct).ConfigureAwait(false);
            foreach (PersonPlan plan in plans.Where(p => p.Action != SfSyncAction.Failed))
            {
                contacts.TryGetValue(plan.Key, out JObject contact);
                leads.TryGetValue(plan.Key, out JObject lead);
                Plan(plan, contact, lead);
            }
            return plans;
        }

        private SfRecordType ParseRecordType(SourceUser source, out string problem)
        {
            problem = null;
            if (source.RecordType == null) return _connection.RecordType;
            if (Enum.TryParse(source.RecordType.Trim(), true, out SfRecordType type)) return type;
            problem = $"RecordType '{source.RecordType}' is neither Contact nor Lead.";
            return _connection.RecordType;
        }

        private async Task<Dictionary<string, JObject>> ReadAsync(string sObject, SObjectDescribe describe, List<string> keys, string filter, CancellationToken ct)
        {
            var fields = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Id", _matchField };
            foreach (SfFieldMapping mapping in _map.Mappings)
                if (describe.Field(mapping.Field) != null) fields.Add(describe.Field(mapping.Field).Name);
            if (sObject == "Contact") fields.Add("AccountId");
            if (sObject == "Lead") { fields.Add("Status"); fields.Add("Company"); }
            string prefix = $"SELECT {string.Join(", ", fields)} FROM {sObject} WHERE {filter}{describe.Field(_matchField).Name} IN";
            var found = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
            foreach (JObject record in await _reader.QueryManyAsync(Soql.ChunkedInQueries(prefix, keys), ct).ConfigureAwait(false))
            {
                string key = record.Value<string>(describe.Field(_matchField).Name);
                if (key != null && !found.ContainsKey(key)) found[key] = record;
            }
            return found;
        }

        /// <summary>Decides one person's change; every toggle of the connection is honoured and skips say why.</summary>
        private void Plan(PersonPlan plan, JObject contact, JObject lead)
        {
            SourceUser source = plan.Source;
            if (source.WantsInactive)
            {
                PlanRemoval(plan, plan.Type == SfRecordType.Contact ? (contact, "Contact") : (lead, "Lead"), plan.Type == SfRecordType.Contact ? (lead, "Lead") : (contact, "Contact"));
                return;
            }
            if (plan.Type == SfRecordType.Contact)
            {
                if (contact != null) PlanUpdate(plan, contact, _contact, "Contact");
                else if (lead != null) PlanPromotion(plan, lead);
                else PlanCreate(plan, _contact, "Contact");
            }
            else
            {
                if (lead != null) PlanUpdate(plan, lead, _lead, "Lead");
                else if (contact != null) PlanDemotion(plan, contact);
                else PlanCreate(plan, _lead, "Lead");
            }
        }

        private void PlanRemoval(PersonPlan plan, (JObject Record, string Type) own, (JObject Record, string Type) other)
        {
            var (record, type) = own.Record != null ? own : other;
            if (record == null)
            {
                plan.Skip($"The person is {(plan.Source.Deleted ? "deleted" : "disabled")} in the source and has no Lead or Contact: nothing to do.", null);
                return;
            }
            plan.ObjectType = type;
            plan.RecordId = record.Value<string>("Id");
            bool toggle = plan.Source.Deleted ? _policy.DeprovisionUsers : _policy.DisableUsers;
            if (!toggle)
            {
                plan.Skip($"The person is {(plan.Source.Deleted ? "deleted" : "disabled")} in the source, but {(plan.Source.Deleted ? "deprovisioning" : "disabling")} is off for this connection.", $"Create the connection with {(plan.Source.Deleted ? "-DeprovisionUsers" : "-DisableUsers")} $true.");
                return;
            }
            if (_connection.RemoveAction == SfRemoveAction.Delete && _connection.AllowDelete)
            {
                plan.Delete = true;
                plan.Action = SfSyncAction.Deleted;
                return;
            }
            if (type == "Lead")
            {
                if (record.Value<string>("Status") == ClosedStatus) return;
                plan.Update = new JObject { ["Status"] = ClosedStatus };
                plan.ChangedFields.Add("Status");
                plan.Action = SfSyncAction.Disabled;
                return;
            }
            plan.Skip("Contacts have no disabled state, and deleting records is off for this connection.", "Create the connection with -AllowDelete -RemoveAction Delete to delete such contacts.");
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
            if (!_policy.CreateUsers)
            {
                plan.Skip($"The person has no {type}, and creation is off for this connection.", "Create the connection with -CreateUsers $true.");
                return;
            }
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
                if (_map[field.Name]?.Update ?? true) update[field.Name] = property.Value;
                else notUpdated.Add(field.Name);
            }
            if (notUpdated.Count > 0) plan.Message = $"Not updated because their Update flag is off: {string.Join(", ", notUpdated)}.";
            if (!update.HasValues) return;
            if (!_policy.UpdateUsers)
            {
                plan.Skip($"Fields differ ({string.Join(", ", update.Properties().Select(p => p.Name))}), but updating is off for this connection.", "Create the connection with -UpdateUsers $true.");
                return;
            }
            plan.Update = update;
            plan.Action = SfSyncAction.Updated;
            plan.ChangedFields.AddRange(update.Properties().Select(p => p.Name));
        }

        private void PlanPromotion(PersonPlan plan, JObject lead)
        {
            if (!_policy.UpdateUsers)
            {
                plan.Skip("The person is a Lead and the source makes them a Contact, but updating is off for this connection.", "Create the connection with -UpdateUsers $true to convert leads.");
                return;
            }
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

        private void PlanDemotion(PersonPlan plan, JObject contact)
        {
            if (!_policy.CreateUsers)
            {
                plan.Skip("The person is a Contact and the source makes them a Lead, but creation is off for this connection.", "Create the connection with -CreateUsers $true.");
                return;
            }
            JObject desired = Desired(plan, _lead);
            if (desired == null) return;
            var create = new JObject(desired.Properties().Where(p => p.Value.Type != JTokenType.Null && _lead.Field(p.Name).Createable));
            foreach (string field in new[] { "FirstName", "LastName", "Email", "Phone", "Title" })
                if (create[field] == null && contact[field] != null && contact[field].Type != JTokenType.Null) create[field] = contact[field];
            if (!CompleteRequired(plan, create, "Lead")) return;
            plan.ObjectType = "Lead";
            plan.Create = create;
            plan.DemotedContactId = contact.Value<string>("Id");
            plan.DeleteDemotedContact = _connection.AllowDelete && _connection.RemoveAction == SfRemoveAction.Delete;
            plan.Action = SfSyncAction.Demoted;
            plan.ChangedFields.Add("Contact->Lead");
            plan.Message = plan.DeleteDemotedContact
                ? $"A lead replaces contact {plan.DemotedContactId}, which is deleted."
                : $"A lead now stands beside contact {plan.DemotedContactId}, which is kept (records may not be deleted on this connection).";
        }

        public async Task ExecuteAsync(IReadOnlyList<ISyncPlan> all, List<SfUserSyncResult> results, CancellationToken ct)
        {
            var plans = all.Cast<PersonPlan>().ToList();
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
                    if (plan.Action != SfSyncAction.Failed && plan.IsWrite && !plan.Written)
                        plan.Fail(stop?.Failure.ToString() ?? "NotWritten", "Not confirmed as written: " + (stop?.Message ?? "the run stopped before Salesforce answered."), stop?.Remedy ?? Remedies.For("ConnectionDropped"));
                    results.Add(plan.ToResult(false));
                }
            }
            if (stop != null) throw stop;
        }

        /// <summary>Salesforce converts leads only through SOAP convertLead, up to 200 a call.</summary>
        private async Task ConvertLeadsAsync(List<PersonPlan> plans, CancellationToken ct)
        {
            for (int i = 0; i < plans.Count; i += 200)
            {
                var batch = plans.Skip(i).Take(200).ToList();
                string converts = string.Concat(batch.Select(p =>
                    "<urn:leadConverts>"
                    + (p.ConvertAccountId != null ? $"<urn:accountId>{SecurityElement.Escape(p.ConvertAccountId)}</urn:accountId>" : "")
                    + $"<urn:convertedStatus>{SecurityElement.Escape(ConvertedStatus)}</urn:convertedStatus>"
                    + "<urn:doNotCreateOpportunity>true</urn:doNotCreateOpportunity>"
                    + $"<urn:leadId>{SecurityElement.Escape(p.ConvertLeadId)}</urn:leadId>"
                    + "</urn:leadConverts>"));
                var body = await _client.SoapAsync($"<urn:convertLead>{converts}</urn:convertLead>", ct).ConfigureAwait(false);
                var answers = body.Descendants().Where(e => e.Name.LocalName == "result").ToList();
                for (int j = 0; j < batch.Count; j++)
                {
                    PersonPlan plan = batch[j];
                    var answer = j < answers.Count ? answers[j] : null;
                    string Value(string name) => answer?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
                    if (Value("success") == "true")
                    {
                        plan.RecordId = Value("contactId");
                        plan.ConvertLeadId = null;
                        if (plan.Update == null) plan.Written = true;
                        continue;
                    }
                    var error = answer?.Descendants().FirstOrDefault(e => e.Name.LocalName == "errors");
                    string code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "statusCode")?.Value ?? "CONVERSION_FAILED";
                    string message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "message")?.Value ?? "Salesforce did not convert the lead.";
                    plan.Fail(code, $"Converting lead {plan.ConvertLeadId} failed: {message}", Remedies.For(code));
                }
            }
        }

        /// <summary>Creates, updates and deletes of Contacts and Leads; creates whose answer was lost are looked up, never resent blindly.</summary>
        private async Task<SalesforceException> WriteRecordsAsync(List<PersonPlan> plans, CancellationToken ct)
        {
            var pending = plans;
            for (int round = 0; round < MaxWriteRounds && pending.Count > 0; round++)
            {
                var writes = new List<RecordWrite>();
                foreach (PersonPlan plan in pending)
                {
                    if (plan.Create != null) writes.Add(new RecordWrite(WriteKind.Create, plan.ObjectType, plan.Create, tag: plan));
                    else if (plan.Delete) writes.Add(new RecordWrite(WriteKind.Delete, plan.ObjectType, id: plan.RecordId, tag: plan));
                    else if (plan.Update != null) writes.Add(new RecordWrite(WriteKind.Update, plan.ObjectType, new JObject(plan.Update) { ["Id"] = plan.RecordId }, plan.RecordId, plan));
                    if (plan.DeleteDemotedContact && round == 0) writes.Add(new RecordWrite(WriteKind.Delete, "Contact", id: plan.DemotedContactId, tag: plan));
                }
                var (outcomes, stopped) = await _writer.WriteWithRetriesAsync(writes, 2, _connection.RetryBaseDelay, ct).ConfigureAwait(false);
                var lost = new List<PersonPlan>();
                foreach (RecordOutcome outcome in outcomes)
                {
                    var plan = (PersonPlan)outcome.Write.Tag;
                    if (plan.Action == SfSyncAction.Failed) continue;
                    bool demotedContact = outcome.Write.SObjectType == "Contact" && outcome.Write.Id == plan.DemotedContactId && outcome.Write.Kind == WriteKind.Delete;
                    if (outcome.Success || (outcome.Write.Kind == WriteKind.Delete && (outcome.ErrorCode == "ENTITY_IS_DELETED" || outcome.ErrorCode == "NOT_FOUND")))
                    {
                        if (demotedContact) continue;
                        if (outcome.Write.Kind == WriteKind.Create) plan.RecordId = outcome.Id;
                        plan.Written = true;
                    }
                    else if (outcome.OutcomeUnknown && outcome.Write.Kind == WriteKind.Create) lost.Add(plan);
                    else if (demotedContact) plan.Message += $" Deleting the contact failed: {outcome.Message}";
                    else plan.Fail(outcome.ErrorCode, outcome.Message, Remedies.For(outcome.ErrorCode));
                }
                if (stopped != null) return stopped;

                // A create whose answer was lost may have gone through: look for the record before sending it again.
                pending = new List<PersonPlan>();
                foreach (var group in lost.GroupBy(p => p.ObjectType))
                {
                    var describe = group.Key == "Contact" ? _contact : _lead;
                    var found = await ReadAsync(group.Key, describe, group.Select(p => p.Key).ToList(), group.Key == "Lead" ? "IsConverted = false AND " : "", ct).ConfigureAwait(false);
                    foreach (PersonPlan plan in group)
                    {
                        if (found.TryGetValue(plan.Key, out JObject record)) { plan.RecordId = record.Value<string>("Id"); plan.Written = true; }
                        else pending.Add(plan);
                    }
                }
            }
            return null;
        }
    }
}
