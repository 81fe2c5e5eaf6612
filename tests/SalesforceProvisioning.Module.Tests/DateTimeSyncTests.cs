using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Date-times compare as instants through the real engine (issue 11 #5): an unchanged date-time is never
    /// rewritten, whatever the machine's time zone or the source's precision, and LastLoginDate is the instant
    /// Salesforce recorded. CI runs this class a second time under TZ=Pacific/Chatham (UTC+12:45/+13:45).
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
            using var ps = _emulator.NewSession();
            var result = ps.Run("(Get-SfUser -Username 'last.login@example.com').LastLoginDate.ToUniversalTime().ToString('o', [cultureinfo]::InvariantCulture)");
            Assert.Empty(result.Errors);
            Assert.Equal("2024-05-01T10:00:00.0000000+00:00", result.Output.Single().ToString());
        }
    }
}
