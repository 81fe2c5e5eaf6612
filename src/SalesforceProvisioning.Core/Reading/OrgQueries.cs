using System;
using System.Collections.Generic;
using System.Linq;

namespace SalesforceProvisioning
{
    /// <summary>What Get-SfUser asks for. Patterns use <c>*</c> as the only wildcard.</summary>
    public sealed class SfUserQuery
    {
        /// <summary>Patterns matched against Username, Name or Email (any pattern, any of the three).</summary>
        public IReadOnlyList<string> Names { get; set; }

        /// <summary>Exact usernames (case-insensitive); when set, <see cref="Names"/> is not used.</summary>
        public IReadOnlyList<string> Usernames { get; set; }

        public bool ActiveOnly { get; set; }

        /// <summary>Profile names (patterns allowed); users of any of them.</summary>
        public IReadOnlyList<string> ProfileNames { get; set; }
    }

    /// <summary>What Get-SfGroup asks for.</summary>
    public sealed class SfGroupQuery
    {
        /// <summary>Patterns matched against Name or DeveloperName.</summary>
        public IReadOnlyList<string> Names { get; set; }

        /// <summary>Group types; null or empty means Regular (public groups), <c>*</c> means every type.</summary>
        public IReadOnlyList<string> Types { get; set; }
    }

    /// <summary>What Get-SfPermissionSet asks for.</summary>
    public sealed class SfPermissionSetQuery
    {
        /// <summary>Patterns matched against Name (API name) or Label.</summary>
        public IReadOnlyList<string> Names { get; set; }

        public bool IncludeProfileOwned { get; set; }
    }

    /// <summary>What Get-SfContact asks for. Patterns use <c>*</c> as the only wildcard.</summary>
    public sealed class SfContactQuery
    {
        /// <summary>Patterns matched against Name or Email (any pattern, either field).</summary>
        public IReadOnlyList<string> Names { get; set; }

        /// <summary>Exact emails (case-insensitive); when set, <see cref="Names"/> is not used.</summary>
        public IReadOnlyList<string> Emails { get; set; }

        /// <summary>Only contacts of these accounts (Ids).</summary>
        public IReadOnlyList<string> AccountIds { get; set; }
    }

    /// <summary>What Get-SfLead asks for. Patterns use <c>*</c> as the only wildcard.</summary>
    public sealed class SfLeadQuery
    {
        /// <summary>Patterns matched against Name or Email (any pattern, either field).</summary>
        public IReadOnlyList<string> Names { get; set; }

        /// <summary>Exact emails (case-insensitive); when set, <see cref="Names"/> is not used.</summary>
        public IReadOnlyList<string> Emails { get; set; }

        /// <summary>Lead statuses (patterns allowed); leads in any of them.</summary>
        public IReadOnlyList<string> Statuses { get; set; }

        /// <summary>Converted leads too (read-only in Salesforce; left out by default).</summary>
        public bool IncludeConverted { get; set; }
    }

    /// <summary>
    /// The SOQL of the read-back cmdlets. Every value reaches the text through <see cref="Soql"/>'s
    /// helpers; filtering happens in the query, never over the whole org on the client.
    /// </summary>
    public static class OrgQueries
    {
        /// <summary>Usernames per query when reading by username (five such queries fit one composite call).</summary>
        public const int UsernamesPerQuery = 400;

        public static readonly IReadOnlyList<string> UserFields = new[]
        {
            "Id", "Username", "Email", "FirstName", "LastName", "Name", "Alias", "Title", "Department", "IsActive",
            "UserType", "ProfileId", "Profile.Name", "FederationIdentifier", "EmployeeNumber",
        };

        /// <summary>User fields read when the org has them (left out after an INVALID_FIELD answer).</summary>
        public static readonly IReadOnlyList<string> OptionalUserFields = new[] { "LastLoginDate" };

        public static readonly IReadOnlyList<string> GroupFields = new[] { "Id", "Name", "DeveloperName", "Type", "Description", "DoesIncludeBosses" };

        public static readonly IReadOnlyList<string> PermissionSetFields = new[] { "Id", "Name", "Label", "Description", "IsOwnedByProfile" };

        /// <summary>Permission set fields of newer API versions, read when the org has them.</summary>
        public static readonly IReadOnlyList<string> OptionalPermissionSetFields = new[] { "IsCustom", "Type" };

        /// <summary>Users matching the name patterns, active state and profiles, ordered by Username.</summary>
        public static string Users(SfUserQuery query, IEnumerable<string> optionalFields = null)
        {
            if (query == null) throw new ArgumentNullException(nameof(query));
            var conditions = UserConditions(query);
            string names = AnyLike(new[] { "Username", "Name", "Email" }, query.Names);
            if (names != null) conditions.Insert(0, names);
            return Select(UserFields, optionalFields, "User") + Where(conditions) + " ORDER BY Username";
        }

        /// <summary>Users by exact username, <see cref="UsernamesPerQuery"/> names per statement, with the other filters.</summary>
        public static IEnumerable<string> UsersByUsername(SfUserQuery query, IEnumerable<string> optionalFields = null)
        {
            if (query == null) throw new ArgumentNullException(nameof(query));
            var conditions = UserConditions(query);
            conditions.Add("Username IN");
            return Soql.ChunkedInQueries(Select(UserFields, optionalFields, "User") + Where(conditions), NonEmpty(query.Usernames),
                " ORDER BY Username", UsernamesPerQuery);
        }

        /// <summary>Assigned permission sets of these users, excluding profile-owned sets and permission set group assignments.</summary>
        public static IEnumerable<string> PermissionSetAssignments(IEnumerable<string> userIds)
            => Soql.ChunkedInQueries(
                "SELECT AssigneeId, PermissionSet.Name FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false AND PermissionSetGroupId = null AND AssigneeId IN",
                userIds);

        /// <summary>UserLogin.IsFrozen of these users.</summary>
        public static IEnumerable<string> FrozenStates(IEnumerable<string> userIds)
            => Soql.ChunkedInQueries("SELECT UserId, IsFrozen FROM UserLogin WHERE UserId IN", userIds);

        /// <summary>Groups of the chosen types whose Name or DeveloperName matches, ordered by Name.</summary>
        public static string Groups(SfGroupQuery query)
        {
            if (query == null) throw new ArgumentNullException(nameof(query));
            var conditions = new List<string>();
            var types = NonEmpty(query.Types).ToList();
            if (types.Count == 0) conditions.Add("Type = " + Soql.Literal("Regular"));
            else if (!types.Contains("*")) conditions.Add(AnyLike(new[] { "Type" }, types));
            string names = AnyLike(new[] { "Name", "DeveloperName" }, query.Names);
            if (names != null) conditions.Add(names);
            return Select(GroupFields, null, "Group") + Where(conditions) + " ORDER BY Name";
        }

        /// <summary>Direct members (users and nested groups) of these groups.</summary>
        public static IEnumerable<string> GroupMembers(IEnumerable<string> groupIds)
            => Soql.ChunkedInQueries("SELECT GroupId, UserOrGroupId FROM GroupMember WHERE GroupId IN", groupIds);

        /// <summary>Usernames of these user ids.</summary>
        public static IEnumerable<string> UsernamesById(IEnumerable<string> userIds)
            => Soql.ChunkedInQueries("SELECT Id, Username FROM User WHERE Id IN", userIds);

        /// <summary>Names of these group ids (nested groups).</summary>
        public static IEnumerable<string> GroupNamesById(IEnumerable<string> groupIds)
            => Soql.ChunkedInQueries("SELECT Id, Name, DeveloperName, Type FROM Group WHERE Id IN", groupIds);

        /// <summary>Permission sets whose Name or Label matches; profile-owned ones only when asked, never the aggregates of permission set groups; ordered by Name.</summary>
        public static string PermissionSets(SfPermissionSetQuery query, IEnumerable<string> optionalFields = null)
        {
            if (query == null) throw new ArgumentNullException(nameof(query));
            var conditions = new List<string>();
            if (!query.IncludeProfileOwned) conditions.Add("IsOwnedByProfile = false");
            conditions.Add("PermissionSetGroupId = null"); // a permission set group's aggregate set is never assigned directly
            string names = AnyLike(new[] { "Name", "Label" }, query.Names);
            if (names != null) conditions.Add(names);
            return Select(PermissionSetFields, optionalFields, "PermissionSet") + Where(conditions) + " ORDER BY Name";
        }

        /// <summary>Profiles whose Name matches, ordered by Name.</summary>
        public static string Profiles(IEnumerable<string> names)
        {
            var conditions = new List<string>();
            string match = AnyLike(new[] { "Name" }, names);
            if (match != null) conditions.Add(match);
            return "SELECT Id, Name, UserType, UserLicenseId FROM Profile" + Where(conditions) + " ORDER BY Name";
        }

        /// <summary>Every user licence with its seats (Object Reference: UserLicense, TotalLicenses and UsedLicenses).</summary>
        public const string UserLicenses = "SELECT Id, Name, TotalLicenses, UsedLicenses FROM UserLicense";

        /// <summary>Roles whose Name or DeveloperName matches, ordered by Name.</summary>
        public static string Roles(IEnumerable<string> names)
        {
            var conditions = new List<string>();
            string match = AnyLike(new[] { "Name", "DeveloperName" }, names);
            if (match != null) conditions.Add(match);
            return "SELECT Id, Name, DeveloperName, ParentRoleId FROM UserRole" + Where(conditions) + " ORDER BY Name";
        }

        /// <summary>One row per assignment of these permission sets (to count them).</summary>
        public static IEnumerable<string> AssignmentsOf(IEnumerable<string> permissionSetIds)
            => Soql.ChunkedInQueries("SELECT PermissionSetId FROM PermissionSetAssignment WHERE PermissionSetId IN", permissionSetIds);

        /// <summary>Emails per query when reading contacts or leads by email (five such queries fit one composite call).</summary>
        public const int EmailsPerQuery = 400;

        public static readonly IReadOnlyList<string> ContactFields = new[]
        {
            "Id", "FirstName", "LastName", "Name", "Email", "Phone", "Title", "AccountId", "Account.Name",
        };

        /// <summary>Contact fields read when the org has them (left out after an INVALID_FIELD answer: the emulator, or field-level security).</summary>
        public static readonly IReadOnlyList<string> OptionalContactFields = new[] { "MobilePhone", "Department", "LeadSource" };

        public static readonly IReadOnlyList<string> LeadFields = new[]
        {
            "Id", "FirstName", "LastName", "Name", "Email", "Phone", "Title", "Company", "Status", "IsConverted", "ConvertedContactId",
        };

        /// <summary>Lead fields read when the org has them (left out after an INVALID_FIELD answer).</summary>
        public static readonly IReadOnlyList<string> OptionalLeadFields = new[] { "MobilePhone", "LeadSource" };

        /// <summary>Contacts whose Name or Email matches, of the given accounts, ordered by Name.</summary>
        public static string Contacts(SfContactQuery query, IEnumerable<string> optionalFields = null)
        {
            if (query == null) throw new ArgumentNullException(nameof(query));
            var conditions = ContactConditions(query);
            string names = AnyLike(new[] { "Name", "Email" }, query.Names);
            if (names != null) conditions.Insert(0, names);
            return Select(ContactFields, optionalFields, "Contact") + Where(conditions) + " ORDER BY Name, Id";
        }

        /// <summary>Contacts by exact email, <see cref="EmailsPerQuery"/> emails per statement, with the other filters.</summary>
        public static IEnumerable<string> ContactsByEmail(SfContactQuery query, IEnumerable<string> optionalFields = null)
        {
            if (query == null) throw new ArgumentNullException(nameof(query));
            var conditions = ContactConditions(query);
            conditions.Add("Email IN");
            return Soql.ChunkedInQueries(Select(ContactFields, optionalFields, "Contact") + Where(conditions), NonEmpty(query.Emails),
                " ORDER BY Email", EmailsPerQuery);
        }

        /// <summary>Leads whose Name or Email matches, open ones only unless converted ones are asked for, ordered by Name.</summary>
        public static string Leads(SfLeadQuery query, IEnumerable<string> optionalFields = null)
        {
            if (query == null) throw new ArgumentNullException(nameof(query));
            var conditions = LeadConditions(query);
            string names = AnyLike(new[] { "Name", "Email" }, query.Names);
            if (names != null) conditions.Insert(0, names);
            return Select(LeadFields, optionalFields, "Lead") + Where(conditions) + " ORDER BY Name, Id";
        }

        /// <summary>Leads by exact email, <see cref="EmailsPerQuery"/> emails per statement, with the other filters.</summary>
        public static IEnumerable<string> LeadsByEmail(SfLeadQuery query, IEnumerable<string> optionalFields = null)
        {
            if (query == null) throw new ArgumentNullException(nameof(query));
            var conditions = LeadConditions(query);
            conditions.Add("Email IN");
            return Soql.ChunkedInQueries(Select(LeadFields, optionalFields, "Lead") + Where(conditions), NonEmpty(query.Emails),
                " ORDER BY Email", EmailsPerQuery);
        }

        /// <summary><c>(f1 LIKE p1 OR f2 LIKE p1 OR f1 LIKE p2 ...)</c>, or null without patterns.</summary>
        internal static string AnyLike(IReadOnlyList<string> fields, IEnumerable<string> patterns)
        {
            var terms = NonEmpty(patterns)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .SelectMany(pattern => fields.Select(field => field + " LIKE " + Soql.LikePattern(pattern)))
                .ToList();
            if (terms.Count == 0) return null;
            return terms.Count == 1 ? terms[0] : "(" + string.Join(" OR ", terms) + ")";
        }

        private static List<string> UserConditions(SfUserQuery query)
        {
            var conditions = new List<string>();
            if (query.ActiveOnly) conditions.Add("IsActive = true");
            string profiles = AnyLike(new[] { "Profile.Name" }, query.ProfileNames);
            if (profiles != null) conditions.Add(profiles);
            return conditions;
        }

        private static List<string> ContactConditions(SfContactQuery query)
        {
            var conditions = new List<string>();
            var accounts = NonEmpty(query.AccountIds).Select(a => a.Trim()).Distinct(StringComparer.Ordinal).ToList(); // 15-character Ids are case-sensitive
            if (accounts.Count > 0) conditions.Add("AccountId IN " + Soql.InList(accounts));
            return conditions;
        }

        private static List<string> LeadConditions(SfLeadQuery query)
        {
            var conditions = new List<string>();
            if (!query.IncludeConverted) conditions.Add("IsConverted = false");
            string statuses = AnyLike(new[] { "Status" }, query.Statuses);
            if (statuses != null) conditions.Add(statuses);
            return conditions;
        }

        private static string Select(IEnumerable<string> fields, IEnumerable<string> optionalFields, string objectName)
            => "SELECT " + string.Join(", ", fields.Concat(optionalFields ?? Enumerable.Empty<string>())) + " FROM " + objectName;

        // "x AND y AND Username IN" reads as a prefix for ChunkedInQueries; the last condition may be the open IN.
        private static string Where(IReadOnlyList<string> conditions)
            => conditions.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", conditions);

        private static IEnumerable<string> NonEmpty(IEnumerable<string> values)
            => (values ?? Enumerable.Empty<string>()).Where(v => !string.IsNullOrEmpty(v));
    }
}
