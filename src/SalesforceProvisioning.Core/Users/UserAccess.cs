using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    public enum AccessKind { PermissionSet, Group, PermissionSetGroup, PermissionSetLicense }

    /// <summary>One permission set assignment or public group membership to add or remove for a user.</summary>
    public sealed class AccessChange
    {
        public AccessKind Kind { get; set; }
        public bool Add { get; set; }
        public string Name { get; set; }

        /// <summary>The permission set or group to add the user to.</summary>
        public string TargetId { get; set; }

        /// <summary>The assignment or membership record to delete (or, for an expiry change, to update).</summary>
        public string RecordId { get; set; }

        /// <summary>PermissionSetAssignment.ExpirationDate to write (an instant, ISO 8601 UTC); null: none.</summary>
        public string ExpirationDate { get; set; }

        /// <summary>An existing assignment whose ExpirationDate changes (Add is true, RecordId names it).</summary>
        public bool ChangesExpiry { get; set; }

        public override string ToString() => ChangesExpiry
            ? $"~{Kind}:{Name}(ExpirationDate={ExpirationDate ?? "<none>"})"
            : $"{(Add ? "+" : "-")}{Kind}:{Name}{(Add && ExpirationDate != null ? $"(until {ExpirationDate})" : "")}";
    }

    /// <summary>The org's permission sets and public groups by name, and each user's current access.</summary>
    public sealed class AccessCatalog
    {
        private readonly Dictionary<string, JObject> _permissionSets = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, JObject> _permissionSetsById = new Dictionary<string, JObject>(StringComparer.Ordinal);
        private readonly Dictionary<string, JObject> _groups = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, List<JObject>> _groupsByLabel = new Dictionary<string, List<JObject>>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, JObject> _groupsById = new Dictionary<string, JObject>(StringComparer.Ordinal);

        private readonly Dictionary<string, JObject> _setGroups = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, JObject> _setGroupsById = new Dictionary<string, JObject>(StringComparer.Ordinal);
        private readonly Dictionary<string, JObject> _setLicences = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, JObject> _setLicencesById = new Dictionary<string, JObject>(StringComparer.Ordinal);

        public bool GroupsLoaded { get; private set; }

        /// <summary>Permission set groups by DeveloperName, then by label when no DeveloperName uses it.</summary>
        public void AddPermissionSetGroups(IEnumerable<JObject> groups) => AddByName(groups, _setGroups, _setGroupsById, "DeveloperName", "MasterLabel");

        /// <summary>Permission set licences by DeveloperName, then label, then PermissionSetLicenseKey.</summary>
        public void AddPermissionSetLicences(IEnumerable<JObject> licences) => AddByName(licences, _setLicences, _setLicencesById, "DeveloperName", "MasterLabel", "PermissionSetLicenseKey");

        private static void AddByName(IEnumerable<JObject> records, Dictionary<string, JObject> byName, Dictionary<string, JObject> byId, params string[] nameFields)
        {
            var list = records.ToList();
            foreach (JObject record in list) byId[UserOrgContext.Id15(record.Value<string>("Id"))] = record;
            foreach (string field in nameFields)
            {
                foreach (JObject record in list)
                {
                    string name = record.Value<string>(field);
                    if (name != null && !byName.ContainsKey(name)) byName[name] = record;
                }
            }
        }

        public void AddPermissionSets(IEnumerable<JObject> sets)
        {
            foreach (JObject set in sets)
            {
                _permissionSetsById[UserOrgContext.Id15(set.Value<string>("Id"))] = set;
                // API name first; a label is accepted too when no API name uses it.
                _permissionSets[set.Value<string>("Name")] = set;
            }
            foreach (JObject set in sets)
            {
                string label = set.Value<string>("Label");
                if (label != null && !_permissionSets.ContainsKey(label)) _permissionSets[label] = set;
            }
        }

        public void AddGroups(IEnumerable<JObject> groups)
        {
            foreach (JObject group in groups)
            {
                // Labels (Name) are not unique in Salesforce; DeveloperName is.
                string label = group.Value<string>("Name") ?? "";
                if (!_groupsByLabel.TryGetValue(label, out var same)) _groupsByLabel[label] = same = new List<JObject>();
                same.Add(group);
                string developerName = group.Value<string>("DeveloperName");
                if (developerName != null) _groups[developerName] = group;
                _groupsById[UserOrgContext.Id15(group.Value<string>("Id"))] = group;
            }
            GroupsLoaded = true;
        }

        public JObject PermissionSet(string name) => _permissionSets.TryGetValue(name, out JObject set) ? set : null;
        public string PermissionSetName(string id) => _permissionSetsById.TryGetValue(UserOrgContext.Id15(id), out JObject set) ? set.Value<string>("Name") : id;
        /// <summary>
        /// The public group a source names: by DeveloperName (unique), else by label when exactly one group
        /// carries it. Null, with the reason in <paramref name="problem"/> and its code, otherwise.
        /// </summary>
        public JObject Group(string name, out string code, out string problem)
        {
            code = problem = null;
            if (_groups.TryGetValue(name, out JObject group)) return group;
            if (_groupsByLabel.TryGetValue(name, out var labelled) && labelled.Count == 1) return labelled[0];
            if (labelled != null && labelled.Count > 1)
            {
                code = "AmbiguousGroupName";
                problem = $"{labelled.Count} public groups are labelled '{name}' ({string.Join(", ", labelled.Select(g => g.Value<string>("DeveloperName")))}); name the one meant by its DeveloperName.";
                return null;
            }
            code = "UnknownGroup";
            problem = $"Public group '{name}' does not exist in this org.";
            return null;
        }
        public string GroupName(string id) => _groupsById.TryGetValue(UserOrgContext.Id15(id), out JObject group) ? group.Value<string>("Name") : null;

        /// <summary>
        /// The access changes for one user: Merge assigns what is missing; Overwrite also removes what is
        /// not listed, never profile-owned sets nor assignments made through permission set groups.
        /// Returns a problem (unknown or profile-owned name) instead when the list names something wrong.
        /// </summary>
        public string PlanPermissionSets(IReadOnlyList<string> wanted, IReadOnlyList<JObject> current, SfPermissionSetManagement management, List<AccessChange> changes, Expiry expiry = default)
        {
            var wantedIds = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in wanted)
            {
                JObject set = PermissionSet(name);
                if (set == null) return $"Permission set '{name}' does not exist in this org.";
                if (set.Value<bool?>("IsOwnedByProfile") == true) return $"Permission set '{name}' belongs to a profile and cannot be assigned.";
                wantedIds.Add(UserOrgContext.Id15(set.Value<string>("Id")));
            }
            var direct = current.Where(a => a["PermissionSetGroupId"]?.Type != JTokenType.String).ToList();
            var have = new HashSet<string>(current.Select(a => UserOrgContext.Id15(a.Value<string>("PermissionSetId"))), StringComparer.Ordinal);
            foreach (string name in wanted)
            {
                JObject set = PermissionSet(name);
                string id = set.Value<string>("Id");
                JObject assignment = direct.FirstOrDefault(a => UserOrgContext.Id15(a.Value<string>("PermissionSetId")) == UserOrgContext.Id15(id));
                if (assignment != null) AddExpiryChange(AccessKind.PermissionSet, set.Value<string>("Name"), assignment, expiry, changes);
                else if (!have.Contains(UserOrgContext.Id15(id)) && !changes.Any(c => c.Kind == AccessKind.PermissionSet && c.TargetId == id))
                    changes.Add(new AccessChange { Kind = AccessKind.PermissionSet, Add = true, Name = set.Value<string>("Name"), TargetId = id, ExpirationDate = expiry.Text });
            }
            if (!LifecyclePolicy.RemovesUnlistedAccess(management)) return null;
            foreach (JObject assignment in current)
            {
                if (assignment["PermissionSetGroupId"]?.Type == JTokenType.String) continue; // granted through a permission set group
                string setId = assignment.Value<string>("PermissionSetId");
                if (wantedIds.Contains(UserOrgContext.Id15(setId))) continue;
                changes.Add(new AccessChange { Kind = AccessKind.PermissionSet, Add = false, Name = PermissionSetName(setId), RecordId = assignment.Value<string>("Id") });
            }
            return null;
        }

        /// <summary>
        /// Permission set groups (PermissionSetAssignment.PermissionSetGroupId): Merge assigns the missing
        /// ones; Overwrite also removes group assignments not listed. Never a profile's or a single set's.
        /// </summary>
        public string PlanPermissionSetGroups(IReadOnlyList<string> wanted, IReadOnlyList<JObject> current, SfPermissionSetManagement management, List<AccessChange> changes, Expiry expiry = default)
        {
            var wantedIds = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in wanted)
            {
                if (!_setGroups.TryGetValue(name, out JObject group)) return $"Permission set group '{name}' does not exist in this org.";
                wantedIds.Add(UserOrgContext.Id15(group.Value<string>("Id")));
            }
            var byGroup = current.Where(a => a["PermissionSetGroupId"]?.Type == JTokenType.String)
                .GroupBy(a => UserOrgContext.Id15(a.Value<string>("PermissionSetGroupId"))).ToDictionary(g => g.Key, g => g.First());
            foreach (string name in wanted)
            {
                JObject group = _setGroups[name];
                string id = group.Value<string>("Id");
                if (byGroup.TryGetValue(UserOrgContext.Id15(id), out JObject assignment))
                    AddExpiryChange(AccessKind.PermissionSetGroup, group.Value<string>("DeveloperName"), assignment, expiry, changes);
                else if (!changes.Any(c => c.Kind == AccessKind.PermissionSetGroup && c.TargetId == id))
                    changes.Add(new AccessChange { Kind = AccessKind.PermissionSetGroup, Add = true, Name = group.Value<string>("DeveloperName"), TargetId = id, ExpirationDate = expiry.Text });
            }
            if (!LifecyclePolicy.RemovesUnlistedAccess(management)) return null;
            foreach (var pair in byGroup.Where(p => !wantedIds.Contains(p.Key)))
            {
                string name = _setGroupsById.TryGetValue(pair.Key, out JObject group) ? group.Value<string>("DeveloperName") : pair.Key;
                changes.Add(new AccessChange { Kind = AccessKind.PermissionSetGroup, Add = false, Name = name, RecordId = pair.Value.Value<string>("Id") });
            }
            return null;
        }

        /// <summary>Permission set licences (PermissionSetLicenseAssign): Merge assigns the missing ones; Overwrite also removes the rest.</summary>
        public string PlanPermissionSetLicences(IReadOnlyList<string> wanted, IReadOnlyList<JObject> current, SfPermissionSetManagement management, List<AccessChange> changes)
        {
            var wantedIds = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in wanted)
            {
                if (!_setLicences.TryGetValue(name, out JObject licence)) return $"Permission set licence '{name}' does not exist in this org.";
                wantedIds.Add(UserOrgContext.Id15(licence.Value<string>("Id")));
            }
            var have = current.GroupBy(a => UserOrgContext.Id15(a.Value<string>("PermissionSetLicenseId"))).ToDictionary(g => g.Key, g => g.First());
            foreach (string name in wanted)
            {
                JObject licence = _setLicences[name];
                string id = licence.Value<string>("Id");
                if (!have.ContainsKey(UserOrgContext.Id15(id)) && !changes.Any(c => c.Kind == AccessKind.PermissionSetLicense && c.TargetId == id))
                    changes.Add(new AccessChange { Kind = AccessKind.PermissionSetLicense, Add = true, Name = licence.Value<string>("DeveloperName"), TargetId = id });
            }
            if (!LifecyclePolicy.RemovesUnlistedAccess(management)) return null;
            foreach (var pair in have.Where(p => !wantedIds.Contains(p.Key)))
            {
                string name = _setLicencesById.TryGetValue(pair.Key, out JObject licence) ? licence.Value<string>("DeveloperName") : pair.Key;
                changes.Add(new AccessChange { Kind = AccessKind.PermissionSetLicense, Add = false, Name = name, RecordId = pair.Value.Value<string>("Id") });
            }
            return null;
        }

        /// <summary>A listed assignment the user already has gets the source's end date when it differs (only when the source states one).</summary>
        private static void AddExpiryChange(AccessKind kind, string name, JObject assignment, Expiry expiry, List<AccessChange> changes)
        {
            if (!expiry.Given) return;
            if (Instant(assignment["ExpirationDate"]) == expiry.At) return;
            changes.Add(new AccessChange { Kind = kind, Add = true, ChangesExpiry = true, Name = name, RecordId = assignment.Value<string>("Id"), ExpirationDate = expiry.Text });
        }

        /// <summary>A dateTime as read (JSON text, or a date Json.NET parsed in any time zone) as a UTC instant.</summary>
        internal static DateTimeOffset? Instant(JToken value)
        {
            if (value == null || value.Type == JTokenType.Null) return null;
            if (value.Type == JTokenType.Date)
            {
                object raw = ((JValue)value).Value;
                if (raw is DateTimeOffset offset) return offset.ToUniversalTime();
                var time = (DateTime)raw;
                return new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime());
            }
            return DateTimeOffset.Parse(value.ToString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal).ToUniversalTime();
        }

        /// <summary>Group memberships for one user: Merge adds; Overwrite also leaves public groups not listed.</summary>
        public string PlanGroups(IReadOnlyList<string> wanted, IReadOnlyList<JObject> current, SfPermissionSetManagement management, List<AccessChange> changes)
            => PlanGroups(wanted, current, management, changes, out _);

        /// <summary>Like the overload above; <paramref name="code"/> says why a name was refused (UnknownGroup, AmbiguousGroupName).</summary>
        public string PlanGroups(IReadOnlyList<string> wanted, IReadOnlyList<JObject> current, SfPermissionSetManagement management, List<AccessChange> changes, out string code)
        {
            code = null;
            var wantedIds = new HashSet<string>(StringComparer.Ordinal);
            var resolved = new List<JObject>();
            foreach (string name in wanted)
            {
                JObject group = Group(name, out code, out string problem);
                if (group == null) return problem;
                wantedIds.Add(UserOrgContext.Id15(group.Value<string>("Id")));
                resolved.Add(group);
            }
            var have = new HashSet<string>(current.Select(m => UserOrgContext.Id15(m.Value<string>("GroupId"))), StringComparer.Ordinal);
            foreach (JObject group in resolved)
            {
                if (changes.Any(c => c.Kind == AccessKind.Group && c.TargetId == group.Value<string>("Id"))) continue;
                if (!have.Contains(UserOrgContext.Id15(group.Value<string>("Id"))))
                    changes.Add(new AccessChange { Kind = AccessKind.Group, Add = true, Name = group.Value<string>("Name"), TargetId = group.Value<string>("Id") });
            }
            if (!LifecyclePolicy.RemovesUnlistedAccess(management)) return null;
            foreach (JObject membership in current)
            {
                string groupId = membership.Value<string>("GroupId");
                if (wantedIds.Contains(UserOrgContext.Id15(groupId)) || GroupName(groupId) == null) continue; // only public groups are managed
                changes.Add(new AccessChange { Kind = AccessKind.Group, Add = false, Name = GroupName(groupId), RecordId = membership.Value<string>("Id") });
            }
            return null;
        }
    }

    /// <summary>The source's access end date: whether it states one, and the instant (null: no end).</summary>
    public readonly struct Expiry
    {
        public Expiry(bool given, DateTimeOffset? at)
        {
            Given = given;
            At = at?.ToUniversalTime();
        }

        public bool Given { get; }
        public DateTimeOffset? At { get; }

        /// <summary>The instant as Salesforce takes a dateTime: ISO 8601 in UTC, culture-invariant.</summary>
        public string Text => At?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

        public static Expiry Of(SourceUser source) => new Expiry(source.AccessEndDateGiven, source.AccessExpiresAt);
    }
}
