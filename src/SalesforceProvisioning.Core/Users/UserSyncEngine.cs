using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RestSharp;

namespace SalesforceProvisioning
{
    /// <summary>
    /// Runs a user sync window by window: read the org once (<see cref="PrepareAsync"/>), then for each
    /// window match by Username in a few composite reads (<see cref="PlanAsync"/>) and write the changes in
    /// composite collections, reconciling creates whose outcome was unknown (<see cref="ExecuteAsync"/>).
    /// Every source user ends with exactly one result.
    /// </summary>
    public sealed partial class UserSyncEngine : ISyncEngine
    {
        /// <summary>Rounds of re-sending records that failed transiently or need reconciling.</summary>
        private const int MaxWriteRounds = 4;
        private const int UsernamesPerQuery = 400;
        private const int ScanRecordsPerCall = CompositeReader.QueriesPerComposite * 2000;

        private static readonly string[] BaseUserFields = { "Id", "Username", "IsActive", "UserType", "ProfileId", "ContactId" };
        private static readonly string[] LocaleKeys = { "TimeZoneSidKey", "LocaleSidKey", "EmailEncodingKey", "LanguageLocaleKey" };

        private readonly SfProvisioningConnection _connection;
        private readonly SalesforceClient _client;
        private readonly SfAttributeMap _map;
        private readonly UserSyncPolicy _policy;
        private readonly CompositeReader _reader;
        private readonly CompositeWriter _writer;
        private readonly Dictionary<string, int> _seenUsernames = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, int> _seenUserIds = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly HashSet<string> _frozenUserIds = new HashSet<string>(StringComparer.Ordinal);
        private CompactRecordIndex _scannedUsers;
        private readonly AccessCatalog _access = new AccessCatalog();
        private readonly CommunityLinker _community;
        private long _byNameCallsSpent;
        private long _inputsRead;
        private long _orgUserCount;
        private string _selectFields;
        private List<string> _selectFieldList;

        public UserSyncEngine(SfProvisioningConnection connection, SfAttributeMap map, UserSyncPolicy policy, int maxConcurrentRequests = CompositeWriter.DefaultMaxInFlight)
        {
            _connection = connection;
            _client = connection.Client;
            _map = map;
            _policy = policy;
            _reader = new CompositeReader(_client);
            _writer = new CompositeWriter(_client, maxConcurrentRequests);
            if (connection.Target == SfTarget.Communities)
                _community = new CommunityLinker(_client, _reader, _writer, connection.AccountId, connection.RetryBaseDelay);
        }

        public UserOrgContext Org { get; private set; }

        /// <summary>
        /// How many inputs the caller expects to plan in all, counting those planned already (a rule's last
        /// known scope size); 0 when unknown. The matcher then reads the whole org at once when querying by
        /// key for the expected input would cost more calls.
        /// </summary>
        public long ExpectedInputs { get; set; }

        /// <summary>How the run matched users: by scanning the org once, or by Username queries per window.</summary>
        public string MatchingStrategy => _scannedUsers != null ? "scan" : "by-username";

        /// <summary>
        /// Reads the User describe, profiles, the user count, frozen logins and locale defaults in one
        /// composite request, and refuses a map that names fields the org does not have.
        /// </summary>
        public async Task PrepareAsync(CancellationToken ct)
        {
            // Known from the token's identity URL without a call of its own (one identity call for a supplied access token).
            string me = await _client.GetUserIdAsync(ct).ConfigureAwait(false);
            var subrequests = new JArray
            {
                Get("describe", _client.DataPath("sobjects/User/describe")),
                Get("profiles", Query("SELECT Id, Name, UserType, UserLicenseId, UserLicense.Name, UserLicense.TotalLicenses, UserLicense.UsedLicenses FROM Profile ORDER BY Name")),
                Get("count", Query("SELECT COUNT() FROM User")),
                Get("frozen", Query("SELECT UserId FROM UserLogin WHERE IsFrozen = true")),
                Get("permissionSets", Query("SELECT Id, Name, Label, IsOwnedByProfile FROM PermissionSet")),
            };
            if (me != null) subrequests.Add(Get("me", Query($"SELECT {string.Join(", ", LocaleKeys)} FROM User WHERE Id = {Soql.Literal(me)}")));
            var body = new JObject { ["allOrNone"] = false, ["compositeRequest"] = subrequests };
            var answer = await _client.SendAsync(Method.Post, _client.DataPath("composite"), body, repeatable: true, ct).ConfigureAwait(false);
            var responses = ((JArray)answer["compositeResponse"]).Cast<JObject>().ToDictionary(r => r.Value<string>("referenceId"));

            var describe = SObjectDescribe.FromJson(Body<JObject>(responses["describe"]));
            var profileRows = await AllRecordsAsync(responses["profiles"], ct).ConfigureAwait(false);
            _licences.AddUserLicencesOf(profileRows);
            var profiles = profileRows
                .Select(p => new SfProfile(p.Value<string>("Id"), p.Value<string>("Name"), p.Value<string>("UserType"), p.Value<string>("UserLicenseId")));
            _orgUserCount = Body<JObject>(responses["count"]).Value<long>("totalSize");
            _access.AddPermissionSets(await AllRecordsAsync(responses["permissionSets"], ct).ConfigureAwait(false));
            foreach (JObject login in await AllRecordsAsync(responses["frozen"], ct).ConfigureAwait(false))
                _frozenUserIds.Add(UserOrgContext.Id15(login.Value<string>("UserId")));

            var locale = new Dictionary<string, string>();
            if (responses.TryGetValue("me", out JObject meResponse))
            {
                JObject meRecord = (await AllRecordsAsync(meResponse, ct).ConfigureAwait(false)).FirstOrDefault();
                foreach (string key in LocaleKeys) locale[key] = meRecord?.Value<string>(key);
            }
            foreach (string key in LocaleKeys)
            {
                object configured = _map[key]?.Default;
                if (configured != null) locale[key] = Convert.ToString(configured, System.Globalization.CultureInfo.InvariantCulture);
            }
            Org = new UserOrgContext(describe, profiles, locale);
            ValidateMap();
            if (_community != null) await _community.ValidateDefaultAccountAsync(ct).ConfigureAwait(false);
            await ResumeBulkJobsAsync(ct).ConfigureAwait(false);
        }

        private void ValidateMap()
        {
            if (_map.IsBuiltIn) _map.RemoveWhere(m => !SfAttributeMap.IsPseudoField(m.Field) && Org.UserDescribe.Field(m.Field) == null);
            foreach (SfFieldMapping mapping in _map.Mappings.Where(m => !SfAttributeMap.IsPseudoField(m.Field)))
            {
                FieldInfo field = Org.UserDescribe.Field(mapping.Field);
                if (field == null)
                    throw new SalesforceConfigurationException("AttributeMap", $"The attribute map names '{mapping.Field}', which is not a field of User in this org (did you mean '{Org.UserDescribe.Suggest(mapping.Field)}'?).", "Fix the field name in the map; Salesforce API names are case-insensitive but must exist, custom fields end in __c.");
                if (!field.Createable && !field.Updateable)
                    throw new SalesforceConfigurationException("AttributeMap", $"The attribute map writes '{field.Name}', which Salesforce computes and never accepts.", $"Remove {field.Name} from the map.");
            }
            if (_map.DefaultProfile != null && Org.FindProfile(_map.DefaultProfile) == null)
                throw new SalesforceConfigurationException("Profile", $"The default profile '{_map.DefaultProfile}' does not exist in this org.", "Use a profile name or Id from the org (Get-SfProfile lists them), for example 'Standard User'.");
            var fields = new HashSet<string>(BaseUserFields, StringComparer.OrdinalIgnoreCase);
            foreach (SfFieldMapping mapping in _map.Mappings.Where(m => !SfAttributeMap.IsPseudoField(m.Field))) fields.Add(Org.UserDescribe.Field(mapping.Field).Name);
            foreach (string field in ValidateMatching()) fields.Add(field);
            _selectFieldList = fields.ToList();
            _selectFields = string.Join(", ", fields);
        }

        async Task<IReadOnlyList<ISyncPlan>> ISyncEngine.PlanWindowAsync(IReadOnlyList<SourceUser> window, CancellationToken ct)
            => await PlanAsync(window, ct).ConfigureAwait(false);

        Task ISyncEngine.ExecuteAsync(IReadOnlyList<ISyncPlan> plans, List<SfUserSyncResult> results, CancellationToken ct)
            => ExecuteAsync(plans.Cast<UserPlan>().ToList(), results, ct);

        /// <summary>Write plans carried over from earlier windows, in input order, until they fill a whole call.</summary>
        private readonly List<UserPlan> _carried = new List<UserPlan>();

        /// <summary>Users whose writes are carried to a later window, not yet written.</summary>
        public int CarriedCount => _carried.Count;

        /// <summary>Matches a window of source users to Salesforce users and plans each one's change.</summary>
        public async Task<List<UserPlan>> PlanAsync(IReadOnlyList<SourceUser> window, CancellationToken ct)
        {
            var plans = new List<UserPlan>(window.Count);
            var toMatch = new List<SourceUser>();
            var duplicates = new Dictionary<SourceUser, int>();
            foreach (SourceUser source in window)
            {
                string username = source.Username;
                if (string.IsNullOrEmpty(username)) continue;
                // Too long to be anyone's Username: never put in the shared query; the planner fails it alone.
                if (QueryValues.LengthProblem(Org.UserDescribe.Field("Username"), username) != null) continue;
                if (_seenUsernames.TryGetValue(username, out int first)) duplicates[source] = first;
                else
                {
                    _seenUsernames[username] = source.Index;
                    toMatch.Add(source);
                }
            }

            IUserLookup users = await ReadWindowAsync(toMatch, ct).ConfigureAwait(false);
            var matches = toMatch.ToDictionary(s => s, s => UserMatcher.Match(s, users, _matchBy, _alsoUnique));
            var creates = matches.Where(m => m.Value.Record == null && m.Value.Problem == null).Select(m => m.Key.KeyValue(Org.Managers.KeyField)).Where(k => k != null).ToList();
            Org.Managers.ExpectCreates(creates);
            WaitForManagersNowExpected(creates);
            foreach (SourceUser source in window)
            {
                if (duplicates.TryGetValue(source, out int firstIndex))
                {
                    plans.Add(Refused(source, "DuplicateInput", $"The Username '{source.Username}' appears more than once in the input (first at position {firstIndex}); only the first is synced.", "Remove the duplicate from the source, or map Username to a property that is unique."));
                    continue;
                }
                UserMatch match = null;
                if (source.Username != null) matches.TryGetValue(source, out match);
                if (match?.Problem != null)
                {
                    plans.Add(Refused(source, match.ErrorCode, match.Problem, match.Remedy));
                    continue;
                }
                string matchedId = match?.Record?.Text("Id");
                string matchedId15 = matchedId == null ? null : UserOrgContext.Id15(matchedId);
                if (matchedId15 != null && _seenUserIds.TryGetValue(matchedId15, out int sameUser))
                {
                    plans.Add(Refused(source, "DuplicateInput", $"This input matches the same Salesforce user ({match.Record.Text("Username")}, by {match.MatchedBy}) as input {sameUser}; only the first is synced.", "Remove the duplicate from the source, or correct its keys."));
                    continue;
                }
                if (matchedId15 != null) _seenUserIds[matchedId15] = source.Index;
                plans.Add(UserPlanner.Plan(source, ToExisting(match?.Record, match?.MatchedBy), Org, _map, _policy));
                if (_resumedJobs.Count > 0) TakeResumedJobResult(plans[plans.Count - 1]);
            }
            if (_community != null) await _community.PlanAsync(plans, Org, ct).ConfigureAwait(false);
            await PlanAccessAsync(plans, ct).ConfigureAwait(false);
            if (_community != null) CommunityLinker.RefuseWritesToUnlinked(plans);
            foreach (UserPlan plan in plans) _licences.Plan(plan, Org);
            CountPlannedUserWrites(plans);
            return plans;
        }

        /// <summary>Permission sets and public groups from the users' source lists, read in chunked queries.</summary>
        private async Task PlanAccessAsync(List<UserPlan> plans, CancellationToken ct)
        {
            LifecycleDecision membership = LifecyclePolicy.ForMembership(_connection.Target);
            var withAccess = plans.Where(p => p.Action != SfSyncAction.Failed && p.Action != SfSyncAction.Skipped && (p.Source.PermissionSets != null || p.Source.Groups != null || HasLicensedAccess(p))).ToList();
            if (membership.IsSkip)
            {
                foreach (UserPlan plan in withAccess.Where(p => p.Source.Groups != null))
                    plan.Message = Join(plan.Message, "Groups not synced: " + membership.Reason);
            }
            bool SyncsGroups(UserPlan p) => p.Source.Groups != null && !membership.IsSkip;
            withAccess = withAccess.Where(p => p.Source.PermissionSets != null || SyncsGroups(p) || HasLicensedAccess(p)).ToList();
            if (withAccess.Count == 0) return;
            if (!_access.GroupsLoaded && withAccess.Any(SyncsGroups))
            {
                var groups = new List<JObject>();
                await _reader.ScanAsync("SELECT Id, Name, DeveloperName FROM Group WHERE Type = 'Regular'", page => groups.AddRange(page), ct).ConfigureAwait(false);
                _access.AddGroups(groups);
            }
            var statements = new List<string>();
            var existingIds = withAccess.Where(p => p.UserId != null && (p.Source.PermissionSets != null || p.Source.PermissionSetGroups != null)).Select(p => p.UserId).ToList();
            var assignmentStatements = Soql.ChunkedInQueries(AssignmentSelect + " AND AssigneeId IN", existingIds).ToList();
            double listedPerUser = withAccess.Where(p => p.UserId != null).Select(p => (p.Source.PermissionSets?.Count ?? 0) + (p.Source.PermissionSetGroups?.Count ?? 0)).DefaultIfEmpty(0).Average();
            if (existingIds.Count > 0 && _runAssignments == null && ScanAssignmentsNow(assignmentStatements.Count, plans.Count, listedPerUser))
            {
                var all = new List<JObject>();
                await _reader.ScanAsync(AssignmentSelect, page => all.AddRange(page), ct).ConfigureAwait(false);
                _runAssignments = all.ToLookup(r => UserOrgContext.Id15(r.Value<string>("AssigneeId")));
            }
            if (_runAssignments == null)
            {
                statements.AddRange(assignmentStatements);
                _assignmentCallsSpent += (assignmentStatements.Count + CompositeReader.QueriesPerComposite - 1) / CompositeReader.QueriesPerComposite;
            }
            var licensedIds = withAccess.Where(p => p.UserId != null && p.Source.PermissionSetLicenses != null).Select(p => p.UserId).ToList();
            statements.AddRange(Soql.ChunkedInQueries("SELECT Id, AssigneeId, PermissionSetLicenseId FROM PermissionSetLicenseAssign WHERE AssigneeId IN", licensedIds));
            var memberIds = withAccess.Where(p => p.UserId != null && SyncsGroups(p)).Select(p => p.UserId).ToList();
            statements.AddRange(Soql.ChunkedInQueries("SELECT Id, GroupId, UserOrGroupId FROM GroupMember WHERE Group.Type = 'Regular' AND UserOrGroupId IN", memberIds));
            // How many assignments the org holds rides along in a free slot of the window's last composite
            // (no call of its own): it tells later windows what reading them all at once would cost.
            if (_assignmentCount == null && assignmentStatements.Count > 0 && _runAssignments == null && statements.Count % CompositeReader.QueriesPerComposite != 0)
                statements.Add("SELECT COUNT(Id) assignmentCount FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false");
            var rows = statements.Count == 0 ? new List<JObject>() : await _reader.QueryManyAsync(statements, ct).ConfigureAwait(false);
            JObject counted = rows.FirstOrDefault(r => r["assignmentCount"] != null);
            if (counted != null) _assignmentCount = counted.Value<long>("assignmentCount");
            var assignments = _runAssignments ?? rows.Where(r => r["AssigneeId"] != null && r["PermissionSetLicenseId"] == null).ToLookup(r => UserOrgContext.Id15(r.Value<string>("AssigneeId")));
            var licenceAssignments = rows.Where(r => r["PermissionSetLicenseId"] != null).ToLookup(r => UserOrgContext.Id15(r.Value<string>("AssigneeId")));
            var memberships = rows.Where(r => r["UserOrGroupId"] != null).ToLookup(r => UserOrgContext.Id15(r.Value<string>("UserOrGroupId")));

            foreach (UserPlan plan in withAccess)
            {
                string key = plan.UserId == null ? "" : UserOrgContext.Id15(plan.UserId);
                var changes = new List<AccessChange>();
                Expiry expiry = Expiry.Of(plan.Source);
                string problem = plan.Source.PermissionSets == null ? null
                    : _access.PlanPermissionSets(plan.Source.PermissionSets, assignments[key].ToList(), _policy.PermissionSetManagement, changes, expiry);
                if (problem != null)
                {
                    plan.Fail("UnknownPermissionSet", problem, "Use the permission set's API name or label as Get-SfPermissionSet shows it; profile-owned sets come with the profile.");
                    continue;
                }
                if (!PlanLicensedAccess(plan, assignments[key].ToList(), licenceAssignments[key].ToList(), expiry, changes)) continue;
                string groupCode = null;
                problem = !SyncsGroups(plan) ? null : _access.PlanGroups(plan.Source.Groups, memberships[key].ToList(), _policy.GroupMembership, changes, out groupCode);
                if (problem != null)
                {
                    plan.Fail(groupCode ?? "UnknownGroup", problem, "Use the public group's name as Get-SfGroup shows it, or sync the group first (Sync-SfGroup).");
                    continue;
                }
                if (changes.Count == 0) continue;
                LifecycleDecision access = LifecyclePolicy.ForAccess(_policy, newUser: plan.Create != null);
                if (access.IsSkip)
                {
                    if (plan.Action == SfSyncAction.Unchanged) plan.Skip(access.Reason, access.Remedy);
                    else plan.Message = Join(plan.Message, "Access not changed: " + access.Reason);
                    continue;
                }
                plan.Access.AddRange(changes);
                if (changes.Any(c => c.Kind == AccessKind.PermissionSet)) plan.ChangedFields.Add(SfAttributeMap.PermissionSetsField);
                if (changes.Any(c => c.Kind == AccessKind.Group)) plan.ChangedFields.Add(SfAttributeMap.GroupsField);
                if (changes.Any(c => c.Kind == AccessKind.PermissionSetGroup)) plan.ChangedFields.Add(SfAttributeMap.PermissionSetGroupsField);
                if (changes.Any(c => c.Kind == AccessKind.PermissionSetLicense)) plan.ChangedFields.Add(SfAttributeMap.PermissionSetLicensesField);
                if (plan.Action == SfSyncAction.Unchanged) plan.Action = SfSyncAction.Updated;
            }
        }

        private const string AssignmentSelect = "SELECT Id, AssigneeId, PermissionSetId, PermissionSetGroupId, ExpirationDate FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false";

        /// <summary>Every permission set assignment of the org, read once for the run when that costs fewer calls than reading them window by window.</summary>
        private ILookup<string, JObject> _runAssignments;
        /// <summary>How many non-profile assignments the org holds (learnt with the first window's read); null: not known yet.</summary>
        private long? _assignmentCount;
        private long _assignmentCallsSpent;

        /// <summary>
        /// Whether to read every assignment of the org now instead of this window's users' (as the matcher
        /// decides for users): when the scan would cost no more calls than the windows read so far, this one
        /// and those still expected, priced like this one. The scan's price is the org's count once known;
        /// before that, for a run expected to cover at least half the org's users, the org's users times what
        /// this window's inputs list (a window's own read returns its users' assignments however many they
        /// hold, so only the other users' can make the scan dearer than the windows).
        /// </summary>
        private bool ScanAssignmentsNow(int windowStatements, int windowInputs, double listedPerUser)
        {
            long assignments;
            if (_assignmentCount != null) assignments = _assignmentCount.Value;
            else if (ExpectedInputs > 0 && ExpectedInputs * 2 >= _orgUserCount) assignments = (long)Math.Ceiling(_orgUserCount * listedPerUser);
            else return false;
            long scanCalls = Math.Max(1, (assignments + ScanRecordsPerCall - 1) / ScanRecordsPerCall);
            long windowCalls = (windowStatements + CompositeReader.QueriesPerComposite - 1) / CompositeReader.QueriesPerComposite;
            long expectedLater = Math.Max(0, ExpectedInputs - _inputsRead);
            long laterCalls = windowInputs == 0 ? 0 : (windowCalls * expectedLater + windowInputs - 1) / windowInputs;
            return scanCalls <= _assignmentCallsSpent + windowCalls + laterCalls;
        }

        private static string Join(string first, string second) => string.IsNullOrEmpty(first) ? second : first + " " + second;

        private ExistingUser ToExisting(UserRecord record, string matchedBy = null)
        {
            if (record == null) return null;
            return new ExistingUser(record) { IsFrozen = _frozenUserIds.Contains(UserOrgContext.Id15(record.Text("Id"))), MatchedBy = matchedBy ?? "Username" };
        }

        /// <summary>A source user refused before planning (duplicate input, a key conflict), with one failed result.</summary>
        private UserPlan Refused(SourceUser source, string code, string problem, string remedy)
        {
            var plan = UserPlanner.Plan(source, null, Org, _map, _policy);
            if (plan.Action != SfSyncAction.Failed) plan.Fail(code, problem, remedy);
            return plan;
        }

        /// <summary>
        /// Reads the window's users by each key it matches or checks them by (Username, -MatchBy fields, a
        /// written FederationIdentifier) and its managers' keys not known yet: chunked IN queries packed into
        /// composite calls, or, once querying would have cost as much, one scan of all users for the run.
        /// </summary>
        private async Task<IUserLookup> ReadWindowAsync(IReadOnlyList<SourceUser> sources, CancellationToken ct)
        {
            var values = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (string field in _lookupFields)
                values[field] = sources.Select(s => s.KeyValue(field)).Where(v => v != null).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            List<string> managers = Org.Managers.Unknown(sources.Select(s => s.KeyValue("ManagerId")).Where(v => v != null));
            if (!values.TryGetValue(Org.Managers.KeyField, out List<string> managerValues)) values[Org.Managers.KeyField] = managerValues = new List<string>();
            managerValues.AddRange(managers.Where(m => !managerValues.Contains(m, StringComparer.OrdinalIgnoreCase)));

            IUserLookup users = _scannedUsers;
            List<string> resolving = ResolvingStatements(sources);
            if (users == null && values.Values.Any(v => v.Count > 0))
            {
                var statements = resolving.Concat(values.SelectMany(v => Soql.ChunkedInQueries($"SELECT {_selectFields} FROM User WHERE {v.Key} IN", v.Value, maxValuesPerQuery: UsernamesPerQuery))).ToList();
                long windowCalls = (statements.Count + CompositeReader.QueriesPerComposite - 1) / CompositeReader.QueriesPerComposite;
                // A scan cannot carry the run's resolving reads; they would cost a call of their own.
                long scanCalls = ScanCalls(ScanPath()) + (resolving.Count > 0 ? 1 : 0);
                // The inputs still expected after this window would cost about as much per input as this one.
                long expectedLater = Math.Max(0, ExpectedInputs - _inputsRead - sources.Count);
                long laterCalls = sources.Count == 0 ? 0 : (windowCalls * expectedLater + sources.Count - 1) / sources.Count;
                // Read every user once as soon as querying by key would cost as many calls, for the input
                // seen so far plus the input still expected. Without an expectation this is the ski-rental
                // rule: never more than twice the cheaper of the two, whatever the input size.
                if (scanCalls <= _byNameCallsSpent + windowCalls + laterCalls)
                {
                    await ScanUsersAsync(ct).ConfigureAwait(false);
                    users = _scannedUsers;
                }
                else
                {
                    _byNameCallsSpent += windowCalls;
                    var rows = await _reader.QueryManyAsync(statements, ct).ConfigureAwait(false);
                    users = new WindowUsers(TakeResolvingAnswers(rows).Select(StripAttributes).ToList(), values.Keys);
                    resolving.Clear();
                }
            }
            _inputsRead += sources.Count;
            if (resolving.Count > 0) TakeResolvingAnswers(await _reader.QueryManyAsync(resolving, ct).ConfigureAwait(false));
            users = users ?? new WindowUsers(Array.Empty<JObject>(), values.Keys);
            Org.Managers.Learn(managers, key => users.Find(Org.Managers.KeyField, key));
            return users;
        }

        private async Task ScanUsersAsync(CancellationToken ct)
        {
            _scannedUsers = NewScanIndex();
            _scanPath = ScanPath();
            if (_scanPath.IsBulk)
            {
                try
                {
                    await ScanThroughQueryJobAsync($"SELECT {_selectFields} FROM User", ct).ConfigureAwait(false);
                    return;
                }
                catch (SalesforceException ex) when (!ex.NeedsPerson && !ct.IsCancellationRequested)
                {
                    // A read changes nothing: the composite reads still give the same users.
                    _scanPath = new ReadPathDecision(false, $"the Bulk API 2.0 query job failed ({ex.Message}), so the users were read through composite reads.");
                    _scannedUsers = NewScanIndex();
                }
            }
            await _reader.ScanRecordsAsync($"SELECT {_selectFields} FROM User", _scannedUsers.Add, ct).ConfigureAwait(false);
        }

        private CompactRecordIndex NewScanIndex() => new CompactRecordIndex(_selectFieldList, "Username", _lookupFields.Append(Org.Managers.KeyField));

        private List<string> UsernameQueries(IReadOnlyList<string> usernames)
            => Soql.ChunkedInQueries($"SELECT {_selectFields} FROM User WHERE Username IN", usernames, maxValuesPerQuery: UsernamesPerQuery).ToList();

        private async Task<List<JObject>> ReadUsersByNameAsync(IReadOnlyList<string> usernames, CancellationToken ct)
        {
            if (usernames.Count == 0) return new List<JObject>();
            var statements = UsernameQueries(usernames);
            return (await _reader.QueryManyAsync(statements, ct).ConfigureAwait(false)).Select(StripAttributes).ToList();
        }

        /// <summary>
        /// Carries out the plans that are writes (declined ones were already turned into skips by the caller)
        /// and returns one result per plan, in input order. A failure a person must fix (API limit, revoked
        /// credentials) is rethrown after every plan has its result in <paramref name="results"/>.
        /// </summary>
        /// <remarks>
        /// Writes are carried across windows: plans that need no write get their result at once; write plans
        /// go out in whole counted calls (1,000 records each), so sparse changes cost one call per 1,000
        /// records, not one per window. When the run is sure to write through composite collections, each
        /// batch of whole calls is sent as soon as it is full and stays in flight while later windows are
        /// planned (<see cref="WriteSchedule"/>); its results come with a later window's. Otherwise (Auto
        /// with an input of unknown size, Bulk API runs) they wait for the bulk decision or a job's worth, and
        /// the rest until <see cref="FinishAsync"/> at the end of the input. Communities carry their writes too,
        /// contacts with their users (<see cref="CommunityPlansReadyToWrite"/>), but never in flight.
        /// </remarks>
        public async Task ExecuteAsync(IReadOnlyList<UserPlan> plans, List<SfUserSyncResult> results, CancellationToken ct)
        {
            _inputsGiven += plans.Count;
            foreach (UserPlan plan in plans)
            {
                if (plan.Action != SfSyncAction.Failed && plan.IsWrite) Carry(plan);
                else
                {
                    _licences.Settle(plan);
                    ResultGiven(plan);
                    results.Add(plan.ToResult(whatIf: false));
                }
            }
            // Batches answered meanwhile give their results now (a stop in one fails this window's writes too:
            // never sent), and nothing more is sent before the caller has recorded them.
            var answered = _inFlight.Where(b => b.Writing.IsCompleted).ToList();
            await CollectAsync(answered, results, failCarriedOnStop: true).ConfigureAwait(false);
            if (SendsAsCallsFill)
            {
                if (answered.Count == 0) await SendWholeCallsAsync(results, ct).ConfigureAwait(false);
                return;
            }
            int ready = _community != null ? CommunityPlansReadyToWrite() : PlansReadyToWrite();
            if (ready > 0) await WriteCarriedAsync(ready, results, ct).ConfigureAwait(false);
        }

        /// <summary>Writes everything still carried (the end of the input) and adds their results, and those of the batches in flight.</summary>
        public async Task FinishAsync(List<SfUserSyncResult> results, CancellationToken ct)
        {
            await CollectAsync(_inFlight.ToList(), results, failCarriedOnStop: true).ConfigureAwait(false);
            if (_carried.Count > 0) await WriteCarriedAsync(_carried.Count, results, ct).ConfigureAwait(false);
        }

        /// <summary>Writes the first carried plans now and waits for them (the batches in flight first).</summary>
        private async Task WriteCarriedAsync(int count, List<SfUserSyncResult> results, CancellationToken ct)
        {
            await CollectAsync(_inFlight.ToList(), results, failCarriedOnStop: true).ConfigureAwait(false);
            var batch = _carried.GetRange(0, count);
            _carried.RemoveRange(0, count);
            _carried.InsertRange(0, HoldBackReportsOfCarriedManagers(batch, _carried));
            SalesforceException stop = null;
            try
            {
                stop = await WriteBatchAsync(batch, TakeWrittenReports(batch), null, ct).ConfigureAwait(false);
            }
            finally
            {
                GiveResults(batch, stop, results);
            }
            if (stop == null) return;
            // The run ends here: the plans still carried were never sent, and say so.
            FailCarried(stop, results);
            throw stop;
        }

        private static void FailUnwritten(UserPlan plan, SalesforceException stop)
        {
            if (plan.LeftInBulkJob != null)
            {
                plan.Fail(BulkIngest.JobLeftRunningCode, plan.LeftInBulkJob, BulkIngest.JobLeftRunningRemedy);
                return;
            }
            if (plan.OnlyAccess && plan.Access.Count > 0)
            {
                FailAccessUnsent(plan, stop); // nothing of the user itself to write: what became of its access
                return;
            }
            // An answer was lost on the way: Salesforce may have done it, so it is not confirmed, never a definite failure.
            if (plan.AnswerLost) plan.FailNotConfirmed(NotConfirmed.Message(stop));
            else plan.Fail(NotSent.Code(stop), NotSent.Message(stop), NotSent.Remedy(stop)); // never sent (still carried, or kept back by the stop)
        }

        /// <summary>
        /// A user written whose access changes were never sent or answered (a stop in a later round, Ctrl+C):
        /// never reported done, so the rule records no fingerprint and the next run sends the access.
        /// </summary>
        private static void FailAccessUnsent(UserPlan plan, SalesforceException stop)
        {
            string why = stop?.Message ?? "the run was stopped (Ctrl+C or a stop signal) before they were sent.";
            // Ctrl+C or a stop signal (met while waiting, or as a stop of the access writes): the changes are NotSent.
            string code = stop == null || stop.Failure == SalesforceFailure.Stopped ? CompositeWriter.NotSentCode : stop.Failure.ToString();
            if (plan.OnlyAccess && !plan.AccessMayBeWritten)
            {
                // Only access to write, and none of it sent: nothing of this user was written.
                plan.Fail(code, $"Nothing was written for this user: its access changes ({string.Join(", ", plan.Access)}) were not sent: {why} The next run sends them.",
                    code == CompositeWriter.NotSentCode ? Remedies.For(code) : stop.Remedy);
                return;
            }
            string kinds = string.Join(", ", plan.Access.Select(a => a.Kind).Distinct());
            string written = plan.OnlyAccess ? "Part of the user's access changes were written (or may have been)" : $"The user {WrittenAs(plan)}";
            plan.FailAfterWrite(code, $"{written}, but its access ({kinds}) was not written in full: {why} The next run writes it.",
                stop?.Remedy ?? "Run the same sync again: the user is found as it is and only its access is written.");
        }

        private static string WrittenAs(UserPlan plan)
            => plan.Action == SfSyncAction.Created ? "was created" : plan.Action == SfSyncAction.Updated ? "was updated" : "was synced";

        /// <summary>
        /// Writes a batch: logins to freeze found, community contacts, the users in manager order, then their
        /// access. Returns the failure a person must fix that stopped it (the plans' states say what was done);
        /// a stop (Ctrl+C) is thrown. <paramref name="reports"/>: reports written earlier without ManagerId, by
        /// the key of the manager this batch may create. <paramref name="sent"/>: the batch in flight it is (null
        /// when written before the next window is planned).
        /// </summary>
        private async Task<SalesforceException> WriteBatchAsync(IReadOnlyList<UserPlan> plans, Dictionary<string, List<WrittenReport>> reports, SentBatch sent, CancellationToken ct)
        {
            try
            {
                await FindUserLoginsAsync(plans.Where(p => p.Freeze.HasValue && p.UserLoginId == null).ToList(), ct).ConfigureAwait(false);
                if (_community != null)
                {
                    SalesforceException contactsStopped = await _community.CreateContactsAsync(plans, ct).ConfigureAwait(false);
                    if (contactsStopped != null) return contactsStopped;
                }
                SalesforceException stop = await WriteUsersInManagerOrderAsync(plans.Where(p => p.IsWrite).ToList(), reports, sent, ct).ConfigureAwait(false);
                return stop ?? await WriteAccessAsync(plans, ct).ConfigureAwait(false);
            }
            catch (SalesforceException ex)
            {
                return ex;
            }
        }

        /// <summary>One result per plan of a written batch: what was not confirmed says so.</summary>
        private void GiveResults(IReadOnlyList<UserPlan> plans, SalesforceException stop, List<SfUserSyncResult> results)
        {
            foreach (UserPlan plan in plans)
            {
                if (plan.Action != SfSyncAction.Failed && plan.IsWrite && !plan.Written) FailUnwritten(plan, stop);
                else if (plan.Action != SfSyncAction.Failed && plan.Access.Count > 0 && !plan.AccessAnswered) FailAccessUnsent(plan, stop);
                _licences.Settle(plan);
                ResultGiven(plan);
                results.Add(plan.ToResult(whatIf: false));
            }
        }

        /// <summary>
        /// Writes the users' records in rounds, re-sending transient failures and reconciling creates in doubt. A
        /// batch in flight (<paramref name="sent"/>) sends its first round alone; the records to send again wait
        /// to go out with those of the other batches in flight (<see cref="PoolRetriesAsync"/>).
        /// </summary>
        private async Task<SalesforceException> WriteUsersAsync(IReadOnlyList<UserPlan> plans, SentBatch sent, CancellationToken ct)
        {
            var pending = plans.SelectMany(WritesOf).ToList();
            if (sent == null) return (await WriteRoundsAsync(pending, 0, MaxWriteRounds, ct).ConfigureAwait(false)).Stop;
            var (stop, again) = await WriteRoundsAsync(pending, 0, 1, ct).ConfigureAwait(false);
            if (stop != null || again.Count == 0) return stop;
            return await PoolRetriesAsync(sent, again).ConfigureAwait(false);
        }

        /// <summary>
        /// Rounds <paramref name="fromRound"/> to <paramref name="toRound"/> (exclusive) of <see cref="WriteUsersAsync"/>;
        /// returns the stop that ended them and the records still to send again.
        /// </summary>
        private async Task<(SalesforceException Stop, List<RecordWrite> Again)> WriteRoundsAsync(List<RecordWrite> pending, int fromRound, int toRound, CancellationToken ct)
        {
            SalesforceException stop = null;
            for (int round = fromRound; round < toRound && pending.Count > 0; round++)
            {
                if (round > 0) await Task.Delay(TimeSpan.FromMilliseconds(_connection.RetryBaseDelay.TotalMilliseconds * round), ct).ConfigureAwait(false);
                var outcomes = new List<RecordOutcome>();
                try
                {
                    await WriteRecordsAsync(pending, outcomes, ct).ConfigureAwait(false);
                }
                catch (SalesforceException ex)
                {
                    stop = ex;
                }
                catch (OperationCanceledException)
                {
                    // Stopped: the requests already sent were answered; what they wrote counts, nothing more is sent.
                    foreach (RecordOutcome done in outcomes.Where(o => o.Success && ((UserPlan)o.Write.Tag).Action != SfSyncAction.Failed))
                        ApplySuccess(done);
                    foreach (RecordOutcome unsure in outcomes.Where(o => o.MayHaveBeenWritten)) ((UserPlan)unsure.Write.Tag).AnswerLost = true;
                    throw;
                }
                pending = await ApplyOutcomesAsync(outcomes, lastRound: stop != null || round == MaxWriteRounds - 1, ct).ConfigureAwait(false);
                if (stop != null) break;
            }
            return (stop, pending);
        }

        /// <summary>
        /// Assignments and memberships go after the user writes (a new user's Id is known only then), as
        /// setup-object collections in composite requests. Already assigned (a retried request) counts as done.
        /// </summary>
        private async Task<SalesforceException> WriteAccessAsync(IReadOnlyList<UserPlan> plans, CancellationToken ct)
        {
            var writes = new List<RecordWrite>();
            foreach (UserPlan plan in plans.Where(p => p.Action != SfSyncAction.Failed && p.Written && p.UserId != null))
                writes.AddRange(plan.Access.Select(change => AccessWrite(plan, change)));
            if (writes.Count == 0) return null;
            // A permission set licence is assigned before the sets that need it and removed after them.
            SalesforceException stopped = null;
            var outcomes = new List<RecordOutcome>();
            foreach (var phase in writes.GroupBy(AccessPhase).OrderBy(g => g.Key))
            {
                var (phaseOutcomes, phaseStopped) = await _writer.WriteWithRetriesAsync(phase.ToList(), MaxWriteRounds, _connection.RetryBaseDelay, ct).ConfigureAwait(false);
                outcomes.AddRange(phaseOutcomes);
                stopped = phaseStopped;
                if (stopped != null) break;
            }
            // Answered: every change of the plan was sent and has Salesforce's outcome. Those a stop kept from being
            // carried out (NotSent) are not: the plan's result says its access was not sent (FailAccessUnsent).
            foreach (var answered in outcomes.GroupBy(o => (((UserPlan, AccessChange))o.Write.Tag).Item1))
                if (answered.Count(o => !o.NotSent) == answered.Key.Access.Count) answered.Key.AccessAnswered = true;
            bool Holds(RecordOutcome outcome) => outcome.Success || (outcome.Write.Kind == WriteKind.Create && outcome.ErrorCode == "DUPLICATE_VALUE")
                || (outcome.Write.Kind == WriteKind.Delete && (outcome.ErrorCode == "ENTITY_IS_DELETED" || outcome.ErrorCode == "NOT_FOUND"));
            var wroteSome = new HashSet<UserPlan>(outcomes.Where(o => Holds(o) || o.OutcomeUnknown).Select(o => (((UserPlan, AccessChange))o.Write.Tag).Item1));
            foreach (RecordOutcome outcome in outcomes)
            {
                var (plan, change) = ((UserPlan, AccessChange))outcome.Write.Tag;
                bool holds = Holds(outcome);
                if (holds || outcome.OutcomeUnknown) plan.AccessMayBeWritten = true;
                if (holds || outcome.NotSent || plan.Action == SfSyncAction.Failed) continue;
                string what = change.ChangesExpiry ? "changing the end date of" : change.Add ? "adding" : "removing";
                string became = outcome.OutcomeUnknown ? "is not confirmed" : "failed";
                // Only access to write and none of it written (nor possibly written): nothing of this user's change is in Salesforce.
                if (plan.OnlyAccess && !wroteSome.Contains(plan))
                    plan.Fail(outcome.ErrorCode, $"Nothing was written for this user: {what} {change.Kind} '{change.Name}' {became}: {outcome.Message}", Remedies.For(outcome.ErrorCode));
                else
                    plan.FailAfterWrite(outcome.ErrorCode, $"The user {WrittenAs(plan)}, but {what} {change.Kind} '{change.Name}' {became}: {outcome.Message}", Remedies.For(outcome.ErrorCode));
            }
            return stopped;
        }

        private static int AccessPhase(RecordWrite write) => AccessPhase((((UserPlan, AccessChange))write.Tag).Item2);

        private static int AccessPhase(AccessChange change)
        {
            if (change.Kind != AccessKind.PermissionSetLicense) return 1;
            return change.Add ? 0 : 2;
        }

        private static string AccessType(AccessChange change)
            => change.Kind == AccessKind.Group ? "GroupMember" : change.Kind == AccessKind.PermissionSetLicense ? "PermissionSetLicenseAssign" : "PermissionSetAssignment";

        private static WriteKind AccessWriteKind(AccessChange change)
            => change.ChangesExpiry ? WriteKind.Update : change.Add ? WriteKind.Create : WriteKind.Delete;

        private static RecordWrite AccessWrite(UserPlan plan, AccessChange change)
        {
            string type = AccessType(change);
            if (change.ChangesExpiry)
            {
                var expiry = new JObject { ["Id"] = change.RecordId, ["ExpirationDate"] = change.ExpirationDate == null ? JValue.CreateNull() : new JValue(change.ExpirationDate) };
                return new RecordWrite(WriteKind.Update, type, expiry, change.RecordId, (plan, change));
            }
            if (!change.Add) return new RecordWrite(WriteKind.Delete, type, id: change.RecordId, tag: (plan, change));
            JObject record;
            switch (change.Kind)
            {
                case AccessKind.Group: record = new JObject { ["GroupId"] = change.TargetId, ["UserOrGroupId"] = plan.UserId }; break;
                case AccessKind.PermissionSetGroup: record = new JObject { ["AssigneeId"] = plan.UserId, ["PermissionSetGroupId"] = change.TargetId }; break;
                case AccessKind.PermissionSetLicense: record = new JObject { ["AssigneeId"] = plan.UserId, ["PermissionSetLicenseId"] = change.TargetId }; break;
                default: record = new JObject { ["AssigneeId"] = plan.UserId, ["PermissionSetId"] = change.TargetId }; break;
            }
            if (change.ExpirationDate != null) record["ExpirationDate"] = change.ExpirationDate;
            return new RecordWrite(WriteKind.Create, type, record, tag: (plan, change));
        }

        private IEnumerable<RecordWrite> WritesOf(UserPlan plan)
        {
            plan.OutstandingWrites = 0;
            // A packed create or update stays packed: a bulk job's CSV is read from it, a composite unpacks it.
            if (plan.PackedCreate != null) { plan.OutstandingWrites++; yield return new RecordWrite(WriteKind.Create, "User", plan.PackedCreate, tag: plan); }
            else if (plan.Create != null) { plan.OutstandingWrites++; yield return new RecordWrite(WriteKind.Create, "User", plan.Create, tag: plan); }
            if (plan.PackedUpdate != null) { plan.OutstandingWrites++; yield return new RecordWrite(WriteKind.Update, "User", plan.PackedUpdate, plan.UserId, plan); }
            else if (plan.Update != null)
            {
                var record = new JObject { ["Id"] = plan.UserId };
                foreach (var p in plan.Update.Properties()) record[p.Name] = p.Value;
                plan.OutstandingWrites++;
                yield return new RecordWrite(WriteKind.Update, "User", record, plan.UserId, plan);
            }
            if (plan.Freeze.HasValue && plan.UserLoginId != null)
            {
                plan.OutstandingWrites++;
                yield return new RecordWrite(WriteKind.Update, "UserLogin", new JObject { ["Id"] = plan.UserLoginId, ["IsFrozen"] = plan.Freeze.Value }, plan.UserLoginId, plan);
            }
            if (plan.OutstandingWrites == 0) plan.Written = true; // only access changes, written afterwards
        }

        private static void ApplySuccess(RecordOutcome outcome)
        {
            var plan = (UserPlan)outcome.Write.Tag;
            if (outcome.Write.Kind == WriteKind.Create) plan.UserId = outcome.Id;
            plan.PartWritten(outcome.Write);
            if (--plan.OutstandingWrites == 0) plan.Written = true;
        }

        /// <summary>Applies per-record outcomes to their plans; returns the writes to send again.</summary>
        private async Task<List<RecordWrite>> ApplyOutcomesAsync(List<RecordOutcome> outcomes, bool lastRound, CancellationToken ct)
        {
            var again = new List<RecordWrite>();
            var reconcile = new List<RecordOutcome>();
            // Successes first: a plan whose other write fails then says what of it was written.
            foreach (RecordOutcome outcome in outcomes.OrderBy(o => o.Success ? 0 : 1))
            {
                var plan = (UserPlan)outcome.Write.Tag;
                if (plan.Action == SfSyncAction.Failed) continue;
                if (outcome.ErrorCode == BulkIngest.JobLeftRunningCode)
                {
                    // Its job goes on in Salesforce: the next rule run reports it, so this run neither reads it back nor counts it.
                    plan.Fail(BulkIngest.JobLeftRunningCode, outcome.Message, BulkIngest.JobLeftRunningRemedy);
                    continue;
                }
                // A stop before it is confirmed (during the read-back, say) leaves it NotConfirmed, never NotSent.
                if (outcome.MayHaveBeenWritten) plan.AnswerLost = true;
                if (outcome.Success)
                {
                    ApplySuccess(outcome);
                    continue;
                }
                bool transient = CompositeWriter.TransientErrorCodes.Contains(outcome.ErrorCode) || outcome.OutcomeUnknown;
                bool create = outcome.Write.Kind == WriteKind.Create;
                // A create that met a duplicate, lost this or an earlier send's answer, or is about to be given up
                // may have gone through on an earlier (retried) request: read it back before deciding.
                if (create && (outcome.ErrorCode == "DUPLICATE_USERNAME" || outcome.MayHaveBeenWritten || (transient && lastRound)))
                    reconcile.Add(outcome);
                else if (transient && !lastRound)
                    again.Add(outcome.Write);
                else if (outcome.MayHaveBeenWritten) // an update refused after an earlier send's answer was lost may be in Salesforce
                    FailNotConfirmed(plan, outcome);
                else
                    plan.Fail(outcome.ErrorCode, outcome.Message + (outcome.Fields.Count > 0 ? $" (fields: {string.Join(", ", outcome.Fields)})" : ""), Remedies.For(outcome.ErrorCode));
            }
            if (reconcile.Count > 0) again.AddRange(await ReconcileCreatesAsync(reconcile, lastRound, ct).ConfigureAwait(false));
            return again;
        }

        /// <summary>
        /// Resolves creates in doubt by reading the users back: found in this org, the user is treated as
        /// matched (never a second user, never a false failure); not found, the create is sent again, or
        /// (for DUPLICATE_USERNAME) the username is taken in another org. Not found in the last round, a create
        /// that may have been carried out is NotConfirmed (Salesforce may commit it after this read): a definite
        /// failure only when no send of it can have been written.
        /// </summary>
        private async Task<List<RecordWrite>> ReconcileCreatesAsync(List<RecordOutcome> outcomes, bool lastRound, CancellationToken ct)
        {
            var found = (await ReadUsersByNameAsync(outcomes.Select(o => ((UserPlan)o.Write.Tag).Username).ToList(), ct).ConfigureAwait(false))
                .ToDictionary(u => u.Value<string>("Username"), StringComparer.OrdinalIgnoreCase);
            var again = new List<RecordWrite>();
            foreach (RecordOutcome outcome in outcomes)
            {
                var plan = (UserPlan)outcome.Write.Tag;
                if (!found.TryGetValue(plan.Username, out JObject record))
                {
                    if (outcome.ErrorCode == "DUPLICATE_USERNAME")
                        plan.Fail("DUPLICATE_USERNAME", $"The Username '{plan.Username}' is already used in another Salesforce org ({outcome.Message}).", Remedies.For("DUPLICATE_USERNAME"));
                    // Not found is no proof: Salesforce may commit a create whose answer was lost after this read.
                    else if (lastRound && outcome.MayHaveBeenWritten)
                        FailNotConfirmed(plan, outcome);
                    else if (lastRound)
                        plan.Fail(outcome.ErrorCode, outcome.Message, Remedies.For(outcome.ErrorCode));
                    else
                        again.Add(outcome.Write);
                    continue;
                }
                // A duplicate on a create never sent before is someone else's user (another run on this org, an admin): matched, not created.
                bool ours = outcome.OutcomeUnknown || outcome.Write.MayHaveBeenWritten || outcome.ErrorCode != "DUPLICATE_USERNAME";
                plan.AdoptReconciled(UserPlanner.Plan(plan.Source, ToExisting(new UserRecord(record)), Org, _map, _policy), ours);
                if (!plan.IsWrite) plan.Written = true;
                else if (!lastRound) again.AddRange(WritesOf(plan));
                else plan.Fail("NotWritten", "The user exists (its create went through on a retried request), but its remaining changes could not be written.", Remedies.For("ConnectionDropped"));
            }
            return again;
        }

        private static void FailNotConfirmed(UserPlan plan, RecordOutcome outcome)
            => plan.FailNotConfirmed(outcome.ErrorCode == NotConfirmed.Code ? outcome.Message : NotConfirmed.Message(null));

        private async Task FindUserLoginsAsync(List<UserPlan> plans, CancellationToken ct)
        {
            if (plans.Count == 0) return;
            var statements = Soql.ChunkedInQueries("SELECT Id, UserId, IsFrozen FROM UserLogin WHERE UserId IN", plans.Select(p => p.UserId), maxValuesPerQuery: UsernamesPerQuery);
            var logins = (await _reader.QueryManyAsync(statements, ct).ConfigureAwait(false))
                .ToDictionary(l => UserOrgContext.Id15(l.Value<string>("UserId")), l => l.Value<string>("Id"));
            foreach (UserPlan plan in plans)
            {
                if (logins.TryGetValue(UserOrgContext.Id15(plan.UserId), out string loginId)) plan.UserLoginId = loginId;
                else plan.Fail("UserLoginNotFound", $"Salesforce has no UserLogin for {plan.Username}, so it cannot be {(plan.Freeze == true ? "frozen" : "unfrozen")}.", "Check that the integration user can read UserLogin (Manage Users).");
            }
        }

        private string Query(string soql) => _client.DataPath("query?q=" + Uri.EscapeDataString(soql));

        private static JObject Get(string referenceId, string url) => new JObject { ["method"] = "GET", ["url"] = url, ["referenceId"] = referenceId };

        private static T Body<T>(JObject response) where T : JToken
        {
            int status = response.Value<int>("httpStatusCode");
            if (status >= 300) throw SalesforceClient.ToApiException(new ApiResponse(status, response["body"]?.ToString(Newtonsoft.Json.Formatting.None)));
            return (T)response["body"];
        }

        private async Task<List<JObject>> AllRecordsAsync(JObject queryResponse, CancellationToken ct)
        {
            var page = Body<JObject>(queryResponse);
            var records = ((JArray)page["records"]).Cast<JObject>().ToList();
            string next = page.Value<bool>("done") ? null : page.Value<string>("nextRecordsUrl");
            while (next != null)
            {
                var more = await _client.GetAsync(next, ct).ConfigureAwait(false);
                records.AddRange(((JArray)more["records"]).Cast<JObject>());
                next = more.Value<bool>("done") ? null : more.Value<string>("nextRecordsUrl");
            }
            return records;
        }

        private static JObject StripAttributes(JObject record)
        {
            record.Remove("attributes");
            return record;
        }
    }
}
