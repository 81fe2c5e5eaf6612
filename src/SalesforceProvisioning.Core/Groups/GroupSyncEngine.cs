using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>What a group run may do besides matching.</summary>
    public sealed class GroupSyncOptions
    {
        public bool CreateMissing { get; set; } = true;
        public bool DeleteGroups { get; set; }

        /// <summary>The input is the whole scope: remembered groups that are absent left it.</summary>
        public bool CompleteScope { get; set; }
        public SfMembershipMode MembershipMode { get; set; } = SfMembershipMode.Overwrite;
    }

    /// <summary>
    /// Syncs public groups (Type Regular) and their members: groups matched by remembered source id,
    /// then by name; created, renamed, deleted; members added and removed in composite collections.
    /// </summary>
    public sealed class GroupSyncEngine
    {
        private const int MaxWriteRounds = 3;

        /// <summary>Records in a full query page.</summary>
        private const int PageSize = 2000;

        private readonly SfProvisioningConnection _connection;
        private readonly SalesforceClient _client;
        private readonly IGroupIdentityStore _store;
        private readonly CompositeReader _reader;
        private readonly CompositeWriter _writer;
        private readonly Dictionary<string, JObject> _groupsById = new Dictionary<string, JObject>(StringComparer.Ordinal);
        private readonly Dictionary<string, List<JObject>> _groupsByName = new Dictionary<string, List<JObject>>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _developerNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        public GroupSyncEngine(SfProvisioningConnection connection, IGroupIdentityStore store, int maxConcurrentRequests = CompositeWriter.DefaultMaxInFlight)
        {
            _connection = connection;
            _client = connection.Client;
            _store = store;
            _reader = new CompositeReader(_client);
            _writer = new CompositeWriter(_client, maxConcurrentRequests);
        }

        public string OrgId { get; private set; }

        /// <summary>Set when a failure a person must fix (API limit, credentials) stopped the writes.</summary>
        public SalesforceException Stopped { get; private set; }

        /// <summary>Reads who we are and every public group (a few counted calls, whatever the number of groups).</summary>
        public async Task PrepareAsync(CancellationToken ct)
        {
            JObject identity = await _client.GetIdentityAsync(ct).ConfigureAwait(false);
            OrgId = identity.Value<string>("organization_id");
            // The org's user count comes in the same call: it decides how members are read (see ReadMembersAsync).
            var answers = await _reader.QueryEachAsync(new[] { "SELECT Id, Name, DeveloperName, Description, Type FROM Group", "SELECT COUNT() FROM User" }, ct).ConfigureAwait(false);
            foreach (JObject group in answers[0].Records)
            {
                _developerNames.Add(group.Value<string>("DeveloperName") ?? "");
                if (group.Value<string>("Type") == "Regular") Remember(group);
            }
            _orgUsers = answers[1].TotalSize;
        }

        /// <summary>The org's users (all of them, as a read of every user would see them); null when not known.</summary>
        private int? _orgUsers;

        private void Remember(JObject group)
        {
            group.Remove("attributes");
            _groupsById[Id15(group.Value<string>("Id"))] = group;
            string name = group.Value<string>("Name");
            if (!_groupsByName.TryGetValue(name, out var list)) _groupsByName[name] = list = new List<JObject>();
            list.Add(group);
        }

        /// <summary>Plans every group change and member change; reads only.</summary>
        public async Task<List<GroupPlan>> PlanAsync(IReadOnlyList<SourceGroup> groups, GroupSyncOptions options, CancellationToken ct)
        {
            var plans = groups.Select(g => PlanGroup(g, options)).ToList();
            _plansBySource = plans.ToDictionary(p => p.Source);
            MarkDuplicates(plans);
            if (options.CompleteScope && _store != null) plans.AddRange(PlanLeftScope(plans, options));
            var withMembers = plans.Where(p => p.Source.Members != null && p.Action != SfGroupAction.Failed && p.Action != SfGroupAction.Skipped && !p.Delete).ToList();
            LifecycleDecision membership = LifecyclePolicy.ForMembership(_connection.Target);
            if (membership.IsSkip)
            {
                foreach (GroupPlan plan in withMembers) plan.Message = "Members not synced: " + membership.Reason;
                withMembers.Clear();
            }
            await PlanMembersAsync(withMembers, options.MembershipMode, ct).ConfigureAwait(false);
            foreach (GroupPlan plan in plans)
                if (plan.Action == SfGroupAction.Unchanged && plan.MemberWrites.Any()) plan.Action = SfGroupAction.Updated;
            return plans;
        }

        /// <summary>Every group plan of the run, so a nested group of the same input resolves through its own plan.</summary>
        private Dictionary<SourceGroup, GroupPlan> _plansBySource = new Dictionary<SourceGroup, GroupPlan>();

        private GroupPlan PlanGroup(SourceGroup source, GroupSyncOptions options)
        {
            var plan = new GroupPlan(source);
            if (source.Problem != null)
            {
                plan.Fail(source.Problem.Field == "Deleted" ? "InvalidSourceValue" : "MissingSourceId", source.Problem.Problem, source.Problem.Remedy);
                return plan;
            }
            if (string.IsNullOrWhiteSpace(source.Name))
            {
                plan.Fail("MissingGroupName", "The input has no group name (looked for Name, DisplayName, cn, SamAccountName).", "Give each group a Name property.");
                return plan;
            }
            JObject existing = FindExisting(source, plan, out bool byIdentity);
            if (plan.Action == SfGroupAction.Failed) return plan;
            plan.GroupId = existing?.Value<string>("Id");

            if (source.Deleted)
            {
                if (existing == null) plan.Skip("The group is deleted in the source and does not exist in Salesforce: nothing to do.", null);
                else PlanDelete(plan, options, "is deleted in the source");
                return plan;
            }
            if (existing == null)
            {
                if (!options.CreateMissing)
                {
                    plan.Fail("GroupNotFound", $"No public group named '{source.Name}' exists in Salesforce.", "Check the name (Get-SfGroup lists public groups), or create it with Sync-SfGroup.");
                    return plan;
                }
                plan.Create = new JObject { ["Name"] = source.Name, ["DeveloperName"] = NewDeveloperName(source.Name), ["Type"] = "Regular" };
                if (!string.IsNullOrEmpty(source.Description)) plan.Create["Description"] = source.Description;
                plan.Action = SfGroupAction.Created;
                return plan;
            }
            var update = new JObject();
            if (byIdentity && existing.Value<string>("Name") != source.Name)
            {
                update["Name"] = source.Name;
                plan.PreviousName = existing.Value<string>("Name");
                plan.Action = SfGroupAction.Renamed;
            }
            if (source.Description != null && (existing.Value<string>("Description") ?? "") != source.Description)
            {
                update["Description"] = source.Description.Length == 0 ? null : source.Description;
                if (plan.Action == SfGroupAction.Unchanged) plan.Action = SfGroupAction.Updated;
            }
            if (update.HasValues) plan.Update = update;
            return plan;
        }

        private JObject FindExisting(SourceGroup source, GroupPlan plan, out bool byIdentity)
        {
            byIdentity = false;
            if (_store != null && !string.IsNullOrEmpty(source.SourceId))
            {
                GroupIdentity identity = _store.Find(OrgId, source.SourceId);
                if (identity != null && _groupsById.TryGetValue(Id15(identity.SalesforceId), out JObject remembered))
                {
                    byIdentity = true;
                    return remembered;
                }
            }
            if (!_groupsByName.TryGetValue(source.Name, out var named)) return null;
            if (named.Count > 1)
            {
                plan.Fail("AmbiguousGroupName", $"{named.Count} public groups are named '{source.Name}' in Salesforce ({string.Join(", ", named.Select(g => g.Value<string>("DeveloperName")))}).", "Rename all but one in Salesforce, or give the source group's SourceId of an already synced group.");
                return null;
            }
            return named[0];
        }

        private static void PlanDelete(GroupPlan plan, GroupSyncOptions options, string why)
        {
            LifecycleDecision decision = LifecyclePolicy.ForGroupRemoval(options.DeleteGroups, why);
            if (decision.IsSkip)
            {
                plan.Skip(decision.Reason, decision.Remedy);
                return;
            }
            plan.Delete = true;
            plan.Action = SfGroupAction.Deleted;
        }

        private static void MarkDuplicates(List<GroupPlan> plans)
        {
            var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (GroupPlan plan in plans.Where(p => p.Action != SfGroupAction.Failed))
            {
                string key = !string.IsNullOrEmpty(plan.Source.SourceId) ? "id:" + plan.Source.SourceId : "name:" + plan.Name;
                if (seen.TryGetValue(key, out int first))
                    plan.Fail("DuplicateInput", $"The group '{plan.Name}' appears more than once in the input (first at position {first}); only the first is synced.", "Remove the duplicate from the source.");
                else seen[key] = plan.Source.Index;
            }
        }

        /// <summary>
        /// Remembered groups that left the scope. A group is in scope when an input names it by source id or
        /// by name, or when this run matched it (a failed input included): it is never deleted as absent.
        /// </summary>
        private IEnumerable<GroupPlan> PlanLeftScope(IReadOnlyList<GroupPlan> inputPlans, GroupSyncOptions options)
        {
            var sourceIds = new HashSet<string>(inputPlans.Select(p => p.Source.SourceId).Where(id => !string.IsNullOrEmpty(id)), StringComparer.Ordinal);
            var names = new HashSet<string>(inputPlans.Select(p => p.Source.Name).Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()), StringComparer.OrdinalIgnoreCase);
            var matchedIds = new HashSet<string>(inputPlans.Where(p => p.GroupId != null).Select(p => Id15(p.GroupId)), StringComparer.Ordinal);
            foreach (GroupIdentity identity in _store.All(OrgId).Where(i => !sourceIds.Contains(i.SourceId)).ToList())
            {
                _groupsById.TryGetValue(Id15(identity.SalesforceId), out JObject current);
                if (matchedIds.Contains(Id15(identity.SalesforceId)) || names.Contains(identity.Name ?? "") || (current != null && names.Contains(current.Value<string>("Name") ?? "")))
                    continue;
                var plan = new GroupPlan(new SourceGroup { Name = identity.Name, SourceId = identity.SourceId, Index = -1 });
                if (!_groupsById.TryGetValue(Id15(identity.SalesforceId), out JObject existing))
                {
                    _store.Remove(OrgId, identity.SourceId);
                    continue; // already gone from Salesforce
                }
                plan.GroupId = existing.Value<string>("Id");
                PlanDelete(plan, options, "left the source scope");
                yield return plan;
            }
        }

        /// <summary>Resolves members and reads current memberships in chunked queries, then diffs per group.</summary>
        private async Task PlanMembersAsync(List<GroupPlan> plans, SfMembershipMode mode, CancellationToken ct)
        {
            if (plans.Count == 0) return;
            var usernames = plans.SelectMany(p => p.Source.Members).Where(m => m.Type == SfMemberType.User && m.Problem == null && m.Key.Length <= QueryValues.UsernameLength)
                .Select(m => m.Key).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var existingGroupIds = plans.Where(p => p.GroupId != null).Select(p => p.GroupId).ToList();
            // The memberships and the members are read together, so their queries and pages share calls; the
            // memberships go first: their many pages are then chained beside the members' single pages.
            var membershipReads = Soql.ChunkedInQueries("SELECT Id, GroupId, UserOrGroupId FROM GroupMember WHERE GroupId IN", existingGroupIds).ToList();
            var memberReads = Soql.ChunkedInQueries("SELECT Id, Username, IsActive FROM User WHERE Username IN", usernames).ToList();
            // Reading every user takes one subrequest per page of 2,000; by Username, one per chunk of a few
            // hundred names: the fewer wins (many members in a small org: every user; a few: by name).
            if (_orgUsers is int orgUsers && (orgUsers + PageSize - 1) / PageSize < memberReads.Count)
                memberReads = new List<string> { "SELECT Id, Username, IsActive FROM User" };
            var statements = membershipReads.Concat(memberReads).ToList();
            var answers = await _reader.QueryEachAsync(statements, ct).ConfigureAwait(false);
            var users = answers.Skip(membershipReads.Count).SelectMany(result => result.Records)
                .ToDictionary(u => u.Value<string>("Username"), StringComparer.OrdinalIgnoreCase);
            var current = answers.Take(membershipReads.Count).SelectMany(result => result.Records)
                .GroupBy(m => Id15(m.Value<string>("GroupId"))).ToDictionary(g => g.Key, g => g.ToList());
            var plannedNewGroups = plans.Where(p => p.Create != null).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

            var removedUserIds = new List<string>();
            foreach (GroupPlan plan in plans)
            {
                var currentRows = plan.GroupId != null && current.TryGetValue(Id15(plan.GroupId), out var rows) ? rows : new List<JObject>();
                var currentByMember = currentRows.GroupBy(r => Id15(r.Value<string>("UserOrGroupId"))).ToDictionary(g => g.Key, g => g.First());
                var wanted = new HashSet<string>(StringComparer.Ordinal);
                foreach (MemberRef member in plan.Source.Members)
                {
                    var change = new MemberChange { Member = member };
                    plan.Members.Add(change);
                    if (!Resolve(member, users, plannedNewGroups, plan, change)) continue;
                    string key = change.MemberId == null ? "new:" + member.Key : Id15(change.MemberId);
                    if (!wanted.Add(key)) { change.Action = SfMembershipAction.Unchanged; continue; }
                    bool isMember = change.MemberId != null && currentByMember.ContainsKey(key);
                    if (mode == SfMembershipMode.Remove)
                    {
                        change.Action = isMember ? SfMembershipAction.Removed : SfMembershipAction.Unchanged;
                        if (isMember) change.GroupMemberId = currentByMember[key].Value<string>("Id");
                    }
                    else change.Action = isMember ? SfMembershipAction.Unchanged : SfMembershipAction.Added;
                }
                if (mode != SfMembershipMode.Overwrite) continue;
                foreach (var extra in currentByMember.Where(c => !wanted.Contains(c.Key)))
                {
                    string memberId = extra.Value.Value<string>("UserOrGroupId");
                    bool isGroup = memberId.StartsWith("00G", StringComparison.Ordinal);
                    string display = isGroup && _groupsById.TryGetValue(extra.Key, out JObject g) ? g.Value<string>("Name") : memberId;
                    if (!isGroup) removedUserIds.Add(memberId);
                    plan.Members.Add(new MemberChange
                    {
                        Member = new MemberRef(isGroup ? SfMemberType.Group : SfMemberType.User, display),
                        MemberId = memberId,
                        GroupMemberId = extra.Value.Value<string>("Id"),
                        Action = SfMembershipAction.Removed,
                    });
                }
            }
            await NameRemovedUsersAsync(plans, removedUserIds, users.Values, ct).ConfigureAwait(false);
        }

        private bool Resolve(MemberRef member, Dictionary<string, JObject> users, Dictionary<string, GroupPlan> plannedNewGroups, GroupPlan plan, MemberChange change)
        {
            if (member.Problem != null) return FailMember(change, "UnresolvedMember", member.Problem, member.Remedy);
            if (member.SourceGroup != null) return ResolveNestedOfInput(member, plan, change);
            if (member.Type == SfMemberType.User)
            {
                if (QueryValues.LengthProblem("Username", QueryValues.UsernameLength, member.Key) is string tooLong)
                    return FailMember(change, "InvalidMember", $"'{QueryValues.Shorten(member.Key)}': {tooLong}", "Fix the member's username in the source.");
                if (!users.TryGetValue(member.Key, out JObject user))
                    return FailMember(change, "UnknownMember", $"No Salesforce user has the Username '{member.Key}'.", "Sync the user first (Sync-SfUser), or fix the username.");
                if (user.Value<bool?>("IsActive") == false)
                    return FailMember(change, "InactiveMember", $"The user '{member.Key}' is inactive; inactive users are not added to groups.", "Reactivate the user (Enable-SfUser) or remove them from the source group.");
                change.MemberId = user.Value<string>("Id");
                return true;
            }
            if (string.Equals(member.Key, plan.Name, StringComparison.OrdinalIgnoreCase))
                return FailMember(change, "GroupContainsItself", $"The group '{plan.Name}' cannot be a member of itself.", "Remove the group from its own member list.");
            if (_groupsByName.TryGetValue(member.Key, out var named))
            {
                if (named.Count > 1)
                    return FailMember(change, "AmbiguousGroupName", $"{named.Count} public groups are named '{member.Key}'.", "Rename all but one in Salesforce.");
                change.MemberId = named[0].Value<string>("Id");
                return true;
            }
            if (plannedNewGroups.ContainsKey(member.Key)) return true; // created in this run: its id is known after the group writes
            return FailMember(change, "UnknownMember", $"No public group named '{member.Key}' exists in Salesforce.", "Sync the nested group first (Sync-SfGroup), or fix its name.");
        }

        private bool ResolveNestedOfInput(MemberRef member, GroupPlan plan, MemberChange change)
        {
            if (member.SourceGroup == plan.Source)
                return FailMember(change, "GroupContainsItself", $"The group '{plan.Name}' cannot be a member of itself.", "Remove the group from its own member list.");
            if (!_plansBySource.TryGetValue(member.SourceGroup, out GroupPlan nested) || nested.Action == SfGroupAction.Failed || nested.Delete || (nested.GroupId == null && nested.Create == null))
                return FailMember(change, "UnknownMember", $"The nested group '{member.Key}' of this input is not synced in this run (see its own result), so it cannot be added.", "Fix that group's error, then run again.");
            change.MemberId = nested.GroupId; // null when it is created in this run: its id is known after the group writes
            return true;
        }

        private static bool FailMember(MemberChange change, string code, string message, string remedy)
        {
            change.Action = SfMembershipAction.Failed;
            change.ErrorCode = code;
            change.Message = message;
            change.Remedy = remedy;
            return false;
        }

        /// <summary>Names removed users by Username: those also named in the input are known already; only the others are read.</summary>
        private async Task NameRemovedUsersAsync(List<GroupPlan> plans, List<string> userIds, IEnumerable<JObject> knownUsers, CancellationToken ct)
        {
            if (userIds.Count == 0) return;
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JObject user in knownUsers) names[Id15(user.Value<string>("Id"))] = user.Value<string>("Username");
            var unknown = userIds.Where(id => !names.ContainsKey(Id15(id))).Distinct(StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
                foreach (JObject user in await _reader.QueryManyAsync(Soql.ChunkedInQueries("SELECT Id, Username FROM User WHERE Id IN", unknown), ct).ConfigureAwait(false))
                    names[Id15(user.Value<string>("Id"))] = user.Value<string>("Username");
            foreach (MemberChange change in plans.SelectMany(p => p.Members).Where(m => m.Action == SfMembershipAction.Removed && m.Member.Type == SfMemberType.User))
                if (names.TryGetValue(Id15(change.MemberId), out string username)) change.Member = new MemberRef(SfMemberType.User, username);
        }

        /// <summary>Writes group changes, then member changes, and remembers source ids of the groups written.</summary>
        public async Task ExecuteAsync(IReadOnlyList<GroupPlan> plans, CancellationToken ct)
        {
            var groupWrites = new List<RecordWrite>();
            foreach (GroupPlan plan in plans.Where(p => p.IsGroupWrite))
            {
                if (plan.Create != null) groupWrites.Add(new RecordWrite(WriteKind.Create, "Group", plan.Create, tag: plan));
                else if (plan.Delete) groupWrites.Add(new RecordWrite(WriteKind.Delete, "Group", id: plan.GroupId, tag: plan));
                else groupWrites.Add(new RecordWrite(WriteKind.Update, "Group", new JObject(plan.Update) { ["Id"] = plan.GroupId }, plan.GroupId, plan));
            }
            foreach (var (write, outcome) in await WriteAsync(groupWrites, ct).ConfigureAwait(false))
                await ApplyGroupOutcomeAsync((GroupPlan)write.Tag, write, outcome, ct).ConfigureAwait(false);
            foreach (GroupPlan plan in plans.Where(p => !p.IsGroupWrite && p.Action != SfGroupAction.Failed && p.Action != SfGroupAction.Skipped))
                RememberIdentity(plan);

            if (Stopped != null)
            {
                // Member changes go after the group writes: the stop came before any of them was sent.
                foreach (MemberChange change in plans.SelectMany(p => p.MemberWrites).ToList())
                    FailMember(change, NotSent.Code(Stopped), NotSent.Message(Stopped), NotSent.Remedy(Stopped));
                return;
            }

            var newGroupIds = plans.Where(p => p.GroupWritten && p.GroupId != null).ToDictionary(p => p.Name, p => p.GroupId, StringComparer.OrdinalIgnoreCase);
            var memberWrites = new List<RecordWrite>();
            foreach (GroupPlan plan in plans.Where(p => p.Action != SfGroupAction.Failed && p.GroupId != null && !p.Delete))
            {
                foreach (MemberChange change in plan.MemberWrites)
                {
                    if (change.Action == SfMembershipAction.Removed)
                    {
                        memberWrites.Add(new RecordWrite(WriteKind.Delete, "GroupMember", id: change.GroupMemberId, tag: change));
                        continue;
                    }
                    if (change.MemberId == null && !newGroupIds.TryGetValue(change.Member.Key, out string newId))
                    {
                        FailMember(change, "UnknownMember", $"The nested group '{change.Member.Key}' could not be created, so it cannot be added.", "See the error of that group.");
                        continue;
                    }
                    change.MemberId = change.MemberId ?? newGroupIds[change.Member.Key];
                    memberWrites.Add(new RecordWrite(WriteKind.Create, "GroupMember", new JObject { ["GroupId"] = plan.GroupId, ["UserOrGroupId"] = change.MemberId }, tag: change));
                }
            }
            foreach (var (write, outcome) in await WriteAsync(memberWrites, ct).ConfigureAwait(false))
            {
                var change = (MemberChange)write.Tag;
                // Already a member (a retried request) or already removed: the wanted state holds.
                bool holds = outcome.Success || outcome.ErrorCode == "DUPLICATE_VALUE" && write.Kind == WriteKind.Create
                    || (outcome.ErrorCode == "ENTITY_IS_DELETED" || outcome.ErrorCode == "NOT_FOUND") && write.Kind == WriteKind.Delete;
                if (holds) change.Written = true;
                else FailMember(change, outcome.ErrorCode, outcome.Message, Remedies.For(outcome.ErrorCode));
            }
        }

        private async Task ApplyGroupOutcomeAsync(GroupPlan plan, RecordWrite write, RecordOutcome outcome, CancellationToken ct)
        {
            if (!outcome.Success && write.Kind == WriteKind.Create && (outcome.ErrorCode == "DUPLICATE_DEVELOPER_NAME" || outcome.ErrorCode == "DUPLICATE_VALUE" || outcome.OutcomeUnknown))
            {
                // A retried create that had gone through: the group with our DeveloperName and name is ours.
                var found = await _client.QueryAsync($"SELECT Id, Name, DeveloperName, Description, Type FROM Group WHERE DeveloperName = {Soql.Literal(plan.Create.Value<string>("DeveloperName"))}", ct).ConfigureAwait(false);
                if (found.Count == 1 && found[0].Value<string>("Name") == plan.Name)
                    outcome = new RecordOutcome(write, true, found[0].Value<string>("Id"), null, null, null);
            }
            if (!outcome.Success)
            {
                plan.Fail(outcome.ErrorCode, outcome.Message, Remedies.For(outcome.ErrorCode));
                return;
            }
            plan.GroupWritten = true;
            if (write.Kind == WriteKind.Create)
            {
                plan.GroupId = outcome.Id;
                Remember(new JObject { ["Id"] = outcome.Id, ["Name"] = plan.Name, ["DeveloperName"] = plan.Create.Value<string>("DeveloperName"), ["Description"] = plan.Create.Value<string>("Description") });
            }
            if (write.Kind == WriteKind.Delete)
            {
                if (_store != null && !string.IsNullOrEmpty(plan.Source.SourceId)) _store.Remove(OrgId, plan.Source.SourceId);
                return;
            }
            RememberIdentity(plan);
        }

        private void RememberIdentity(GroupPlan plan)
        {
            if (_store == null || string.IsNullOrEmpty(plan.Source.SourceId) || plan.GroupId == null) return;
            _store.Save(OrgId, new GroupIdentity { SourceId = plan.Source.SourceId, SalesforceId = plan.GroupId, Name = plan.Name, LastSynced = DateTimeOffset.UtcNow });
        }

        private async Task<List<(RecordWrite Write, RecordOutcome Outcome)>> WriteAsync(List<RecordWrite> writes, CancellationToken ct)
        {
            var (outcomes, stopped) = await _writer.WriteWithRetriesAsync(writes, MaxWriteRounds, _connection.RetryBaseDelay, ct).ConfigureAwait(false);
            Stopped = Stopped ?? stopped;
            return outcomes.Select(o => (o.Write, o)).ToList();
        }

        /// <summary>
        /// A unique API name from a group name: ASCII letters, digits and single underscores, starting with a
        /// letter, at most 80 characters, with _2, _3... when taken.
        /// </summary>
        internal string NewDeveloperName(string name)
        {
            var sb = new StringBuilder();
            foreach (char c in name.Normalize(NormalizationForm.FormD))
            {
                if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
                if (c < 128 && char.IsLetterOrDigit(c)) sb.Append(c);
                else if (sb.Length > 0 && sb[sb.Length - 1] != '_') sb.Append('_');
            }
            string basis = sb.ToString().Trim('_');
            if (basis.Length == 0) basis = "Group";
            else if (!char.IsLetter(basis[0])) basis = "G_" + basis;
            basis = basis.Length > 75 ? basis.Substring(0, 75).TrimEnd('_') : basis;
            string candidate = basis;
            for (int n = 2; _developerNames.Contains(candidate); n++) candidate = $"{basis}_{n}";
            _developerNames.Add(candidate);
            return candidate;
        }

        private static string Id15(string id) => UserOrgContext.Id15(id);
    }
}
