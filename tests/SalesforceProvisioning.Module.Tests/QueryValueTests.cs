using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// One bad value never fails its neighbours (issue 11 #21): values that would go into a shared query are
    /// checked first (Salesforce ids are 15 or 18 letters and digits; text no longer than the field's describe
    /// length), so the bad record fails alone and the rest of its window is synced.
    /// </summary>
    public class QueryValueTests : IClassFixture<EmulatorFixture>
    {
        private const string Huge = "$huge = ('a' * 1MB) + '@huge.example.com'; ";
        private readonly EmulatorFixture _emulator;
        private readonly string _acme;

        public QueryValueTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
            _acme = _emulator.Query("SELECT Id FROM Account WHERE Name = 'Acme Corporation'").Single()["Id"].ToString();
        }

        private static string Summary(ScriptResult r) => string.Join("; ", r.Output.GroupBy(o => o.Prop("Action") + "/" + o.Prop("ErrorCode")).Select(g => g.Key + "=" + g.Count()))
            + " | " + string.Join("; ", r.Errors.Take(2).Select(e => e.FullyQualifiedErrorId));

        [Fact]
        public void A_one_megabyte_username_fails_alone_and_its_99_neighbours_are_created()
        {
            // An org of more than 10,000 users, so the window is matched by Username queries rather than one scan.
            var seed = System.Text.Json.Nodes.JsonNode.Parse(System.IO.File.ReadAllText(System.IO.Path.Combine(PowerShellHost.RepoRoot, "src", "SalesforceProvisioning.Emulator", "Data", "DefaultSeed.json")));
            var users = seed["objects"]["User"].AsArray();
            for (int i = 0; i < 10_001; i++)
                users.Add(new System.Text.Json.Nodes.JsonObject
                {
                    ["Username"] = $"big{i}@big-org.example.com", ["LastName"] = "Big", ["Email"] = $"big{i}@big-org.example.com", ["Alias"] = "big",
                    ["TimeZoneSidKey"] = "GMT", ["LocaleSidKey"] = "en_US", ["EmailEncodingKey"] = "UTF-8", ["LanguageLocaleKey"] = "en_US", ["ProfileId"] = "00eEm0000000002",
                });
            _emulator.Post("seed", seed.ToJsonString());
            using var ps = _emulator.NewSession();
            var result = ps.Run(Huge + "$users = 1..100 | ForEach-Object { [pscustomobject]@{ Username = $(if ($_ -eq 50) { $huge } else { \"n$_@neighbours.example.com\" }); LastName = \"N$_\"; Email = \"n$_@neighbours.example.com\" } }; " +
                "$users | Sync-SfUser -Profile 'Standard User' -InformationVariable info; $info");
            Assert.Contains("matching: by-username", result.Output.Last().ToString());
            Assert.True(result.Output.Count(o => o.Prop("Action") == "Created") == 99, Summary(result));
            var bad = result.Output[49];
            Assert.Equal("Failed", bad.Prop("Action"));
            Assert.Equal("InvalidFieldValue", bad.Prop("ErrorCode"));
            Assert.Contains("at most 80", bad.Prop("Message"));
            Assert.True(bad.Prop("Message").Length < 500);
            Assert.Equal(99, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@neighbours.example.com'"));
        }

        [Fact]
        public void A_community_user_whose_account_id_is_not_an_id_fails_alone()
        {
            using var ps = _emulator.NewSession($"-Target Communities -AccountId {_acme}");
            var result = ps.Run("$users = 1..50 | ForEach-Object { [pscustomobject]@{ Username = \"m$_@portal-ids.example.com\"; LastName = \"M$_\"; Email = \"m$_@portal-ids.example.com\"; AccountId = $(if ($_ -eq 7) { 'N/A' } else { $null }) } }; " +
                "$users | Sync-SfUser -Profile 'Customer Community User'");
            Assert.True(result.Output.Count(o => o.Prop("Action") == "Created") == 49, Summary(result));
            Assert.Equal("InvalidAccountId", result.Output[6].Prop("ErrorCode"));
            Assert.Contains("'N/A' is not a Salesforce id", result.Output[6].Prop("Message"));
        }

        [Fact]
        public void A_person_with_a_huge_email_or_a_bad_account_id_fails_alone()
        {
            using var ps = _emulator.NewSession($"-Target LeadsAndContacts -AccountId {_acme} -DefaultCompany 'Ids Co'");
            var result = ps.Run(Huge + "$people = 1..50 | ForEach-Object { [pscustomobject]@{ mail = $(if ($_ -eq 10) { $huge } else { \"l$_@people-ids.example.com\" }); sn = \"L$_\"; AccountId = $(if ($_ -eq 20) { 'N/A' } else { $null }) } }; " +
                "$people | Sync-SfUser");
            Assert.True(result.Output.Count(o => o.Prop("Action") == "Created") == 48, Summary(result));
            Assert.Equal("InvalidFieldValue", result.Output[9].Prop("ErrorCode"));
            Assert.Equal("InvalidAccountId", result.Output[19].Prop("ErrorCode"));
        }

        [Fact]
        public void A_group_member_with_a_huge_username_fails_alone()
        {
            using var ps = _emulator.NewSession();
            ps.Run("$null = @('g1', 'g2') | ForEach-Object { [pscustomobject]@{ Username = \"$_@members-ids.example.com\"; LastName = $_; Email = \"$_@members-ids.example.com\" } } | Sync-SfUser -Profile 'Standard User'");
            var result = ps.Run(Huge + "[pscustomobject]@{ Name = 'Ids Team'; Members = @('g1@members-ids.example.com', $huge, 'g2@members-ids.example.com') } | Sync-SfGroup -StatePath ([IO.Path]::Combine([IO.Path]::GetTempPath(), 'sfprov-ids-' + [guid]::NewGuid() + '.db'))");
            Assert.True(result.Output.Count == 1, string.Join("; ", result.Errors.Select(e => e.ToString().Substring(0, System.Math.Min(300, e.ToString().Length)))));
            Assert.Equal("Created", result.Output.Single().Prop("Action"));
            Assert.Equal("2", result.Output.Single().Prop("MembersAdded"));
            Assert.Contains(result.Errors, e => e.FullyQualifiedErrorId.StartsWith("InvalidMember,"));
        }
    }
}
