using System.Collections;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>The Leads and Contacts target: people as Leads or Contacts, promoted and demoted between them.</summary>
    public class LeadsAndContactsTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _acme;

        public LeadsAndContactsTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
            _acme = _emulator.Query("SELECT Id FROM Account WHERE Name = 'Acme Corporation'").Single()["Id"].ToString();
        }

        private PowerShellHost Session(string extra = "") => _emulator.NewSession($"-Target LeadsAndContacts -AccountId {_acme} -DefaultCompany 'Unknown Co' {extra}");

        private static string[] Actions(ScriptResult r) => r.Output.Select(o => o.Prop("Action")).ToArray();

        [Theory, MemberData(nameof(EmulatorFixture.OrgShapes), MemberType = typeof(EmulatorFixture))]
        public void A_mixed_batch_of_contacts_and_leads_is_created_then_updated_then_unchanged(string org)
        {
            _emulator.UseOrg(org);
            using var ps = Session();
            const string people = @"$people = @(
    [pscustomobject]@{ mail = ""siobhan.o'connor@example.com""; givenName = 'Siobhán'; sn = ""O'Connor""; Title = 'CTO'; RecordType = 'Contact' }
    [pscustomobject]@{ mail = 'jurgen.muller@example.com'; givenName = 'Jürgen'; sn = 'Müller'; Company = 'Müller GmbH'; RecordType = 'Lead' }
    [pscustomobject]@{ mail = 'default.type@example.com'; sn = 'Default' }
); ";
            var created = ps.Run(people + "$people | Sync-SfUser");
            Assert.Empty(created.Errors);
            Assert.Equal(new[] { "Created", "Created", "Created" }, Actions(created));
            Assert.Equal(new[] { "Contact", "Lead", "Contact" }, created.Output.Select(o => o.Prop("ObjectType")).ToArray());
            Assert.Equal(_acme, _emulator.Query("SELECT AccountId FROM Contact WHERE Email = 'siobhan.o\\'connor@example.com'").Single()["AccountId"].ToString());
            Assert.Equal("Müller GmbH", _emulator.Query("SELECT Company FROM Lead WHERE Email = 'jurgen.muller@example.com'").Single()["Company"].ToString());

            var updated = ps.Run(people + "$people[0].Title = 'CEO'; $people | Sync-SfUser");
            Assert.Equal(new[] { "Updated", "Unchanged", "Unchanged" }, Actions(updated));
            Assert.Equal("Title", updated.Output[0].Prop("ChangedFields"));

            long written = _emulator.RecordsWritten;
            var again = ps.Run(people + "$people[0].Title = 'CEO'; $people | Sync-SfUser");
            Assert.Equal(new[] { "Unchanged", "Unchanged", "Unchanged" }, Actions(again));
            Assert.Equal(written, _emulator.RecordsWritten);
        }

        [Theory, MemberData(nameof(EmulatorFixture.OrgShapes), MemberType = typeof(EmulatorFixture))]
        public void A_lead_whose_source_makes_them_a_contact_is_converted_keeping_its_history(string org)
        {
            _emulator.UseOrg(org);
            using var ps = Session();
            var promoted = ps.Run("[pscustomobject]@{ mail = 'lena.lead@example.com'; sn = 'Lead'; Title = 'Buyer'; RecordType = 'Contact' } | Sync-SfUser");
            Assert.Empty(promoted.Errors);
            Assert.Equal("Promoted", promoted.Output.Single().Prop("Action"));
            var lead = _emulator.Query("SELECT IsConverted, ConvertedContactId FROM Lead WHERE Email = 'lena.lead@example.com'").Single();
            Assert.True(lead["IsConverted"].GetValue<bool>());
            Assert.Equal(promoted.Output.Single().Prop("SalesforceId"), lead["ConvertedContactId"].ToString());
            Assert.Equal("Buyer", _emulator.Query("SELECT Title FROM Contact WHERE Email = 'lena.lead@example.com'").Single()["Title"].ToString());

            var again = ps.Run("[pscustomobject]@{ mail = 'lena.lead@example.com'; sn = 'Lead'; Title = 'Buyer'; RecordType = 'Contact' } | Sync-SfUser");
            Assert.Equal("Unchanged", again.Output.Single().Prop("Action")); // the converted lead is never matched or updated

            // Read back with -IncludeConverted and piped in, the converted lead lands on its contact: never a demotion.
            var roundTrip = ps.Run("Get-SfLead -Email 'lena.lead@example.com' -IncludeConverted | Sync-SfUser");
            Assert.Equal("Contact", roundTrip.Output.Single().Prop("ObjectType"));
            Assert.NotEqual("Demoted", roundTrip.Output.Single().Prop("Action"));
            Assert.Single(_emulator.Query("SELECT Id FROM Lead WHERE Email = 'lena.lead@example.com'"));
        }

        [Theory, MemberData(nameof(EmulatorFixture.OrgShapes), MemberType = typeof(EmulatorFixture))]
        public void A_contact_whose_source_makes_them_a_lead_is_demoted_and_kept_unless_deletion_is_allowed(string org)
        {
            _emulator.UseOrg(org);
            using var ps = Session();
            ps.Run("[pscustomobject]@{ mail = 'dee.mote@example.com'; sn = 'Mote'; RecordType = 'Contact' } | Sync-SfUser");
            var kept = ps.Run("[pscustomobject]@{ mail = 'dee.mote@example.com'; sn = 'Mote'; Company = 'Mote Ltd'; RecordType = 'Lead' } | Sync-SfUser");
            Assert.Equal("Demoted", kept.Output.Single().Prop("Action"));
            Assert.Contains("kept", kept.Output.Single().Prop("Message"));
            Assert.Single(_emulator.Query("SELECT Id FROM Contact WHERE Email = 'dee.mote@example.com'"));
            Assert.Single(_emulator.Query("SELECT Id FROM Lead WHERE Email = 'dee.mote@example.com'"));

            using var deleting = Session("-AllowDelete -RemoveAction Delete");
            deleting.Run("[pscustomobject]@{ mail = 'eve.mote@example.com'; sn = 'Mote'; RecordType = 'Contact' } | Sync-SfUser");
            var replaced = deleting.Run("[pscustomobject]@{ mail = 'eve.mote@example.com'; sn = 'Mote'; RecordType = 'Lead' } | Sync-SfUser");
            Assert.Equal("Demoted", replaced.Output.Single().Prop("Action"));
            Assert.Empty(_emulator.Query("SELECT Id FROM Contact WHERE Email = 'eve.mote@example.com'"));
            Assert.Equal("Unknown Co", _emulator.Query("SELECT Company FROM Lead WHERE Email = 'eve.mote@example.com'").Single()["Company"].ToString());
        }

        [Theory, MemberData(nameof(EmulatorFixture.OrgShapes), MemberType = typeof(EmulatorFixture))]
        public void Removal_follows_allow_delete_and_the_remove_action(string org)
        {
            _emulator.UseOrg(org);
            using var ps = Session();
            ps.Run("@([pscustomobject]@{ mail = 'gone.lead@example.com'; sn = 'Gone'; RecordType = 'Lead' }, [pscustomobject]@{ mail = 'gone.contact@example.com'; sn = 'Gone' }) | Sync-SfUser");
            var disabled = ps.Run("@([pscustomobject]@{ mail = 'gone.lead@example.com'; sn = 'Gone'; RecordType = 'Lead'; Deleted = $true }, [pscustomobject]@{ mail = 'gone.contact@example.com'; sn = 'Gone'; Deleted = $true }) | Sync-SfUser");
            Assert.Equal(new[] { "Disabled", "Skipped" }, Actions(disabled));
            Assert.Equal("Closed - Not Converted", _emulator.Query("SELECT Status FROM Lead WHERE Email = 'gone.lead@example.com'").Single()["Status"].ToString());
            Assert.Contains("-AllowDelete", disabled.Output[1].Prop("Remedy"));

            using var deleting = Session("-AllowDelete -RemoveAction Delete");
            var deleted = deleting.Run("[pscustomobject]@{ mail = 'gone.contact@example.com'; sn = 'Gone'; Deleted = $true } | Sync-SfUser");
            Assert.Equal("Deleted", deleted.Output.Single().Prop("Action"));
            Assert.Empty(_emulator.Query("SELECT Id FROM Contact WHERE Email = 'gone.contact@example.com'"));
        }

        [Theory, MemberData(nameof(EmulatorFixture.OrgShapes), MemberType = typeof(EmulatorFixture))]
        public void A_lead_without_a_company_and_a_contact_without_an_account_fail_with_remedies(string org)
        {
            _emulator.UseOrg(org);
            using var ps = _emulator.NewSession("-Target LeadsAndContacts");
            var result = ps.Run("@([pscustomobject]@{ mail = 'nocompany@example.com'; sn = 'X'; RecordType = 'Lead' }, [pscustomobject]@{ mail = 'noaccount@example.com'; sn = 'Y'; RecordType = 'Contact' }, [pscustomobject]@{ mail = 'badtype@example.com'; sn = 'Z'; RecordType = 'Prospect' }) | Sync-SfUser");
            Assert.Equal(new[] { "MissingCompany", "MissingAccount", "InvalidRecordType" }, result.Output.Select(o => o.Prop("ErrorCode")).ToArray());
            Assert.All(result.Errors, e => Assert.False(string.IsNullOrEmpty(e.ErrorDetails.RecommendedAction)));
        }

        [Fact]
        public void A_person_account_as_the_account_of_new_contacts_is_refused_before_anything_is_written()
        {
            _emulator.UseOrg(EmulatorFixture.PersonAccounts);
            using var ps = _emulator.NewSession("-Target LeadsAndContacts -AccountId 001Em0000000002 -DefaultCompany 'Unknown Co'");
            long written = _emulator.RecordsWritten;
            var result = ps.Run("[pscustomobject]@{ mail = 'pa.contact@example.com'; sn = 'Pa'; RecordType = 'Contact' } | Sync-SfUser");
            Assert.Contains("person account", result.Errors.Single().ToString());
            Assert.Equal(written, _emulator.RecordsWritten);
        }
    }
}
