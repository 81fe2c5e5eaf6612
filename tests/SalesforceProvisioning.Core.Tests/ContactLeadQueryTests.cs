using System;
using System.Linq;
using Newtonsoft.Json.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>The SOQL Get-SfContact and Get-SfLead send: filters in the query, every value escaped, emails chunked.</summary>
    public class ContactLeadQueryTests
    {
        private const string ContactSelect = "SELECT Id, FirstName, LastName, Name, Email, Phone, Title, AccountId, Account.Name";
        private const string LeadSelect = "SELECT Id, FirstName, LastName, Name, Email, Phone, Title, Company, Status, IsConverted, ConvertedContactId";

        [Fact]
        public void All_contacts_without_filters_with_or_without_the_optional_fields()
        {
            Assert.Equal(ContactSelect + ", MobilePhone, Department, LeadSource FROM Contact ORDER BY Name, Id",
                OrgQueries.Contacts(new SfContactQuery(), OrgQueries.OptionalContactFields));
            Assert.Equal(ContactSelect + " FROM Contact ORDER BY Name, Id", OrgQueries.Contacts(new SfContactQuery()));
        }

        [Fact]
        public void Contact_patterns_search_name_and_email_with_escaped_wildcards_and_accounts_go_in_an_IN_list()
        {
            string soql = OrgQueries.Contacts(new SfContactQuery { Names = new[] { "*O'Connor*", "a_b*" }, AccountIds = new[] { "001A", "001B", "001A" } });
            Assert.Equal(ContactSelect + @" FROM Contact WHERE (Name LIKE '%O\'Connor%' OR Email LIKE '%O\'Connor%' OR Name LIKE 'a\_b%' OR Email LIKE 'a\_b%')"
                + " AND AccountId IN ('001A','001B') ORDER BY Name, Id", soql);

            // 15-character Ids differ by case only: both stay.
            Assert.Contains("AccountId IN ('001Ab','001AB')", OrgQueries.Contacts(new SfContactQuery { AccountIds = new[] { "001Ab", "001AB" } }));
        }

        [Fact]
        public void Leads_leave_out_converted_ones_unless_asked_and_filter_on_status()
        {
            Assert.Equal(LeadSelect + ", MobilePhone, LeadSource FROM Lead WHERE IsConverted = false ORDER BY Name, Id",
                OrgQueries.Leads(new SfLeadQuery(), OrgQueries.OptionalLeadFields));
            Assert.Equal(LeadSelect + " FROM Lead ORDER BY Name, Id", OrgQueries.Leads(new SfLeadQuery { IncludeConverted = true }));
            Assert.Equal(LeadSelect + @" FROM Lead WHERE (Name LIKE 'Mary%' OR Email LIKE 'Mary%') AND IsConverted = false"
                + " AND (Status LIKE 'Working%' OR Status LIKE 'Open - Not Contacted') ORDER BY Name, Id",
                OrgQueries.Leads(new SfLeadQuery { Names = new[] { "Mary*" }, Statuses = new[] { "Working*", "Open - Not Contacted" } }));
        }

        [Fact]
        public void Emails_go_in_chunks_of_at_most_400_with_the_other_filters()
        {
            var emails = Enumerable.Range(0, 1000).Select(i => $"p{i}@x.io").Append("o'neil@example.com").Append("P0@X.IO").ToList();
            var contacts = OrgQueries.ContactsByEmail(new SfContactQuery { Emails = emails, AccountIds = new[] { "001A" } }).ToList();
            Assert.Equal(3, contacts.Count);
            Assert.All(contacts, s => Assert.StartsWith(ContactSelect + " FROM Contact WHERE AccountId IN ('001A') AND Email IN ('", s));
            Assert.All(contacts, s => Assert.EndsWith(") ORDER BY Email", s));
            Assert.Contains(@"'o\'neil@example.com'", contacts[2]);
            Assert.Equal(1001, contacts.Sum(s => s.Split('@').Length - 1)); // every distinct email once (case-insensitive)
            Assert.All(contacts, s => Assert.True(s.Split('@').Length - 1 <= OrgQueries.EmailsPerQuery));

            var leads = OrgQueries.LeadsByEmail(new SfLeadQuery { Emails = new[] { "a@x.io", "b@x.io" }, Statuses = new[] { "Working*" } }, OrgQueries.OptionalLeadFields).Single();
            Assert.Equal(LeadSelect + ", MobilePhone, LeadSource FROM Lead WHERE IsConverted = false AND Status LIKE 'Working%' AND Email IN ('a@x.io','b@x.io') ORDER BY Email", leads);
            Assert.DoesNotContain("IsConverted =", OrgQueries.LeadsByEmail(new SfLeadQuery { Emails = new[] { "a@x.io" }, IncludeConverted = true }).Single());
        }

        [Fact]
        public void Long_emails_make_more_statements_so_each_stays_a_GET_request_Salesforce_accepts()
        {
            var emails = Enumerable.Range(0, 2000).Select(i => new string('x', 60) + i + "@long-domain.example.com").ToList();
            var statements = OrgQueries.LeadsByEmail(new SfLeadQuery { Emails = emails }).ToList();
            Assert.True(statements.Count > 2000 / OrgQueries.EmailsPerQuery);
            Assert.All(statements, s => Assert.True(Uri.EscapeDataString(s).Length < 14_000));
        }

        [Fact]
        public void Records_become_typed_objects_with_their_record_type()
        {
            var contact = OrgReader.ToContact(JObject.Parse(@"{ ""Id"": ""003x"", ""Email"": ""a@b.c"", ""LastName"": ""B"", ""AccountId"": ""001x"", ""Account"": { ""Name"": ""Acme"" } }"));
            Assert.Equal("Acme", contact.AccountName);
            Assert.Equal("001x", contact.AccountId);
            Assert.Equal("Contact", contact.RecordType);
            Assert.Null(contact.MobilePhone);
            Assert.Equal("a@b.c", contact.ToString());

            var orphan = OrgReader.ToContact(JObject.Parse(@"{ ""Id"": ""003y"", ""Account"": null }"));
            Assert.Null(orphan.AccountName);
            Assert.Equal("003y", orphan.ToString());

            var lead = OrgReader.ToLead(JObject.Parse(@"{ ""Id"": ""00Qx"", ""Company"": ""Initech"", ""Status"": ""Closed - Converted"", ""IsConverted"": true, ""ConvertedContactId"": ""003x"" }"));
            Assert.True(lead.IsConverted);
            Assert.Equal("003x", lead.ConvertedContactId);
            Assert.Equal("Contact", lead.RecordType); // a converted lead lives on as its contact
            var open = OrgReader.ToLead(new JObject { ["Id"] = "00Qy" });
            Assert.False(open.IsConverted);
            Assert.Equal("Lead", open.RecordType);
        }
    }
}
