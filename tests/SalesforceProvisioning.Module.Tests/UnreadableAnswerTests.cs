using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// A write's answer that came (200) but cannot be read (half a JSON body, as the emulator's GarbledAnswer
    /// sends) says nothing of what Salesforce wrote: the Composite resource's answer is a compositeResponse list
    /// with a result per record (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm),
    /// and without it each record's outcome is unknown. Creates are read back, never failed definitively and never
    /// created twice.
    /// </summary>
    public class UnreadableAnswerTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public UnreadableAnswerTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        private static string Summary(ScriptResult result)
            => string.Join("; ", result.Output.GroupBy(o => o.Prop("Action") + "/" + o.Prop("ErrorCode")).Select(g => g.Key + "=" + g.Count())) + " " + result.AllText();

        [Fact]
        public void Users_whose_create_answer_cannot_be_read_are_read_back_and_created_once()
        {
            using var ps = _emulator.NewSession();
            _emulator.InjectFaults(new[] { new { kind = "GarbledAnswer", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"type\":\"User\"" } });
            var result = ps.Run("1..30 | ForEach-Object { [pscustomobject]@{ Username = \"g$_@garbled.example.com\"; LastName = \"G$_\"; Email = \"g$_@garbled.example.com\" } } | Sync-SfUser -Profile 'Standard User'");
            Assert.True(result.Output.Count == 30 && result.Output.All(o => o.Prop("Action") == "Created"), Summary(result));
            Assert.Contains(_emulator.Get("requests")["requests"].AsArray(), r => r["fault"]?.ToString() == "GarbledAnswer");
            Assert.Equal(30, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@garbled.example.com'"));
        }

        [Fact]
        public void Contacts_whose_create_answer_cannot_be_read_are_read_back_and_never_created_twice()
        {
            string acme = _emulator.Query("SELECT Id FROM Account WHERE Name = 'Acme Corporation'").Single()["Id"].ToString();
            using var ps = _emulator.NewSession($"-Target LeadsAndContacts -AccountId {acme} -DefaultCompany 'Garbled Co'");
            _emulator.InjectFaults(new[] { new { kind = "GarbledAnswer", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"method\":\"POST\"" } });
            var result = ps.Run("1..40 | ForEach-Object { [pscustomobject]@{ mail = \"k$_@garbled-contact.example.com\"; sn = \"K$_\" } } | Sync-SfUser");
            Assert.True(result.Output.Count == 40 && result.Output.All(o => o.Prop("Action") == "Created"), Summary(result));
            Assert.Contains(_emulator.Get("requests")["requests"].AsArray(), r => r["fault"]?.ToString() == "GarbledAnswer");
            Assert.Equal(40, _emulator.QueryTotal("SELECT COUNT() FROM Contact WHERE Email LIKE '%@garbled-contact.example.com'"));
        }
    }
}
