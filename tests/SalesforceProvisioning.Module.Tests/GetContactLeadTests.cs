using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Get-SfContact and Get-SfLead through the real engine against the emulator: filters (apostrophes,
    /// accounts, statuses, converted leads), not-found errors, what chunked reads by email cost, and the
    /// round trip back into Sync-SfUser on a Leads and Contacts connection.
    /// </summary>
    public class GetContactLeadTests : IClassFixture<EmulatorFixture>
    {
        private const int BulkContacts = 600;
        private const string Acme = "001Em0000000001";
        private const string Globex = "001Em0000000003";

        private readonly EmulatorFixture _emulator;

        public GetContactLeadTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
            _emulator.Post("seed", Seed().ToJsonString());
        }

        /// <summary>The default org plus a contact and a lead with apostrophes, a Globex contact and <see cref="BulkContacts"/> contacts of their own account.</summary>
        private static JsonNode Seed()
        {
            var seed = JsonNode.Parse(File.ReadAllText(Path.Combine(PowerShellHost.RepoRoot, "src", "SalesforceProvisioning.Emulator", "Data", "DefaultSeed.json")));
            var objects = seed["objects"].AsObject();
            objects["Account"].AsArray().Add(new JsonObject { ["Id"] = "001Em0000000100", ["Name"] = "Bulk Co" });
            var contacts = objects["Contact"].AsArray();
            contacts.Add(new JsonObject
            {
                ["Id"] = "003Em0000000100", ["AccountId"] = Acme, ["FirstName"] = "Siobhán", ["LastName"] = "O'Connor",
                ["Email"] = "siobhan.oconnor@example.com", ["Title"] = "CTO", ["Department"] = "Engineering", ["LeadSource"] = "Web",
            });
            contacts.Add(new JsonObject { ["Id"] = "003Em0000000101", ["AccountId"] = Globex, ["FirstName"] = "Grace", ["LastName"] = "Hopper", ["Email"] = "grace.hopper@example.com" });
            for (int i = 1; i <= BulkContacts; i++)
            {
                contacts.Add(new JsonObject
                {
                    ["Id"] = "003Em" + (1000 + i).ToString("D10"), ["AccountId"] = "001Em0000000100", ["FirstName"] = "Bulk",
                    ["LastName"] = $"Contact {i:D4}", ["Email"] = $"bulk{i:D4}@contacts.example.com",
                });
            }
            objects["Lead"].AsArray().Add(new JsonObject
            {
                ["Id"] = "00QEm0000000100", ["FirstName"] = "Mary", ["LastName"] = "O'Neil", ["Company"] = "O'Neil & Sons",
                ["Email"] = "mary.oneil@example.com", ["Status"] = "Working - Contacted", ["LeadSource"] = "Partner Referral",
            });
            return seed;
        }

        private static string[] Names(ScriptResult r) => r.Output.Select(o => o.Prop("Name")).ToArray();

        private static string[] Emails(ScriptResult r) => r.Output.Select(o => o.Prop("Email")).ToArray();

        private static string[] Actions(ScriptResult r) => r.Output.Select(o => o.Prop("Action")).ToArray();

        [Fact]
        public void Name_patterns_match_name_or_email_including_apostrophes()
        {
            using var ps = _emulator.NewSession();
            var contact = ps.Run("Get-SfContact \"*O'Connor*\"");
            Assert.Empty(contact.Errors);
            var siobhan = contact.Output.Single();
            Assert.Equal("Siobhán O'Connor", siobhan.Prop("Name"));
            Assert.Equal("siobhan.oconnor@example.com", siobhan.Prop("Email"));
            Assert.StartsWith(Acme, siobhan.Prop("AccountId")); // 18-character form
            Assert.Equal("Acme Corporation", siobhan.Prop("AccountName"));
            Assert.Equal("Engineering", siobhan.Prop("Department"));
            Assert.Equal("Web", siobhan.Prop("LeadSource"));
            Assert.Equal("Contact", siobhan.Prop("RecordType"));
            Assert.Null(siobhan.Prop("MobilePhone")); // the emulator's Contact has no MobilePhone: left out, not a failure

            var exact = ps.Run("Get-SfContact \"Siobhán O'Connor\"");
            Assert.Empty(exact.Errors);
            Assert.Single(exact.Output);

            Assert.Equal(new[] { "paul.partner@example.com" }, Emails(ps.Run("Get-SfContact 'paul.*'")));

            var lead = ps.Run("Get-SfLead \"*O'Neil*\"");
            Assert.Empty(lead.Errors);
            var mary = lead.Output.Single();
            Assert.Equal("Mary O'Neil", mary.Prop("Name"));
            Assert.Equal("O'Neil & Sons", mary.Prop("Company"));
            Assert.Equal("Working - Contacted", mary.Prop("Status"));
            Assert.Equal("Partner Referral", mary.Prop("LeadSource"));
            Assert.Equal("False", mary.Prop("IsConverted"));
            Assert.Equal("Lead", mary.Prop("RecordType"));

            // The patterns went to Salesforce in the query, escaped.
            var log = System.Uri.UnescapeDataString(_emulator.Get("requests").ToJsonString());
            Assert.Contains(@"FROM Contact WHERE (Name LIKE '%O\'Connor%' OR Email LIKE '%O\'Connor%')", log);
            Assert.Contains(@"FROM Lead WHERE (Name LIKE '%O\'Neil%' OR Email LIKE '%O\'Neil%') AND IsConverted = false", log);
        }

        [Fact]
        public void AccountId_keeps_the_contacts_of_those_accounts()
        {
            using var ps = _emulator.NewSession();
            var globex = ps.Run($"Get-SfContact -AccountId {Globex}");
            Assert.Empty(globex.Errors);
            Assert.Equal(new[] { "Grace Hopper", "Paul Partner" }, Names(globex));
            Assert.All(globex.Output, c => Assert.Equal("Globex Partners", c.Prop("AccountName")));

            var both = ps.Run($"Get-SfContact 'c*' -AccountId {Acme}, {Globex}");
            Assert.Equal(new[] { "Carla Community", "Connie Newcomer" }, Names(both));

            var elsewhere = ps.Run($"Get-SfContact -Email 'carla.community@example.com' -AccountId {Globex}");
            Assert.Empty(elsewhere.Output);
            Assert.Equal("ContactNotFound,SalesforceProvisioning.Commands.GetSfContactCommand", Assert.Single(elsewhere.Errors).FullyQualifiedErrorId);

            var log = System.Uri.UnescapeDataString(_emulator.Get("requests").ToJsonString());
            Assert.Contains("AccountId IN (", log);
        }

        [Fact]
        public void Converted_leads_are_left_out_unless_asked_for_and_Status_filters()
        {
            using var ps = _emulator.NewSession();
            var open = ps.Run("Get-SfLead");
            Assert.Empty(open.Errors);
            Assert.Equal(new[] { "Lena Lead", "Mary O'Neil" }, Names(open));
            Assert.All(open.Output, l => Assert.Equal("False", l.Prop("IsConverted")));

            var all = ps.Run("Get-SfLead -IncludeConverted");
            Assert.Equal(new[] { "Conrad Converted", "Lena Lead", "Mary O'Neil" }, Names(all));
            var conrad = all.Output.First();
            Assert.Equal("True", conrad.Prop("IsConverted"));
            Assert.StartsWith("003Em0000000003", conrad.Prop("ConvertedContactId"));
            Assert.Equal("Closed - Converted", conrad.Prop("Status"));

            var byEmail = ps.Run("Get-SfLead -Email 'conrad.converted@example.com', 'lena.lead@example.com'");
            Assert.Equal(new[] { "lena.lead@example.com" }, Emails(byEmail));
            Assert.Equal("LeadNotFound,SalesforceProvisioning.Commands.GetSfLeadCommand", Assert.Single(byEmail.Errors).FullyQualifiedErrorId);

            Assert.Equal(new[] { "Mary O'Neil" }, Names(ps.Run("Get-SfLead -Status 'Working*'")));
            Assert.Equal(new[] { "Lena Lead" }, Names(ps.Run("Get-SfLead -Status 'Open - Not Contacted'")));
            Assert.Equal(new[] { "Conrad Converted" }, Names(ps.Run("Get-SfLead -Status 'Closed*' -IncludeConverted")));
        }

        [Fact]
        public void Exact_emails_bind_from_the_pipeline_by_property_name_and_a_missing_one_is_an_error()
        {
            using var ps = _emulator.NewSession();
            var contacts = ps.Run(@"
@(
    [pscustomobject]@{ mail = 'CARLA.COMMUNITY@example.com' }
    [pscustomobject]@{ Email = 'grace.hopper@example.com' }
    [pscustomobject]@{ Email = 'nobody@example.com' }
) | Get-SfContact");
            Assert.Equal(new[] { "carla.community@example.com", "grace.hopper@example.com" }, Emails(contacts).OrderBy(e => e).ToArray());
            var error = Assert.Single(contacts.Errors);
            Assert.Equal("ContactNotFound,SalesforceProvisioning.Commands.GetSfContactCommand", error.FullyQualifiedErrorId);
            Assert.Equal("nobody@example.com", error.TargetObject);
            Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));

            var lead = ps.Run("Get-SfLead -Email 'nobody@example.com'");
            Assert.Empty(lead.Output);
            var leadError = Assert.Single(lead.Errors);
            Assert.Equal("LeadNotFound,SalesforceProvisioning.Commands.GetSfLeadCommand", leadError.FullyQualifiedErrorId);
            Assert.Contains("-IncludeConverted", leadError.ErrorDetails.RecommendedAction);

            var name = ps.Run("Get-SfContact 'No Such Person'");
            Assert.Equal("ContactNotFound,SalesforceProvisioning.Commands.GetSfContactCommand", Assert.Single(name.Errors).FullyQualifiedErrorId);

            var ambiguous = ps.Run("Get-SfLead -Name 'a*' -Email 'a@example.com'");
            Assert.StartsWith("AmbiguousParameterSet", Assert.Single(ambiguous.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void Six_hundred_emails_cost_one_call_not_six_hundred()
        {
            using var ps = _emulator.NewSession();
            ps.Run("Get-SfContact -Email 'carla.community@example.com'"); // learns once which optional fields the org lacks

            long before = _emulator.ApiCalls;
            var typed = ps.Run($"$emails = foreach ($i in 1..{BulkContacts}) {{ 'bulk{{0:D4}}@contacts.example.com' -f $i }}; Get-SfContact -Email $emails");
            Assert.Empty(typed.Errors);
            Assert.Equal(BulkContacts, typed.Output.Count);
            Assert.All(typed.Output, c => Assert.Equal("Bulk Co", c.Prop("AccountName")));
            Assert.Equal(1, _emulator.ApiCalls - before); // two statements of at most 400 emails in one composite request

            before = _emulator.ApiCalls;
            var piped = ps.Run($"1..{BulkContacts} | ForEach-Object {{ [pscustomobject]@{{ mail = 'bulk{{0:D4}}@contacts.example.com' -f $_ }} }} | Get-SfContact");
            Assert.Empty(piped.Errors);
            Assert.Equal(BulkContacts, piped.Output.Count);
            Assert.Equal(1, _emulator.ApiCalls - before); // piped emails are collected, not read one by one

            // Each read was one composite request holding several chunked queries (at most 400 emails each,
            // fewer when the URL would grow too long), never more than the five a composite request takes.
            var composites = _emulator.Get("requests")["requests"].AsArray().Where(r => r["endpoint"]?.ToString() == "composite").ToList();
            Assert.All(composites.TakeLast(2), r => Assert.InRange(r["subrequests"].GetValue<int>(), 2, 5));
        }

        [Fact]
        public void Contacts_and_leads_read_back_pipe_into_Sync_SfUser_unchanged()
        {
            using var ps = _emulator.NewSession($"-Target LeadsAndContacts -AccountId {Acme} -DefaultCompany 'Unknown Co'");
            var created = ps.Run(@"@(
    [pscustomobject]@{ mail = 'rt.contact@example.com'; givenName = 'Ruth'; sn = 'Contact'; Title = 'CFO'; Phone = '+1 555 0100'; Department = 'Finance'; LeadSource = 'Web'; RecordType = 'Contact' }
    [pscustomobject]@{ mail = ""rt.o'hara@example.com""; givenName = 'Scarlett'; sn = ""O'Hara""; Title = 'Owner'; RecordType = 'Contact' }
    [pscustomobject]@{ mail = 'rt.lead@example.com'; givenName = 'Leo'; sn = 'Lead'; Title = 'Buyer'; Company = 'Lead & Co'; LeadSource = 'Phone Inquiry'; RecordType = 'Lead' }
    [pscustomobject]@{ mail = 'rt.default@example.com'; sn = 'Default'; RecordType = 'Lead' }
) | Sync-SfUser");
            Assert.Empty(created.Errors);
            Assert.Equal(new[] { "Created", "Created", "Created", "Created" }, Actions(created));

            long written = _emulator.RecordsWritten;
            var contacts = ps.Run("Get-SfContact -Email 'rt.contact@example.com', \"rt.o'hara@example.com\" | Sync-SfUser");
            Assert.Empty(contacts.Errors);
            Assert.Equal(new[] { "Unchanged", "Unchanged" }, Actions(contacts));
            Assert.All(contacts.Output, r => Assert.Equal("Contact", r.Prop("ObjectType")));

            var leads = ps.Run("Get-SfLead 'rt.*' | Sync-SfUser");
            Assert.Empty(leads.Errors);
            Assert.Equal(new[] { "Unchanged", "Unchanged" }, Actions(leads));
            Assert.All(leads.Output, r => Assert.Equal("Lead", r.Prop("ObjectType")));

            var account = ps.Run($"Get-SfContact -AccountId {Acme} | Sync-SfUser"); // seeded contacts too, one of them a converted lead's
            Assert.Empty(account.Errors);
            Assert.NotEmpty(account.Output);
            Assert.All(account.Output, r => Assert.Equal("Unchanged", r.Prop("Action")));
            Assert.Equal(0, _emulator.RecordsWritten - written);

            // A change made after the read is what the next sync brings back.
            var changed = ps.Run("$c = Get-SfContact -Email 'rt.contact@example.com'; $c.Title = 'CEO'; $c | Sync-SfUser");
            Assert.Equal("Updated", changed.Output.Single().Prop("Action"));
            Assert.Equal("Title", changed.Output.Single().Prop("ChangedFields"));
        }
    }
}
