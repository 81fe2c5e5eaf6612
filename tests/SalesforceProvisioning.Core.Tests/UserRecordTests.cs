using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// A matched user is read straight from the scanned org's compact index (issue 14: no JSON object per
    /// matched user): every field it gives, and every decision the planner makes on it, must be what the same
    /// record read as JSON gave. The answer's shape follows Salesforce's Composite resource documentation
    /// (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm).
    /// </summary>
    public class UserRecordTests
    {
        private static readonly string[] Fields = { "Id", "Username", "IsActive", "UserType", "ProfileId", "ContactId", "Title", "FederationIdentifier", "LastLoginDate", "Extension__c", "Rate__c", "Skills__c", "Department" };

        private const string Answer = @"{""compositeResponse"":[{""body"":{""totalSize"":2,""done"":true,""records"":[
            {""attributes"":{""type"":""User"",""url"":""/u/1""},""Id"":""005000000000001AAA"",""Username"":""Jane@Example.com"",""IsActive"":true,""UserType"":""Standard"",
             ""ProfileId"":""00e000000000001AAA"",""ContactId"":null,""Title"":""Engineer"",""FederationIdentifier"":""jane"",""LastLoginDate"":""2026-01-02T03:04:05.000+0000"",
             ""Extension__c"":42,""Rate__c"":1.5,""Skills__c"":""B;A"",""Department"":""""},
            {""Id"":""005000000000002AAA"",""Username"":""kim@example.com"",""IsActive"":false,""UserType"":""PowerPartner"",""ProfileId"":""00e000000000002AAA"",""ContactId"":null,
             ""Title"":null,""FederationIdentifier"":null,""LastLoginDate"":null,""Extension__c"":null,""Rate__c"":null,""Skills__c"":null,""Department"":null}]},
            ""httpHeaders"":{},""httpStatusCode"":200,""referenceId"":""p0""}]}";

        private static CompactRecordIndex Scanned()
        {
            var index = new CompactRecordIndex(Fields, "Username", new[] { "FederationIdentifier" });
            QueryAnswer.ReadComposite(Answer, index.Add);
            return index;
        }

        private static Dictionary<string, UserRecord> AsJson()
            => QueryAnswer.ReadComposite(Answer)[0].Records.ToDictionary(r => r.Value<string>("Username"), r => new UserRecord(r), System.StringComparer.OrdinalIgnoreCase);

        [Fact]
        public void A_user_read_from_the_compact_index_gives_every_field_as_the_json_record_does()
        {
            var index = Scanned();
            foreach (var json in AsJson())
            {
                UserRecord compact = index.Find(json.Key);
                Assert.NotNull(compact);
                foreach (string field in Fields)
                {
                    Assert.Equal(json.Value[field], compact[field]);
                    Assert.Equal(json.Value.Text(field), compact.Text(field));
                    // Salesforce field names ignore case.
                    Assert.Equal(json.Value.Text(field), compact.Text(field.ToUpperInvariant()));
                }
                Assert.Equal(json.Value.Flag("IsActive"), compact.Flag("IsActive"));
                Assert.Null(compact.Flag("ContactId"));
            }
            Assert.Equal(42L, index.Find("jane@example.com")["Extension__c"]);
            Assert.Equal("2026-01-02T03:04:05.000+0000", index.Find("jane@example.com").Text("LastLoginDate"));
            Assert.Equal("", index.Find("jane@example.com").Text("Department"));
        }

        [Fact]
        public void The_planner_decides_the_same_on_the_compact_record_as_on_the_json_record()
        {
            var index = Scanned();
            var json = AsJson();
            var cases = new (FieldInfo Field, JToken Desired)[]
            {
                (new FieldInfo("Title", "string", 80, true, true, true), "Engineer"),
                (new FieldInfo("Title", "string", 80, true, true, true), "engineer"),
                (new FieldInfo("Title", "string", 80, true, true, true), JValue.CreateNull()),
                (new FieldInfo("Username", "string", 80, true, true, false), "jane@example.com"),
                (new FieldInfo("IsActive", "boolean", 0, true, true, false), true),
                (new FieldInfo("IsActive", "boolean", 0, true, true, false), false),
                (new FieldInfo("Extension__c", "double", 0, true, true, true), 42.0),
                (new FieldInfo("Extension__c", "double", 0, true, true, true), 43.0),
                (new FieldInfo("Rate__c", "percent", 0, true, true, true), 1.5),
                (new FieldInfo("LastLoginDate", "datetime", 0, true, true, true), "2026-01-02T03:04:05Z"),
                (new FieldInfo("LastLoginDate", "datetime", 0, true, true, true), "2026-01-02T03:04:06Z"),
                (new FieldInfo("Skills__c", "multipicklist", 4099, true, true, true), "A;B"),
                (new FieldInfo("Department", "string", 80, true, true, true), JValue.CreateNull()),
                (new FieldInfo("Department", "string", 80, true, true, true), "Sales"),
            };
            var culture = CultureInfo.CurrentCulture;
            try
            {
                foreach (string name in new[] { "tr-TR", "de-DE", "en-US" })
                {
                    CultureInfo.CurrentCulture = new CultureInfo(name);
                    foreach (string username in json.Keys)
                        foreach (var (field, desired) in cases)
                        {
                            bool fromJson = FieldValues.AreEqual(field, desired, json[username].ToJson()[field.Name]);
                            Assert.Equal(fromJson, FieldValues.AreEqual(field, desired, index.Find(username)[field.Name]));
                        }
                }
            }
            finally
            {
                CultureInfo.CurrentCulture = culture;
            }
            Assert.True(FieldValues.AreEqual(cases[0].Field, cases[0].Desired, index.Find("jane@example.com")["Title"]));
            Assert.False(FieldValues.AreEqual(cases[1].Field, cases[1].Desired, index.Find("jane@example.com")["Title"]));
            Assert.True(FieldValues.AreEqual(cases[11].Field, cases[11].Desired, index.Find("jane@example.com")["Skills__c"]));

            var existing = new ExistingUser(index.Find("kim@example.com"));
            Assert.False(existing.IsActive);
            Assert.Equal("005000000000002AAA", existing.Id);
            Assert.True(existing.IsUnlinkedCommunityUser);
        }

        [Theory]
        [InlineData(40)]
        [InlineData(70)] // past 64 fields: a record's fields are told apart by two words
        [InlineData(130)] // past 128: every record keeps a place for every field
        public void Records_keep_only_their_fields_with_a_value_and_give_each_field_its_own(int fieldCount)
        {
            var fields = new[] { "Id", "Username" }.Concat(Enumerable.Range(0, fieldCount - 2).Select(i => $"F{i}__c")).ToArray();
            var index = new CompactRecordIndex(fields, "Username");
            for (int user = 0; user < 3; user++)
            {
                var values = new object[fields.Length];
                values[0] = $"005{user:D15}";
                values[1] = $"user{user}@example.com";
                // Each user has a value in a different set of fields (every field whose number leaves this remainder).
                for (int i = 2; i < fields.Length; i++) if (i % 3 == user) values[i] = $"u{user}f{i}";
                index.Add(values);
            }
            for (int user = 0; user < 3; user++)
            {
                UserRecord record = index.Find($"user{user}@example.com");
                Assert.Equal($"005{user:D15}", record.Text("Id"));
                for (int i = 2; i < fields.Length; i++)
                    Assert.Equal(i % 3 == user ? $"u{user}f{i}" : null, record.Text(fields[i]));
                // Only the fields with a value: Id, Username and this user's own.
                Assert.Equal(2 + Enumerable.Range(2, fields.Length - 2).Count(i => i % 3 == user), record.ToJson().Count);
            }
        }

        [Fact]
        public void A_record_read_again_by_a_retried_read_is_found_once_and_by_its_latest_values()
        {
            var index = Scanned();
            QueryAnswer.ReadComposite(Answer, index.Add); // the same answer again, as a retry after a cut-off read hands it on
            Assert.Equal(2, index.Count);
            Assert.Single(index.Find("FederationIdentifier", "jane"));

            QueryAnswer.ReadComposite(Answer.Replace(@"""FederationIdentifier"":""jane""", @"""FederationIdentifier"":""jane.doe"""), index.Add);
            Assert.Empty(index.Find("FederationIdentifier", "jane"));
            Assert.Equal("005000000000001AAA", index.Find("FederationIdentifier", "jane.doe").Single().Text("Id"));
        }
    }
}
