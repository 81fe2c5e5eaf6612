using System;
using System.Linq;
using Newtonsoft.Json.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>The SOQL the read-back cmdlets send: filters in the query, every value escaped.</summary>
    public class OrgReaderSoqlTests
    {
        private const string UserSelect = "SELECT Id, Username, Email, FirstName, LastName, Name, Alias, Title, Department, IsActive, UserType, ProfileId, Profile.Name, FederationIdentifier, EmployeeNumber";

        [Fact]
        public void All_users_without_filters()
        {
            Assert.Equal(UserSelect + ", LastLoginDate FROM User ORDER BY Username",
                OrgQueries.Users(new SfUserQuery(), OrgQueries.OptionalUserFields));
            Assert.Equal(UserSelect + " FROM User ORDER BY Username", OrgQueries.Users(new SfUserQuery()));
        }

        [Fact]
        public void A_name_pattern_searches_username_name_and_email_with_escaped_wildcards()
        {
            string soql = OrgQueries.Users(new SfUserQuery { Names = new[] { "*O'Brien*" } });
            Assert.EndsWith(@" FROM User WHERE (Username LIKE '%O\'Brien%' OR Name LIKE '%O\'Brien%' OR Email LIKE '%O\'Brien%') ORDER BY Username", soql);

            string literal = OrgQueries.Users(new SfUserQuery { Names = new[] { @"100%_a\b" } });
            Assert.Contains(@"Username LIKE '100\%\_a\\b'", literal);
        }

        [Fact]
        public void Filters_are_anded_and_patterns_ored_in_parentheses()
        {
            string soql = OrgQueries.Users(new SfUserQuery { Names = new[] { "a*", "b*", "A*" }, ActiveOnly = true, ProfileNames = new[] { "Standard User" } });
            Assert.EndsWith(" FROM User WHERE (Username LIKE 'a%' OR Name LIKE 'a%' OR Email LIKE 'a%' OR Username LIKE 'b%' OR Name LIKE 'b%' OR Email LIKE 'b%')"
                + " AND IsActive = true AND Profile.Name LIKE 'Standard User' ORDER BY Username", soql);
        }

        [Fact]
        public void Usernames_go_in_chunks_of_400_with_the_other_filters()
        {
            var names = Enumerable.Range(0, 1000).Select(i => $"user{i}@example.com").Append("o'neil@example.com").ToList();
            var statements = OrgQueries.UsersByUsername(new SfUserQuery { Usernames = names, ActiveOnly = true }).ToList();
            Assert.Equal(3, statements.Count);
            Assert.All(statements, s => Assert.StartsWith(UserSelect + " FROM User WHERE IsActive = true AND Username IN ('", s));
            Assert.All(statements, s => Assert.EndsWith(") ORDER BY Username", s));
            Assert.Contains(@"'o\'neil@example.com'", statements[2]);
            Assert.Equal(names.Count, statements.Sum(s => s.Split("@example.com").Length - 1));
        }

        [Fact]
        public void Extras_are_chunked_in_queries_never_one_per_record()
        {
            var ids = Enumerable.Range(0, 2000).Select(i => "005Em" + i.ToString("D10") + "AAA").ToList();
            var assignments = OrgQueries.PermissionSetAssignments(ids).ToList();
            Assert.InRange(assignments.Count, 4, 5); // URL length, not record count, decides the size
            Assert.All(assignments, s => Assert.StartsWith(
                "SELECT AssigneeId, PermissionSet.Name FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false AND PermissionSetGroupId = null AND AssigneeId IN ('", s));
            Assert.All(assignments, s => Assert.True(Uri.EscapeDataString(s).Length < 14_000)); // a GET URL Salesforce accepts (~16,000)

            Assert.Equal("SELECT GroupId, UserOrGroupId FROM GroupMember WHERE GroupId IN ('00G1','00G2')", OrgQueries.GroupMembers(new[] { "00G1", "00G2" }).Single());
            Assert.Equal("SELECT UserId, IsFrozen FROM UserLogin WHERE UserId IN ('0051')", OrgQueries.FrozenStates(new[] { "0051" }).Single());
        }

        [Fact]
        public void Groups_are_public_groups_unless_types_are_given()
        {
            Assert.Equal("SELECT Id, Name, DeveloperName, Type, Description, DoesIncludeBosses FROM Group WHERE Type = 'Regular' ORDER BY Name",
                OrgQueries.Groups(new SfGroupQuery()));
            Assert.EndsWith(@"WHERE (Type LIKE 'Queue' OR Type LIKE 'Role%') AND (Name LIKE 'Sales\_%' OR DeveloperName LIKE 'Sales\_%') ORDER BY Name",
                OrgQueries.Groups(new SfGroupQuery { Types = new[] { "Queue", "Role*" }, Names = new[] { "Sales_*" } }));
            Assert.EndsWith("FROM Group ORDER BY Name", OrgQueries.Groups(new SfGroupQuery { Types = new[] { "*" } }));
        }

        [Fact]
        public void Permission_sets_leave_out_profile_owned_ones_by_default()
        {
            Assert.Equal("SELECT Id, Name, Label, Description, IsOwnedByProfile, IsCustom, Type FROM PermissionSet WHERE IsOwnedByProfile = false AND PermissionSetGroupId = null"
                + @" AND (Name LIKE 'Partner\'s%' OR Label LIKE 'Partner\'s%') ORDER BY Name",
                OrgQueries.PermissionSets(new SfPermissionSetQuery { Names = new[] { "Partner's*" } }, OrgQueries.OptionalPermissionSetFields));
            Assert.Equal("SELECT Id, Name, Label, Description, IsOwnedByProfile FROM PermissionSet WHERE PermissionSetGroupId = null ORDER BY Name",
                OrgQueries.PermissionSets(new SfPermissionSetQuery { IncludeProfileOwned = true }));
        }

        [Fact]
        public void Records_become_typed_objects_and_Enabled_follows_IsActive()
        {
            var user = OrgReader.ToUser(JObject.Parse(@"{ ""Id"": ""005x"", ""Username"": ""a@b.c"", ""IsActive"": false, ""Profile"": { ""Name"": ""Standard User"" }, ""LastLoginDate"": ""2024-05-01T10:00:00.000+0000"" }"));
            Assert.False(user.IsActive);
            Assert.False(user.Enabled);
            Assert.Equal("Standard User", user.ProfileName);
            Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), user.LastLoginDate);
            Assert.Null(user.PermissionSets);
            Assert.Null(user.IsFrozen);
            Assert.Equal("a@b.c", user.ToString());
        }
    }
}
