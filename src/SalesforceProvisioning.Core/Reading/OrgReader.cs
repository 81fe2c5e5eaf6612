using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>What Get-SfUser reads besides the User record.</summary>
    public sealed class SfUserReadOptions
    {
        /// <summary>Assigned permission sets, in chunked queries per page of users.</summary>
        public bool IncludePermissionSets { get; set; }

        /// <summary>UserLogin.IsFrozen; always read on a connection whose DisableAction is Freeze.</summary>
        public bool IncludeFrozenState { get; set; }
    }

    /// <summary>
    /// Reads users, groups, permission sets, contacts and leads back from the org. The main query is paged with
    /// <see cref="SalesforceClient.QueryPagesAsync"/> and each page is handed out as it arrives; what a
    /// page needs besides (permission sets, frozen state, members) is read in chunked <c>IN (...)</c>
    /// queries, five to a composite request (one counted call), never one query per record.
    /// </summary>
    public sealed class OrgReader
    {
        // Fields an org may not have (older API version, or the emulator): per client, the ones it refused.
        private static readonly ConditionalWeakTable<SalesforceClient, ConcurrentDictionary<string, bool>> MissingFields =
            new ConditionalWeakTable<SalesforceClient, ConcurrentDictionary<string, bool>>();

        private readonly SalesforceClient _client;
        private readonly CompositeReader _composite;
        private readonly bool _freezeMode;

        public OrgReader(SfProvisioningConnection connection)
        {
            if (connection == null) throw new ArgumentNullException(nameof(connection));
            _client = connection.Client;
            _composite = new CompositeReader(_client);
            _freezeMode = connection.DisableAction == SfDisableAction.Freeze;
        }

        /// <summary>Users matching <paramref name="query"/>, by exact usernames when it has some, else by patterns.</summary>
        public Task ReadUsersAsync(SfUserQuery query, SfUserReadOptions options, Action<SfUser> emit, CancellationToken ct)
        {
            if (query == null) throw new ArgumentNullException(nameof(query));
            options = options ?? new SfUserReadOptions();
            bool byUsername = query.Usernames != null && query.Usernames.Count > 0;
            return WithOptionalFields("User", OrgQueries.OptionalUserFields, async (optional, emitted) =>
            {
                Func<IReadOnlyList<JObject>, Task> onPage = async page =>
                {
                    var users = page.Select(ToUser).ToList();
                    await EnrichUsersAsync(users, options, ct).ConfigureAwait(false);
                    foreach (var user in users) { emitted(); emit(user); }
                };
                if (byUsername)
                {
                    // Five statements of 400 names go in one composite call; then that page of users is enriched and handed out.
                    foreach (var batch in Batches(OrgQueries.UsersByUsername(query, optional), CompositeReader.QueriesPerComposite))
                        await onPage(await _composite.QueryManyAsync(batch, ct).ConfigureAwait(false)).ConfigureAwait(false);
                }
                else
                {
                    await QueryPagesAsync(OrgQueries.Users(query, optional), onPage, ct).ConfigureAwait(false);
                }
            });
        }

        /// <summary>Groups matching <paramref name="query"/>; with <paramref name="includeMembers"/>, their direct members.</summary>
        public Task ReadGroupsAsync(SfGroupQuery query, bool includeMembers, Action<SfGroup> emit, CancellationToken ct)
        {
            if (query == null) throw new ArgumentNullException(nameof(query));
            return QueryPagesAsync(OrgQueries.Groups(query), async page =>
            {
                var groups = page.Select(ToGroup).ToList();
                if (includeMembers) await FillMembersAsync(groups, ct).ConfigureAwait(false);
                foreach (var group in groups) emit(group);
            }, ct);
        }

        /// <summary>Permission sets matching <paramref name="query"/>; with <paramref name="includeAssignmentCount"/>, how many users have each.</summary>
        public Task ReadPermissionSetsAsync(SfPermissionSetQuery query, bool includeAssignmentCount, Action<SfPermissionSet> emit, CancellationToken ct)
        {
            if (query == null) throw new ArgumentNullException(nameof(query));
            return WithOptionalFields("PermissionSet", OrgQueries.OptionalPermissionSetFields, (optional, emitted) =>
                QueryPagesAsync(OrgQueries.PermissionSets(query, optional), async page =>
                {
                    var sets = page.Select(ToPermissionSet).ToList();
                    if (includeAssignmentCount)
                    {
                        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
                        foreach (var row in await _composite.QueryManyAsync(OrgQueries.AssignmentsOf(sets.Select(s => s.Id)), ct).ConfigureAwait(false))
                        {
                            string id = row.Value<string>("PermissionSetId");
                            counts[id] = counts.TryGetValue(id, out int n) ? n + 1 : 1;
                        }
                        foreach (var set in sets) set.AssignmentCount = counts.TryGetValue(set.Id, out int n) ? n : 0;
                    }
                    foreach (var set in sets) { emitted(); emit(set); }
                }, ct));
        }

        /// <summary>
        /// Profiles matching the patterns, each with its licence's seats. The licences are read first (one
        /// query); an org that refuses UserLicense to this user (INVALID_TYPE) gives profiles without seats.
        /// </summary>
        public async Task ReadProfilesAsync(IReadOnlyList<string> names, Action<SfProfileInfo> emit, CancellationToken ct)
        {
            var licences = new Dictionary<string, JObject>(StringComparer.Ordinal);
            try
            {
                foreach (JObject licence in await _client.QueryAsync(OrgQueries.UserLicenses, ct).ConfigureAwait(false))
                    licences[UserOrgContext.Id15(licence.Value<string>("Id"))] = licence;
            }
            catch (SalesforceApiException ex) when (ex.ErrorCode == "INVALID_TYPE")
            {
                _client.Diagnostics.Enqueue("UserLicense cannot be read on this connection (INVALID_TYPE): profiles are listed without licence seats.");
            }
            await QueryPagesAsync(OrgQueries.Profiles(names), page =>
            {
                foreach (JObject r in page)
                {
                    string licenceId = r.Value<string>("UserLicenseId");
                    licences.TryGetValue(licenceId == null ? string.Empty : UserOrgContext.Id15(licenceId), out JObject licence);
                    emit(new SfProfileInfo
                    {
                        Id = r.Value<string>("Id"),
                        Name = r.Value<string>("Name"),
                        UserType = r.Value<string>("UserType"),
                        UserLicenseId = licenceId,
                        LicenseName = licence?.Value<string>("Name"),
                        TotalLicenses = licence?.Value<int?>("TotalLicenses"),
                        UsedLicenses = licence?.Value<int?>("UsedLicenses"),
                    });
                }
                return Task.CompletedTask;
            }, ct).ConfigureAwait(false);
        }

        /// <summary>The fields of an object that can be written (createable or updateable), from its describe.</summary>
        public async Task<string[]> WritableFieldNamesAsync(string objectName, CancellationToken ct)
        {
            JToken describe = await _client.GetAsync(_client.DataPath("sobjects/" + Uri.EscapeDataString(objectName) + "/describe"), ct).ConfigureAwait(false);
            return (describe["fields"] as JArray ?? new JArray())
                .Where(f => f.Value<bool?>("createable") == true || f.Value<bool?>("updateable") == true)
                .Select(f => f.Value<string>("name")).Where(n => n != null).ToArray();
        }

        /// <summary>Roles matching the patterns, with their parent's name (all roles are read: role trees are small).</summary>
        public async Task ReadRolesAsync(IReadOnlyList<string> names, Action<SfRole> emit, CancellationToken ct)
        {
            List<JObject> all = await _client.QueryAsync(OrgQueries.Roles(null), ct).ConfigureAwait(false);
            var nameById = all.ToDictionary(r => UserOrgContext.Id15(r.Value<string>("Id")), r => r.Value<string>("Name"), StringComparer.Ordinal);
            var wanted = names == null || names.Count == 0 ? all : await _client.QueryAsync(OrgQueries.Roles(names), ct).ConfigureAwait(false);
            foreach (JObject r in wanted)
            {
                string parent = r.Value<string>("ParentRoleId");
                emit(new SfRole
                {
                    Id = r.Value<string>("Id"),
                    Name = r.Value<string>("Name"),
                    DeveloperName = r.Value<string>("DeveloperName"),
                    ParentRoleId = parent,
                    ParentRoleName = parent != null && nameById.TryGetValue(UserOrgContext.Id15(parent), out string n) ? n : null,
                });
            }
        }

        /// <summary>Contacts matching <paramref name="query"/>, by exact emails when it has some, else by patterns.</summary>
        public Task ReadContactsAsync(SfContactQuery query, Action<SfContact> emit, CancellationToken ct)
        {
            if (query == null) throw new ArgumentNullException(nameof(query));
            bool byEmail = query.Emails != null && query.Emails.Count > 0;
            return ReadPeopleAsync("Contact", OrgQueries.OptionalContactFields,
                optional => byEmail ? OrgQueries.ContactsByEmail(query, optional) : null,
                optional => OrgQueries.Contacts(query, optional), ToContact, emit, ct);
        }

        /// <summary>Leads matching <paramref name="query"/>, by exact emails when it has some, else by patterns.</summary>
        public Task ReadLeadsAsync(SfLeadQuery query, Action<SfLead> emit, CancellationToken ct)
        {
            if (query == null) throw new ArgumentNullException(nameof(query));
            bool byEmail = query.Emails != null && query.Emails.Count > 0;
            return ReadPeopleAsync("Lead", OrgQueries.OptionalLeadFields,
                optional => byEmail ? OrgQueries.LeadsByEmail(query, optional) : null,
                optional => OrgQueries.Leads(query, optional), ToLead, emit, ct);
        }

        /// <summary>
        /// Contacts or leads: the chunked by-email statements five to a composite call when there are some,
        /// else the pattern query page by page; optional fields the org lacks are left out.
        /// </summary>
        private Task ReadPeopleAsync<T>(string objectName, IReadOnlyList<string> optionalFields, Func<IReadOnlyList<string>, IEnumerable<string>> byEmail,
            Func<IReadOnlyList<string>, string> byPattern, Func<JObject, T> convert, Action<T> emit, CancellationToken ct)
        {
            return WithOptionalFields(objectName, optionalFields, async (optional, emitted) =>
            {
                Func<IReadOnlyList<JObject>, Task> onPage = page =>
                {
                    foreach (var record in page) { emitted(); emit(convert(record)); }
                    return Task.CompletedTask;
                };
                var statements = byEmail(optional);
                if (statements != null)
                {
                    foreach (var batch in Batches(statements, CompositeReader.QueriesPerComposite))
                        await onPage(await _composite.QueryManyAsync(batch, ct).ConfigureAwait(false)).ConfigureAwait(false);
                }
                else
                {
                    await QueryPagesAsync(byPattern(optional), onPage, ct).ConfigureAwait(false);
                }
            });
        }

        private async Task EnrichUsersAsync(List<SfUser> users, SfUserReadOptions options, CancellationToken ct)
        {
            if (users.Count == 0) return;
            var ids = users.Select(u => u.Id).ToList();
            bool readFrozen = options.IncludeFrozenState || _freezeMode;
            var statements = new List<string>();
            if (options.IncludePermissionSets) statements.AddRange(OrgQueries.PermissionSetAssignments(ids));
            if (readFrozen) statements.AddRange(OrgQueries.FrozenStates(ids));
            if (statements.Count == 0) return;

            // Both kinds share composite requests; rows tell themselves apart by their fields.
            var permissionSets = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            var frozen = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var row in await _composite.QueryManyAsync(statements, ct).ConfigureAwait(false))
            {
                if (row["AssigneeId"] != null)
                {
                    string name = (row["PermissionSet"] as JObject)?.Value<string>("Name");
                    if (name == null) continue;
                    string assignee = Key15(row.Value<string>("AssigneeId"));
                    if (!permissionSets.TryGetValue(assignee, out var names)) permissionSets[assignee] = names = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
                    names.Add(name);
                }
                else if (row["UserId"] != null)
                {
                    frozen[Key15(row.Value<string>("UserId"))] = row.Value<bool?>("IsFrozen") ?? false;
                }
            }

            foreach (var user in users)
            {
                if (options.IncludePermissionSets)
                    user.PermissionSets = permissionSets.TryGetValue(Key15(user.Id), out var names) ? names.ToArray() : new string[0];
                if (readFrozen)
                {
                    user.IsFrozen = frozen.TryGetValue(Key15(user.Id), out bool isFrozen) && isFrozen;
                    if (_freezeMode && user.IsFrozen == true) user.Enabled = false;
                }
            }
        }

        private async Task FillMembersAsync(List<SfGroup> groups, CancellationToken ct)
        {
            if (groups.Count == 0) return;
            var rows = await _composite.QueryManyAsync(OrgQueries.GroupMembers(groups.Select(g => g.Id)), ct).ConfigureAwait(false);
            var memberIds = rows.Select(r => r.Value<string>("UserOrGroupId")).Where(id => id != null).Distinct(StringComparer.Ordinal).ToList();

            // Names of the members: usernames for users (005...), names for nested groups (00G...), in shared composite requests.
            var userIds = memberIds.Where(id => id.StartsWith("005", StringComparison.Ordinal)).ToList();
            var groupIds = memberIds.Where(id => id.StartsWith("00G", StringComparison.Ordinal)).ToList();
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            var statements = OrgQueries.UsernamesById(userIds).Concat(OrgQueries.GroupNamesById(groupIds)).ToList();
            if (statements.Count > 0)
            {
                foreach (var record in await _composite.QueryManyAsync(statements, ct).ConfigureAwait(false))
                {
                    string id = record.Value<string>("Id");
                    if (id == null) continue;
                    names[Key15(id)] = record.Value<string>("Username") ?? record.Value<string>("Name") ?? record.Value<string>("DeveloperName") ?? id;
                }
            }

            var byGroup = rows.GroupBy(r => Key15(r.Value<string>("GroupId")), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(r => r.Value<string>("UserOrGroupId")).Where(id => id != null).ToList(), StringComparer.Ordinal);
            foreach (var group in groups)
            {
                var ids = byGroup.TryGetValue(Key15(group.Id), out var list) ? list : new List<string>();
                group.Members = ids.Select(id => names.TryGetValue(Key15(id), out string name) ? name : id)
                    .OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
                group.MemberCount = ids.Count;
            }
        }

        // Ids may come back in 15- or 18-character form; the first 15 characters identify the record.
        private static string Key15(string id) => id == null ? null : id.Length > 15 ? id.Substring(0, 15) : id;

        /// <summary>Pages of one query, each awaited by <paramref name="onPage"/> before the next is fetched.</summary>
        private async Task QueryPagesAsync(string soql, Func<IReadOnlyList<JObject>, Task> onPage, CancellationToken ct)
        {
            // QueryPagesAsync takes a synchronous callback and asks for the next page when it returns: waiting
            // here (on a pool thread, never the pipeline thread) keeps one page in memory and hands pages out in order.
            await _client.QueryPagesAsync(soql, page => onPage(page).GetAwaiter().GetResult(), ct).ConfigureAwait(false);
        }

        /// <summary>
        /// Runs a read with the optional fields the org is not known to lack; when the org answers
        /// INVALID_FIELD naming one of them before anything was handed out, remembers it and runs again without it.
        /// </summary>
        private async Task WithOptionalFields(string objectName, IReadOnlyList<string> optional, Func<IReadOnlyList<string>, Action, Task> run)
        {
            var missing = MissingFields.GetValue(_client, _ => new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase));
            while (true)
            {
                var fields = optional.Where(f => !missing.ContainsKey(objectName + "." + f)).ToList();
                bool anyEmitted = false;
                try
                {
                    await run(fields, () => anyEmitted = true).ConfigureAwait(false);
                    return;
                }
                catch (SalesforceApiException ex) when (ex.ErrorCode == "INVALID_FIELD" && !anyEmitted)
                {
                    var refused = fields.Where(f => (ex.ApiMessage ?? string.Empty).IndexOf("'" + f + "'", StringComparison.OrdinalIgnoreCase) >= 0).ToList();
                    if (refused.Count == 0) throw;
                    foreach (var f in refused) missing[objectName + "." + f] = true;
                    _client.Diagnostics.Enqueue($"The org has no {objectName} field {string.Join(", ", refused)}; reading without it.");
                }
            }
        }

        private static IEnumerable<List<string>> Batches(IEnumerable<string> statements, int size)
        {
            var batch = new List<string>(size);
            foreach (var s in statements)
            {
                batch.Add(s);
                if (batch.Count == size) { yield return batch; batch = new List<string>(size); }
            }
            if (batch.Count > 0) yield return batch;
        }

        internal static SfUser ToUser(JObject r)
        {
            bool active = r.Value<bool?>("IsActive") ?? true;
            return new SfUser
            {
                Id = r.Value<string>("Id"),
                Username = r.Value<string>("Username"),
                Email = r.Value<string>("Email"),
                FirstName = r.Value<string>("FirstName"),
                LastName = r.Value<string>("LastName"),
                Name = r.Value<string>("Name"),
                Alias = r.Value<string>("Alias"),
                Title = r.Value<string>("Title"),
                Department = r.Value<string>("Department"),
                IsActive = active,
                Enabled = active,
                UserType = r.Value<string>("UserType"),
                ProfileId = r.Value<string>("ProfileId"),
                ProfileName = (r["Profile"] as JObject)?.Value<string>("Name"),
                FederationIdentifier = r.Value<string>("FederationIdentifier"),
                EmployeeNumber = r.Value<string>("EmployeeNumber"),
                LastLoginDate = DateValue(r["LastLoginDate"]),
            };
        }

        internal static SfGroup ToGroup(JObject r) => new SfGroup
        {
            Id = r.Value<string>("Id"),
            Name = r.Value<string>("Name"),
            DeveloperName = r.Value<string>("DeveloperName"),
            Type = r.Value<string>("Type"),
            Description = r.Value<string>("Description"),
            DoesIncludeBosses = r.Value<bool?>("DoesIncludeBosses") ?? false,
        };

        internal static SfPermissionSet ToPermissionSet(JObject r) => new SfPermissionSet
        {
            Id = r.Value<string>("Id"),
            Name = r.Value<string>("Name"),
            Label = r.Value<string>("Label"),
            Description = r.Value<string>("Description"),
            IsOwnedByProfile = r.Value<bool?>("IsOwnedByProfile") ?? false,
            IsCustom = r.Value<bool?>("IsCustom"),
            Type = r.Value<string>("Type"),
        };

        internal static SfContact ToContact(JObject r) => new SfContact
        {
            Id = r.Value<string>("Id"),
            FirstName = r.Value<string>("FirstName"),
            LastName = r.Value<string>("LastName"),
            Name = r.Value<string>("Name"),
            Email = r.Value<string>("Email"),
            Phone = r.Value<string>("Phone"),
            MobilePhone = r.Value<string>("MobilePhone"),
            Title = r.Value<string>("Title"),
            Department = r.Value<string>("Department"),
            AccountId = r.Value<string>("AccountId"),
            AccountName = (r["Account"] as JObject)?.Value<string>("Name"),
            LeadSource = r.Value<string>("LeadSource"),
        };

        internal static SfLead ToLead(JObject r) => new SfLead
        {
            Id = r.Value<string>("Id"),
            FirstName = r.Value<string>("FirstName"),
            LastName = r.Value<string>("LastName"),
            Name = r.Value<string>("Name"),
            Email = r.Value<string>("Email"),
            Phone = r.Value<string>("Phone"),
            MobilePhone = r.Value<string>("MobilePhone"),
            Title = r.Value<string>("Title"),
            Company = r.Value<string>("Company"),
            Status = r.Value<string>("Status"),
            LeadSource = r.Value<string>("LeadSource"),
            IsConverted = r.Value<bool?>("IsConverted") ?? false,
            ConvertedContactId = r.Value<string>("ConvertedContactId"),
        };

        /// <summary>Salesforce datetimes (<c>2024-05-01T10:00:00.000+0000</c>), whether or not the JSON reader already parsed them.</summary>
        internal static DateTimeOffset? DateValue(JToken token)
        {
            if (token == null || token.Type == JTokenType.Null) return null;
            if (token.Type == JTokenType.Date)
            {
                object value = ((JValue)token).Value;
                if (value is DateTimeOffset offset) return offset;
                return new DateTimeOffset(DateTime.SpecifyKind((DateTime)value, DateTimeKind.Utc));
            }
            string text = token.ToString();
            // +0000 → +00:00, which every .NET parser accepts.
            if (text.Length > 5 && (text[text.Length - 5] == '+' || text[text.Length - 5] == '-') && text.IndexOf('T') > 0)
                text = text.Substring(0, text.Length - 2) + ":" + text.Substring(text.Length - 2);
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed) ? parsed : (DateTimeOffset?)null;
        }
    }
}
