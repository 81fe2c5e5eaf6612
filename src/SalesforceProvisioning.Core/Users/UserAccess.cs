using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    public enum AccessKind { PermissionSet, Group }

    /// <summary>One permission set assignment or public group membership to add or remove for a user.</summary>
    public sealed class AccessChange
    {
        public AccessKind Kind { get; set; }
        public bool Add { get; set; }
        public string Name { get; set; }

        /// <summary>The permission set or group to add the user to.</summary>
        public string TargetId { get; set; }

        /// <summary>The assignment or membership record to delete.</summary>
        public string RecordId { get; set; }

        public override string ToString() => $"{(Add ? "+" : "-")}{Kind}:{Name}";
    }

    /// <summary>The org's permission sets and public groups by name, and each user's current access.</summary>
    public sealed class AccessCatalog
    {
        private readonly Dictionary<string, JObject> _permissionSets = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, JObject> _permissionSetsById = new Dictionary<string, JObject>(StringComparer.Ordinal);
        private readonly Dictionary<string, JObject> _groups = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, List<JObject>> _groupsByLabel = new Dictionary<string, List<JObject>>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, JObject> _groupsById = new Dictionary<string, JObject>(StringComparer.Ordinal);

        public bool GroupsLoaded { get; private set; }

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
        public string PlanPermissionSets(IReadOnlyList<string> wanted, IReadOnlyList<JObject> current, SfPermissionSetManagement management, List<AccessChange> changes)
        {
            var wantedIds = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in wanted)
            {
                JObject set = PermissionSet(name);
                if (set == null) return $"Permission set '{name}' does not exist in this org.";
                if (set.Value<bool?>("IsOwnedByProfile") == true) return $"Permission set '{name}' belongs to a profile and cannot be assigned.";
                wantedIds.Add(UserOrgContext.Id15(set.Value<string>("Id")));
            }
            var have = new HashSet<string>(current.Select(a => UserOrgContext.Id15(a.Value<string>("PermissionSetId"))), StringComparer.Ordinal);
            foreach (string name in wanted)
            {
                JObject set = PermissionSet(name);
                string id = set.Value<string>("Id");
                if (!have.Contains(UserOrgContext.Id15(id)) && !changes.Any(c => c.Kind == AccessKind.PermissionSet && c.TargetId == id))
                    changes.Add(new AccessChange { Kind = AccessKind.PermissionSet, Add = true, Name = set.Value<string>("Name"), TargetId = id });
            }
            if (management != SfPermissionSetManagement.Overwrite) return null;
            foreach (JObject assignment in current)
            {
                if (assignment["PermissionSetGroupId"]?.Type == JTokenType.String) continue; // granted through a permission set group
                string setId = assignment.Value<string>("PermissionSetId");
                if (wantedIds.Contains(UserOrgContext.Id15(setId))) continue;
                changes.Add(new AccessChange { Kind = AccessKind.PermissionSet, Add = false, Name = PermissionSetName(setId), RecordId = assignment.Value<string>("Id") });
            }
            return null;
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
            if (management != SfPermissionSetManagement.Overwrite) return null;
            foreach (JObject membership in current)
            {
                string groupId = membership.Value<string>("GroupId");
                if (wantedIds.Contains(UserOrgContext.Id15(groupId)) || GroupName(groupId) == null) continue; // only public groups are managed
                changes.Add(new AccessChange { Kind = AccessKind.Group, Add = false, Name = GroupName(groupId), RecordId = membership.Value<string>("Id") });
            }
            return null;
        }
    }
}
