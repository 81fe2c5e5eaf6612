using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace SalesforceProvisioning
{
    /// <summary>Reads groups and members from any source object by common property names (AD, Entra, CSV).</summary>
    public static class SourceGroupReader
    {
        public static readonly IReadOnlyList<string> NameProperties = new[] { "Name", "DisplayName", "GroupName", "cn", "SamAccountName" };
        public static readonly IReadOnlyList<string> SourceIdProperties = new[] { "SourceId", "ObjectGUID", "ObjectId", "Guid", "SID", "ExternalId" };
        public static readonly IReadOnlyList<string> DescriptionProperties = new[] { "Description" };
        public static readonly IReadOnlyList<string> MemberProperties = new[] { "Members", "Member", "Users" };
        public static readonly IReadOnlyList<string> UserKeyProperties = new[] { "Username", "UserPrincipalName", "mail" };

        public static SourceGroup Read(object input, int index, Func<object, string, (bool Found, object Value)> readProperty)
        {
            var group = new SourceGroup { Input = input, Index = index };
            if (input is string text) { group.Name = text.Trim(); return group; }
            group.Name = Text(First(input, NameProperties, readProperty));
            group.SourceId = Text(First(input, SourceIdProperties, readProperty));
            var (hasDescription, description) = FirstPresent(input, DescriptionProperties, readProperty);
            if (hasDescription) group.Description = Text(description) ?? "";
            var (hasMembers, members) = FirstPresent(input, MemberProperties, readProperty);
            if (hasMembers) group.Members = ToMembers(members, readProperty);
            var (hasDeleted, deleted) = FirstPresent(input, SfAttributeMap.DeletedProperties, readProperty);
            if (hasDeleted && Text(deleted) != null)
            {
                if (YesNo.TryParse(deleted, out bool isDeleted)) group.Deleted = isDeleted;
                else group.Problem = $"Deleted: '{Text(deleted)}' is not a yes/no value; give it as one of {YesNo.Words}.";
            }
            return group;
        }

        /// <summary>Members as given: usernames or group names as text, or user and group objects.</summary>
        public static List<MemberRef> ToMembers(object value, Func<object, string, (bool Found, object Value)> readProperty)
        {
            var members = new List<MemberRef>();
            IEnumerable items = value is string || !(value is IEnumerable list) ? new[] { value } : list;
            foreach (object item in items)
            {
                if (item == null) continue;
                if (item is string text)
                {
                    if (text.Trim().Length > 0) members.Add(MemberRef.FromText(text, item));
                    continue;
                }
                string username = Text(First(item, UserKeyProperties, readProperty));
                if (username != null) { members.Add(new MemberRef(SfMemberType.User, username, item)); continue; }
                string name = Text(First(item, NameProperties, readProperty));
                if (name != null) members.Add(new MemberRef(SfMemberType.Group, name, item));
                else members.Add(new MemberRef(SfMemberType.User, Convert.ToString(item, System.Globalization.CultureInfo.InvariantCulture), item));
            }
            return members;
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
            string text = value == null ? null : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)?.Trim();
            return string.IsNullOrEmpty(text) ? null : text;
        }
    }
}
