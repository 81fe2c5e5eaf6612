using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Date-times compare as instants through the real engine (issue 11 #5): an unchanged date-time is never
    /// rewritten, whatever the machine's time zone or the source's precision, and LastLoginDate is the instant
    /// Salesforce recorded. CI runs the suite a second time under TZ=Pacific/Chatham (UTC+12:45/+13:45).
    /// </summary>
    public class DateTimeSyncTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public DateTimeSyncTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
            _emulator.Post("seed", Seed().ToJsonString());
        }

        /// <summary>The default org with a custom dateTime field on User (an HR start time) and a user who has logged in.</summary>
        private static JsonNode Seed()
        {
            var seed = JsonNode.Parse(File.ReadAllText(Path.Combine(PowerShellHost.RepoRoot, "src", "SalesforceProvisioning.Emulator", "Data", "DefaultSeed.json")));
            seed["org"]["fields"]["User"].AsArray().Add(new JsonObject { ["name"] = "Start_Time__c", ["label"] = "Start Time", ["type"] = "datetime" });
            seed["objects"]["User"].AsArray().Add(new JsonObject
            {
                ["Id"] = "005Em0000000900", ["Username"] = "last.login@example.com", ["LastName"] = "Login", ["Email"] = "last.login@example.com",
                ["Alias"] = "llogin", ["TimeZoneSidKey"] = "GMT", ["LocaleSidKey"] = "en_US", ["EmailEncodingKey"] = "UTF-8",
                ["LanguageLocaleKey"] = "en_US", ["ProfileId"] = "00eEm0000000002", ["LastLoginDate"] = "2024-05-01T10:00:00.000+0000",
            });
            return seed;
        }

        private const string Map = "$map = New-SfAttributeMap -Mapping @{ Username = 'upn'; LastName = 'sn'; Email = 'upn'; Start_Time__c = 'start' } -Update Start_Time__c -Profile 'Standard User'; ";

        private static string Person(string start) => $"$p = [pscustomobject]@{{ upn = 'tess.time@example.com'; sn = 'Time'; start = {start} }}; ";

        [Fact]
        public void An_unchanged_date_time_is_unchanged_in_any_form_the_source_gives_it()
        {
            using var ps = _emulator.NewSession();
            var created = ps.Run(Map + Person("'2024-05-01T10:00:00Z'") + "$p | Sync-SfUser -AttributeMap $map");
            Assert.Empty(created.Errors);
            Assert.Equal("Created", created.Output.Single().Prop("Action"));
            Assert.Equal("2024-05-01T10:00:00.000+0000", _emulator.Query("SELECT Start_Time__c FROM User WHERE Username = 'tess.time@example.com'").Single()["Start_Time__c"].ToString());

            long written = _emulator.RecordsWritten;
            foreach (string same in new[] { "'2024-05-01T10:00:00Z'", "'2024-05-01T10:00:00.000+0000'", "'2024-05-01T12:00:00+02:00'",
                                            "[datetime]::new(2024, 5, 1, 10, 0, 0, [DateTimeKind]::Utc)", "[datetimeoffset]'2024-05-01T10:00:00Z'",
                                            "[datetime]::new(2024, 5, 1, 10, 0, 0, [DateTimeKind]::Utc).ToLocalTime()" })
            {
                var again = ps.Run(Map + Person(same) + "$p | Sync-SfUser -AttributeMap $map");
                Assert.Empty(again.Errors);
                Assert.True("Unchanged" == again.Output.Single().Prop("Action"), $"{same}: {again.Output.Single().Prop("Action")} {again.Output.Single().Prop("ChangedFields")}");
            }
            Assert.Equal(written, _emulator.RecordsWritten);

            var moved = ps.Run(Map + Person("'2024-05-01T10:30:00Z'") + "$p | Sync-SfUser -AttributeMap $map");
            Assert.Equal("Updated", moved.Output.Single().Prop("Action"));
            Assert.Equal("Start_Time__c", moved.Output.Single().Prop("ChangedFields"));
            Assert.Equal("2024-05-01T10:30:00.000+0000", _emulator.Query("SELECT Start_Time__c FROM User WHERE Username = 'tess.time@example.com'").Single()["Start_Time__c"].ToString());
        }

        [Fact]
        public void A_date_time_that_is_not_one_fails_that_user_alone()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run(Map + "@([pscustomobject]@{ upn = 'bad.time@example.com'; sn = 'Bad'; start = 'soon' }, [pscustomobject]@{ upn = 'good.time@example.com'; sn = 'Good'; start = '2024-05-01T10:00:00Z' }) | Sync-SfUser -AttributeMap $map");
            Assert.Equal(new[] { "Failed", "Created" }, result.Output.Select(o => o.Prop("Action")).ToArray());
            Assert.Contains("Start_Time__c", result.Output[0].Prop("Message"));
        }

        [Fact]
        public void Last_login_is_the_instant_salesforce_recorded()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("(Get-SfUser -Username 'last.login@example.com').LastLoginDate.ToUniversalTime().ToString('o', [cultureinfo]::InvariantCulture)");
            Assert.Empty(result.Errors);
            Assert.Equal("2024-05-01T10:00:00.0000000+00:00", result.Output.Single().ToString());
        }
    }
}
