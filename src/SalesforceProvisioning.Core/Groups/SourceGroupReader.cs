using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace SalesforceProvisioning
{
    /// <summary>
    /// Reads groups and members from any source object by common property names, including the objects
    /// Microsoft Graph (Get-MgGroup, Get-MgGroupMember) and Active Directory (Get-ADGroup, Get-ADGroupMember)
    /// return as they come: Graph's Id as the stable id, Graph member objects by the userPrincipalName or mail
    /// in their AdditionalProperties, AD member distinguished names resolved against the input.
    /// </summary>
    public static class SourceGroupReader
    {
        public static readonly IReadOnlyList<string> NameProperties = new[] { "Name", "DisplayName", "GroupName", "cn", "SamAccountName" };
        public static readonly IReadOnlyList<string> SourceIdProperties = new[] { "SourceId", "ObjectGUID", "ObjectId", "Guid", "SID", "ExternalId" };
        public static readonly IReadOnlyList<string> DescriptionProperties = new[] { "Description" };
        public static readonly IReadOnlyList<string> MemberProperties = new[] { "Members", "Member", "Users" };
        public static readonly IReadOnlyList<string> UserKeyProperties = new[] { "Username", "UserPrincipalName", "mail" };

        /// <summary>Graph's directory object id; taken as a source id only when it is a GUID (a Salesforce Id never is).</summary>
        private const string GraphIdProperty = "Id";
        private const string ODataTypeProperty = "@odata.type";

        /// <summary>CN=...,OU=...,DC=...: the form of AD's member and DistinguishedName values.</summary>
        private static readonly Regex DistinguishedNameShape = new Regex(@"^\s*(CN|OU|UID)=.+,\s*(DC|OU|O|CN)=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        public static SourceGroup Read(object input, int index, Func<object, string, (bool Found, object Value)> readProperty,
            string sourceIdProperty = null, Func<object, IEnumerable<string>> propertyNames = null)
        {
            var group = new SourceGroup { Input = input, Index = index };
            if (input is string text) { group.Name = text.Trim(); return group; }
            group.Name = Text(First(input, NameProperties, readProperty));
            string graphId = GraphId(input, readProperty);
            if (sourceIdProperty != null)
            {
                var (found, value) = readProperty(input, sourceIdProperty);
                group.SourceId = Text(value);
                if (!found || group.SourceId == null)
                    group.Problem = MissingSourceId(sourceIdProperty, found, propertyNames?.Invoke(input));
            }
            else group.SourceId = Text(First(input, SourceIdProperties, readProperty)) ?? graphId;
            group.DirectoryIds = new[] { graphId, Text(readProperty(input, "ObjectGUID").Value), Text(readProperty(input, "ObjectId").Value), group.SourceId }
                .Where(id => id != null).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            group.DistinguishedName = Text(readProperty(input, "DistinguishedName").Value);
            var (hasDescription, description) = FirstPresent(input, DescriptionProperties, readProperty);
            if (hasDescription) group.Description = Text(description) ?? "";
            var (hasMembers, members) = FirstPresent(input, MemberProperties, readProperty);
            if (hasMembers) group.Members = ToMembers(members, readProperty);
            var (hasDeleted, deleted) = FirstPresent(input, SfAttributeMap.DeletedProperties, readProperty);
            group.Deleted = hasDeleted && deleted != null && (deleted is bool b ? b : string.Equals(Text(deleted), "true", StringComparison.OrdinalIgnoreCase));
            return group;
        }

        private static SourceProblem MissingSourceId(string property, bool found, IEnumerable<string> available)
        {
            if (found) return new SourceProblem("SourceIdProperty", $"The group's '{property}' is empty, so it has no stable source id.", "Give every group a value in that property, or choose another -SourceIdProperty.");
            var closest = SourcePropertyCheck.Closest(property, available ?? Enumerable.Empty<string>());
            return new SourceProblem("SourceIdProperty", $"The input has no property '{property}' (-SourceIdProperty)." + (closest.Count > 0 ? $" Closest: {SourcePropertyCheck.Quote(closest)}." : ""),
                "Name a property the input objects have (Get-Member shows them).");
        }

        /// <summary>Members as given: usernames or group names as text, AD distinguished names, or user and group objects (AD, Graph, Salesforce).</summary>
        public static List<MemberRef> ToMembers(object value, Func<object, string, (bool Found, object Value)> readProperty)
        {
            var members = new List<MemberRef>();
            IEnumerable items = value is string || !(value is IEnumerable list) || value is IDictionary ? new[] { value } : list;
            foreach (object item in items)
            {
                if (item == null) continue;
                if (item is string text)
                {
                    if (text.Trim().Length == 0) continue;
                    members.Add(IsDistinguishedName(text)
                        ? MemberRef.ByDistinguishedName(SfMemberType.User, text.Trim(), text.Trim(), item)
                        : MemberRef.FromText(text, item));
                    continue;
                }
                members.Add(ToMember(item, readProperty));
            }
            return members;
        }

        private static MemberRef ToMember(object item, Func<object, string, (bool Found, object Value)> readProperty)
        {
            string name = Text(First(item, NameProperties, readProperty));
            // Get-MgGroupMember: a directoryObject whose AdditionalProperties say what it is.
            string odataType = Text(readProperty(item, ODataTypeProperty).Value);
            if (odataType != null && odataType.EndsWith(".group", StringComparison.OrdinalIgnoreCase))
                return MemberRef.ByDirectoryId(GraphId(item, readProperty) ?? Text(readProperty(item, GraphIdProperty).Value), name, item);
            if (odataType != null && !odataType.EndsWith(".user", StringComparison.OrdinalIgnoreCase))
                return MemberRef.Unresolved(name ?? Text(readProperty(item, GraphIdProperty).Value) ?? odataType, item,
                    $"'{name}' is a {odataType.Substring(odataType.LastIndexOf('.') + 1)}, and Salesforce public groups hold only users and groups.",
                    "Filter the members to users and groups (Get-MgGroupMember | Where-Object { $_.AdditionalProperties['@odata.type'] -in '#microsoft.graph.user', '#microsoft.graph.group' }).");

            // A group object (Get-ADGroup, Get-MgGroup) is a group even when it is mail-enabled.
            string objectClass = Text(readProperty(item, "objectClass").Value);
            string distinguishedName = Text(readProperty(item, "DistinguishedName").Value);
            if (string.Equals(objectClass, "group", StringComparison.OrdinalIgnoreCase) || readProperty(item, "GroupTypes").Found)
            {
                if (distinguishedName != null) return MemberRef.ByDistinguishedName(SfMemberType.Group, name ?? distinguishedName, distinguishedName, item);
                string id = GraphId(item, readProperty);
                if (id != null) return MemberRef.ByDirectoryId(id, name, item);
                if (name != null) return new MemberRef(SfMemberType.Group, name, item);
            }

            string username = Text(First(item, UserKeyProperties, readProperty));
            if (username != null) return new MemberRef(SfMemberType.User, username, item);
            if (odataType != null)
                return MemberRef.Unresolved(name ?? Text(readProperty(item, GraphIdProperty).Value), item, $"The user '{name}' has neither a userPrincipalName nor a mail in the Graph answer.",
                    "Ask Graph for them: Get-MgGroupMember -All -Property id,userPrincipalName,mail,displayName.");

            // Get-ADGroupMember: an ADPrincipal of a user has a DistinguishedName but no UserPrincipalName.
            if (distinguishedName != null) return MemberRef.ByDistinguishedName(SfMemberType.User, distinguishedName, distinguishedName, item);
            if (name != null) return new MemberRef(SfMemberType.Group, name, item);
            return new MemberRef(SfMemberType.User, Convert.ToString(item), item);
        }

        /// <summary>
        /// Resolves members given by AD distinguished name or Graph object id: a group of the same input (by its
        /// DistinguishedName or Id), else a user of <paramref name="directoryUsers"/> (by DistinguishedName, as
        /// Get-ADUser returns them, or OnPremisesDistinguishedName, as Get-MgUser does for synced users), else, for a member known to be a group, its name. Anything else is an
        /// UnresolvedMember failure of that member: a user is never guessed from the CN of a DN.
        /// </summary>
        public static void ResolveReferences(IReadOnlyList<SourceGroup> groups, IEnumerable<object> directoryUsers, Func<object, string, (bool Found, object Value)> readProperty)
        {
            var groupsByDn = new Dictionary<string, SourceGroup>(StringComparer.OrdinalIgnoreCase);
            var groupsById = new Dictionary<string, SourceGroup>(StringComparer.OrdinalIgnoreCase);
            foreach (SourceGroup group in groups.Where(g => g.Name != null))
            {
                if (group.DistinguishedName != null && !groupsByDn.ContainsKey(NormalizeDn(group.DistinguishedName))) groupsByDn[NormalizeDn(group.DistinguishedName)] = group;
                foreach (string id in group.DirectoryIds)
                    if (!groupsById.ContainsKey(id)) groupsById[id] = group;
            }
            var usersByDn = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (object user in directoryUsers ?? Enumerable.Empty<object>())
            {
                // Get-ADUser's DistinguishedName, or the one Entra keeps for a user synced from AD (Get-MgUser).
                string dn = Text(readProperty(user, "DistinguishedName").Value) ?? Text(readProperty(user, "OnPremisesDistinguishedName").Value);
                string username = Text(First(user, UserKeyProperties, readProperty));
                if (dn != null && username != null) usersByDn[NormalizeDn(dn)] = username;
            }

            foreach (SourceGroup group in groups.Where(g => g.Members != null))
                group.Members = group.Members.Select(m => Resolve(m, groupsByDn, groupsById, usersByDn)).ToList();
        }

        private static MemberRef Resolve(MemberRef member, Dictionary<string, SourceGroup> groupsByDn, Dictionary<string, SourceGroup> groupsById, Dictionary<string, string> usersByDn)
        {
            if (member.DirectoryId != null)
                return groupsById.TryGetValue(member.DirectoryId, out SourceGroup byId) ? member.ToGroupOf(byId) : member;
            if (member.DistinguishedName == null) return member;
            string dn = NormalizeDn(member.DistinguishedName);
            if (groupsByDn.TryGetValue(dn, out SourceGroup nested)) return member.ToGroupOf(nested);
            if (usersByDn.TryGetValue(dn, out string username)) return new MemberRef(SfMemberType.User, username, member.Input);
            if (member.Type == SfMemberType.Group && member.Key != member.DistinguishedName) return member;
            return MemberRef.Unresolved(member.DistinguishedName, member.Input,
                $"The member '{member.DistinguishedName}' is neither a group of this input nor a user of -DirectoryUser, so it cannot be told apart from a user or group of the same name.",
                "Pass the users once with -DirectoryUser (Get-ADUser -Filter * with their UserPrincipalName), include the nested group in the input, or give members as user objects (Get-ADGroupMember | Get-ADUser).");
        }

        /// <summary>AD returns one form per DN; only case and blanks after commas may differ between tools.</summary>
        private static string NormalizeDn(string dn) => Regex.Replace(dn.Trim(), @",\s+", ",");

        public static bool IsDistinguishedName(string text) => DistinguishedNameShape.IsMatch(text);

        private static string GraphId(object input, Func<object, string, (bool Found, object Value)> readProperty)
        {
            object id = readProperty(input, GraphIdProperty).Value;
            if (id is Guid guid) return guid.ToString("D");
            string text = Text(id);
            return text != null && Guid.TryParse(text, out Guid parsed) ? parsed.ToString("D") : null;
        }

        private static object First(object input, IReadOnlyList<string> names, Func<object, string, (bool Found, object Value)> readProperty)
            => FirstPresent(input, names, readProperty).Value;

        private static (bool Found, object Value) FirstPresent(object input, IReadOnlyList<string> names, Func<object, string, (bool Found, object Value)> readProperty)
        {
            foreach (string name in names)
            {
                var (found, value) = readProperty(input, name);
                if (found && value != null) return (true, value);
            }
            return (false, null);
        }

        private static string Text(object value)
        {
            if (value is Guid guid) return guid.ToString("D");
            string text = value == null ? null : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)?.Trim();
            return string.IsNullOrEmpty(text) ? null : text;
        }
    }
}
