using System.Collections;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>The Communities target: users linked to contacts under a business account.</summary>
    public class CommunitiesTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _acme;

        public CommunitiesTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
            _acme = _emulator.Query("SELECT Id FROM Account WHERE Name = 'Acme Corporation'").Single()["Id"].ToString();
        }

        private PowerShellHost Session(string extra = "") => _emulator.NewSession($"-Target Communities -AccountId {_acme} {extra}");

        private JsonNode User(string username) => _emulator.Query($"SELECT Id, ContactId, IsActive FROM User WHERE Username = '{username.Replace("'", "\\'")}'").SingleOrDefault();

        [Theory, MemberData(nameof(EmulatorFixture.OrgShapes), MemberType = typeof(EmulatorFixture))]
        public void New_community_users_link_to_the_contact_found_by_email_or_a_new_one(string org)
        {
            _emulator.UseOrg(org);
            using var ps = Session();
            var result = ps.Run(@"@(
    [pscustomobject]@{ Username = 'connie@portal.example.com'; FirstName = 'Connie'; LastName = 'Newcomer'; Email = 'connie.newcomer@example.com' }
    [pscustomobject]@{ Username = ""nora.o'neil@portal.example.com""; FirstName = 'Nóra'; LastName = ""O'Neil""; Email = ""nora.o'neil@example.com"" }
) | Sync-SfUser -Profile 'Customer Community User'");
            Assert.Empty(result.Errors);
            Assert.Equal(new[] { "Created", "Created" }, result.Output.Select(o => o.Prop("Action")).ToArray());
            Assert.StartsWith("003Em0000000003", User("connie@portal.example.com")["ContactId"].ToString());
            var nora = _emulator.Query("SELECT Id, AccountId, LastName FROM Contact WHERE Email = 'nora.o\\'neil@example.com'").Single();
            Assert.Equal(_acme, nora["AccountId"].ToString());
            Assert.Equal(nora["Id"].ToString(), User("nora.o'neil@portal.example.com")["ContactId"].ToString());

            var again = ps.Run("[pscustomobject]@{ Username = 'connie@portal.example.com'; LastName = 'Newcomer'; Email = 'connie.newcomer@example.com'; Enabled = $false } | Sync-SfUser");
            Assert.Equal("Disabled", again.Output.Single().Prop("Action"));
            Assert.StartsWith("003Em0000000003", User("connie@portal.example.com")["ContactId"].ToString()); // deprovisioning keeps the link
        }

        [Theory, MemberData(nameof(EmulatorFixture.OrgShapes), MemberType = typeof(EmulatorFixture))]
        public void Person_accounts_missing_accounts_and_non_community_profiles_are_refused_clearly(string org)
        {
            _emulator.UseOrg(org);
            using var ps = Session();
            const string others = @"
    [pscustomobject]@{ Username = 'p2@portal.example.com'; LastName = 'P2'; Email = 'p2@example.com'; AccountId = '001Em00000009ZZ' }
    [pscustomobject]@{ Username = 'p3@portal.example.com'; LastName = 'P3'; Email = 'p3@example.com'; ProfileName = 'Standard User' }";
            if (org == EmulatorFixture.BusinessOnly)
            {
                // Without Person Accounts every account is a business account, and the field is never asked for.
                var plain = ps.Run("@(" + others + ") | Sync-SfUser -Profile 'Customer Community User'");
                Assert.Equal(new[] { "AccountNotFound", "NotACommunityProfile" }, plain.Output.Select(o => o.Prop("ErrorCode")).ToArray());
                return;
            }

            string person = _emulator.Query("SELECT Id FROM Account WHERE IsPersonAccount = true").Single()["Id"].ToString();
            var result = ps.Run($@"@(
    [pscustomobject]@{{ Username = 'p1@portal.example.com'; LastName = 'P1'; Email = 'p1@example.com'; AccountId = '{person}' }}" + others + @"
) | Sync-SfUser -Profile 'Customer Community User'");
            Assert.Equal(new[] { "PersonAccountNotSupported", "AccountNotFound", "NotACommunityProfile" }, result.Output.Select(o => o.Prop("ErrorCode")).ToArray());
            Assert.Contains("person account", result.Output[0].Prop("Message"));

            using var bad = _emulator.NewSession($"-Target Communities -AccountId {person}");
            var refused = bad.Run("[pscustomobject]@{ Username = 'p4@portal.example.com'; LastName = 'P4'; Email = 'p4@example.com' } | Sync-SfUser -Profile 'Customer Community User'");
            Assert.Equal("InvalidAccountId,SalesforceProvisioning.Commands.SyncSfUserCommand", refused.Errors.Single().FullyQualifiedErrorId);
            Assert.Empty(refused.Output);
        }

        [Theory, MemberData(nameof(EmulatorFixture.OrgShapes), MemberType = typeof(EmulatorFixture))]
        public void A_contact_that_already_has_a_user_is_reported_not_duplicated(string org)
        {
            _emulator.UseOrg(org);
            using var ps = Session();
            var result = ps.Run("[pscustomobject]@{ Username = 'carla.second@portal.example.com'; LastName = 'Community'; Email = 'carla.community@example.com' } | Sync-SfUser -Profile 'Customer Community User'");
            Assert.Equal("ContactAlreadyHasUser", result.Output.Single().Prop("ErrorCode"));
            Assert.Contains("carla.community@emulator.example.com", result.Output.Single().Prop("Message"));
            Assert.Null(User("carla.second@portal.example.com"));
        }

        [Theory, MemberData(nameof(EmulatorFixture.OrgShapes), MemberType = typeof(EmulatorFixture))]
        public void A_community_user_unlinked_from_its_contact_is_reported_with_a_remedy(string org)
        {
            _emulator.UseOrg(org);
            _emulator.Post("unlink-portal-user", "{\"username\":\"carla.community@emulator.example.com\"}");
            using var ps = Session();
            var result = ps.Run("[pscustomobject]@{ Username = 'carla.community@emulator.example.com'; LastName = 'Community'; Email = 'carla.community@example.com'; Enabled = $true } | Sync-SfUser");
            Assert.Equal("CommunityUserUnlinked", result.Output.Single().Prop("ErrorCode"));
            Assert.Contains("Enable Customer User", result.Output.Single().Prop("Remedy"));
            Assert.Single(_emulator.Query("SELECT Id FROM User WHERE Email LIKE 'carla%'"));
        }

        [Theory, MemberData(nameof(EmulatorFixture.OrgShapes), MemberType = typeof(EmulatorFixture))]
        public void Guest_users_are_never_frozen_and_say_why(string org)
        {
            _emulator.UseOrg(org);
            using var ps = Session("-DisableAction Freeze");
            var result = ps.Run("[pscustomobject]@{ Username = 'site.guest@emulator-site.example.com'; Enabled = $false } | Sync-SfUser");
            var guest = result.Output.Single();
            Assert.Equal("Skipped", guest.Prop("Action"));
            Assert.Contains("Guest users cannot be frozen", guest.Prop("Message"));
            Assert.Contains("-DisableAction Disable", guest.Prop("Remedy"));
        }

        [Theory, MemberData(nameof(EmulatorFixture.OrgShapes), MemberType = typeof(EmulatorFixture))]
        public void Membership_sync_is_refused_for_communities_with_a_clear_error(string org)
        {
            _emulator.UseOrg(org);
            using var ps = Session();
            var result = ps.Run("Set-SfGroupMembership -Group 'All Sales' -Member 'alice.active@emulator.example.com'");
            Assert.Equal("MembershipNotSupportedForCommunities,SalesforceProvisioning.Commands.SetSfGroupMembershipCommand", result.Errors.Single().FullyQualifiedErrorId);
        }
    }
}
