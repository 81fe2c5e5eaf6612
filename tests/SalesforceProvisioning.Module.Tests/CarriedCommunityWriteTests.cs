using System;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Communities writes are carried across windows like the Salesforce target's (issue 14): a person's
    /// contact is created with their user, in the call that carries it, not with the window that planned it.
    /// Contact has no unique key Salesforce checks, so a second contact for one email is a real defect: a
    /// contact planned in one window must be known to the later windows before it exists.
    /// </summary>
    [Collection("Process environment")]
    public class CarriedCommunityWriteTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _acme;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-carried-community-" + Guid.NewGuid().ToString("N"));

        public CarriedCommunityWriteTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
            _acme = _emulator.Query("SELECT Id FROM Account WHERE Name = 'Acme Corporation'").Single()["Id"].ToString();
        }

        public void Dispose()
        {
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":0}");
            _emulator.ClearFaults();
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private PowerShellHost Session() => _emulator.NewSession($"-Target Communities -AccountId {_acme}");

        private long Contacts(string like) => _emulator.QueryTotal($"SELECT COUNT() FROM Contact WHERE Email LIKE '{like}'");

        [Fact]
        public void The_same_email_in_two_windows_gets_one_contact_and_the_second_input_is_refused()
        {
            using var ps = Session();
            // Windows of two: inputs 1 and 4 name the same person (the same email under the account), with
            // different usernames. Input 1's contact is still carried (not created) when input 4 is planned.
            var run = ps.Run(@"@(
    [pscustomobject]@{ Username = 'dora@twice.example.com'; LastName = 'Dora'; Email = 'dora@twice.example.com' }
    [pscustomobject]@{ Username = 'eli@twice.example.com'; LastName = 'Eli'; Email = 'eli@twice.example.com' }
    [pscustomobject]@{ Username = 'finn@twice.example.com'; LastName = 'Finn'; Email = 'finn@twice.example.com' }
    [pscustomobject]@{ Username = 'dora.again@twice.example.com'; LastName = 'Dora'; Email = 'DORA@twice.example.com' }
) | Sync-SfUser -Profile 'Customer Community User' -BatchSize 2 -ErrorAction SilentlyContinue");
            Assert.Equal(new[] { "Created", "Created", "Created", "Failed" }, run.Output.OrderBy(o => int.Parse(o.Prop("InputIndex"))).Select(o => o.Prop("Action")).ToArray());
            var refused = run.Output.Single(o => o.Prop("Action") == "Failed");
            Assert.Equal("DuplicateInput", refused.Prop("ErrorCode"));
            Assert.Contains("dora@twice.example.com", refused.Prop("Message"));
            Assert.Equal(1, Contacts("dora@twice.example.com"));
            Assert.Equal(3, Contacts("%@twice.example.com"));
            Assert.Equal(0, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username = 'dora.again@twice.example.com'"));
        }

        [Fact]
        public void A_contact_created_whose_user_then_failed_is_partly_applied_and_the_next_run_links_it()
        {
            using var ps = Session();
            const string people = "1..3 | ForEach-Object { [pscustomobject]@{ Username = \"p$_@partly.example.com\"; LastName = \"P$_\"; Email = \"p$_@partly.example.com\" } } | " +
                "Sync-SfUser -Profile 'Customer Community User' -BatchSize 1 -ErrorAction SilentlyContinue";
            // The three windows' writes go out together: one call of contacts, then one of users, whose first record Salesforce refuses.
            _emulator.InjectFaults(new[] { new { kind = "RecordError", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"type\":\"User\"", recordIndexes = new[] { 0 }, statusCode = "FIELD_INTEGRITY_EXCEPTION", message = "Injected failure" } });
            var run = ps.Run(people);
            var first = run.Output.Single(o => o.Prop("Username") == "p1@partly.example.com");
            Assert.True(first.Prop("Action") == "Failed" && first.Prop("PartiallyApplied") == "True", first.Prop("Action") + "/" + first.Prop("PartiallyApplied") + ": " + first.Prop("Message"));
            Assert.StartsWith("Written: the community user's contact. Not written: the user's create", first.Prop("Message"));
            Assert.Equal(2, run.Output.Count(o => o.Prop("Action") == "Created"));
            Assert.Equal(3, Contacts("%@partly.example.com"));

            _emulator.ClearFaults();
            var next = ps.Run(people);
            Assert.Equal("Created", next.Output.Single(o => o.Prop("Username") == "p1@partly.example.com").Prop("Action"));
            Assert.Equal(3, Contacts("%@partly.example.com"));
            string contactId = _emulator.Query("SELECT Id FROM Contact WHERE Email = 'p1@partly.example.com'").Single()["Id"].ToString();
            Assert.Equal(contactId, _emulator.Query("SELECT ContactId FROM User WHERE Username = 'p1@partly.example.com'").Single()["ContactId"].ToString());
        }

        /// <summary>Under -UseBulkApi Always the users are held for a job as on the Salesforce target: one job at the end, the contacts created before it.</summary>
        [Fact]
        public void Under_UseBulkApi_Always_the_carried_users_go_as_one_job_after_their_contacts()
        {
            using var ps = Session();
            var run = ps.Run("1..30 | ForEach-Object { [pscustomobject]@{ Username = \"j$_@job-portal.example.com\"; LastName = \"J$_\"; Email = \"j$_@job-portal.example.com\" } } | " +
                "Sync-SfUser -Profile 'Customer Community User' -BatchSize 10 -UseBulkApi Always");
            Assert.Empty(run.Errors);
            Assert.Equal(30, run.Output.Count(o => o.Prop("Action") == "Created"));
            Assert.Equal(30, Contacts("%@job-portal.example.com"));
            Assert.Equal(30, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE ContactId != null AND Username LIKE '%@job-portal.example.com'"));
            Assert.Single(_emulator.Bulk(System.Net.Http.HttpMethod.Get, "")["records"].AsArray());
        }

        [Fact]
        public void A_stop_after_the_carried_contacts_were_created_records_every_input_and_the_next_run_creates_no_second_contact()
        {
            using var ps = Session();
            Assert.Empty(ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{Path.Combine(_folder, "state.db")}'; " +
                "Save-SfProvisioningConnection -Name portal -Connection $c -StatePath $state -Force; " +
                "$null = New-SfProvisioningRule -Name members -ConnectionName portal -Profile 'Customer Community User' -StatePath $state").Errors);
            const string people = "$people = 1..40 | ForEach-Object { [pscustomobject]@{ Username = \"s$_@carried-portal.example.com\"; LastName = \"S$_\"; Email = \"s$_@carried-portal.example.com\" } }; ";

            // Four windows of ten, carried to the end of the input: the 40 contacts' create commits and its answer
            // takes a while; the stop lands then, before the users (which need the contacts' Ids) are sent.
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":40}");
            long before = _emulator.RecordsWritten;
            bool stopped = ps.RunAndStop(people + "$people | Sync-SfUser -Rule members -StatePath $state -BatchSize 10", () => _emulator.RecordsWritten - before >= 40, TimeSpan.FromMinutes(1));
            Assert.True(stopped, "the run ended before the stop");
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":0}");
            Assert.Equal(40, Contacts("%@carried-portal.example.com"));
            Assert.Equal(0, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@carried-portal.example.com'"));

            // The stopped run counts every input once, as partly applied: its contact written, its user not sent.
            // No user exists, so the rule records none as provisioned (nothing is answered from the store next time).
            var run = ps.Run("Get-SfSyncStatus -Rule members -StatePath $state -Last 1").Output.Single();
            Assert.Equal(new[] { "Stopped", "40", "0", "40", "0" }, new[] { run.Prop("Status"), run.Prop("Impacted"), run.Prop("Success"), run.Prop("Partial"), run.Prop("Failed") });
            Assert.Empty(ps.Run("Get-SfSyncStatus -Rule members -ByUser -StatePath $state").Output);

            // The next run finds each contact by email and links its user to it: no second contact.
            var next = ps.Run(people + "$people | Sync-SfUser -Rule members -StatePath $state -BatchSize 10");
            Assert.Empty(next.Errors);
            Assert.Equal(40, next.Output.Count(o => o.Prop("Action") == "Created"));
            Assert.Equal(40, Contacts("%@carried-portal.example.com"));
            Assert.Equal(40, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE ContactId != null AND Username LIKE '%@carried-portal.example.com'"));
        }
    }
}
