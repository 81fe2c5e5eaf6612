using System.Linq;
using Newtonsoft.Json.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>A held write's fields packed into a compact buffer: the same JSON back, and the same CSV cells as from the JSON record.</summary>
    public class PackedRecordTests
    {
        private static JObject Record() => new JObject
        {
            ["Username"] = "seán.o'brien@example.com",
            ["LastName"] = "O\"Brien, Jr.",
            ["Title"] = "",
            ["Phone"] = JValue.CreateNull(),
            ["IsActive"] = false,
            ["ReceivesInfoEmails"] = true,
            ["Employees__c"] = 12345678901L,
            ["Rate__c"] = 0.1,
            ["Skills__c"] = new JArray("a", "b"),
            ["Hired__c"] = "2024-05-01T10:00:00Z",
            ["Notes__c"] = new string('x', 300),
        };

        [Fact]
        public void A_packed_record_unpacks_to_the_same_JSON_and_gives_the_cells_CsvValue_gives()
        {
            JObject record = Record();
            PackedRecord packed = PackedRecord.Pack(record);
            Assert.True(JToken.DeepEquals(record, packed.Unpack()), packed.Unpack().ToString());
            Assert.Equal(record.Properties().Select(p => (p.Name, BulkIngest.CsvValue(p.Value, missing: ""))).ToList(), packed.CsvFields());
            Assert.Equal(record.Properties().Select(p => p.Name).ToList(), packed.Names());
            Assert.Equal("#N/A", packed.CsvValue("title"));
            Assert.Null(packed.CsvValue("Email"));
            Assert.Equal(JTokenType.Boolean, packed.Value("IsActive").Type);
            Assert.True(packed.Size < record.ToString(Newtonsoft.Json.Formatting.None).Length, $"{packed.Size} bytes");
        }

        [Fact]
        public void A_packed_record_writes_the_JSON_its_unpacked_record_writes_without_building_it()
        {
            // A composite request's records are written straight from the buffer (CompositeWriter): the text must be
            // the same as the unpacked JSON object's, value types included (0.1 stays a float, 12345678901 an integer).
            PackedRecord packed = PackedRecord.Pack(Record());
            var text = new System.IO.StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            using (var json = new Newtonsoft.Json.JsonTextWriter(text))
            {
                json.WriteStartObject();
                packed.WriteJsonFields(json);
                json.WriteEndObject();
            }
            Assert.Equal(packed.Unpack().ToString(Newtonsoft.Json.Formatting.None), text.ToString());
            Assert.Equal(Record().ToString(Newtonsoft.Json.Formatting.None), text.ToString());
        }

        /// <summary>
        /// A date-time value (a JSON Date token: a DateTime of any kind or a DateTimeOffset) gives the same cell packed
        /// or not, the UTC instant CsvValue writes ("Valid Date Format in Records": yyyy-MM-ddTHH:mm:ss.SSSZ,
        /// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_date_format.htm),
        /// so a failed row uploaded from the packed write is recognised as the same write again (SameUpload). Checked in
        /// whatever zone the tests run in (CI also runs them under TZ=Pacific/Chatham, +12:45/+13:45).
        /// </summary>
        [Fact]
        public void A_date_time_gives_the_same_csv_cell_packed_or_not_so_the_same_upload_is_recognised()
        {
            var record = new JObject
            {
                ["Username"] = "dates@example.com",
                ["Local__c"] = new JValue(new System.DateTime(2024, 5, 1, 10, 0, 0, System.DateTimeKind.Local)),
                ["Utc__c"] = new JValue(new System.DateTime(2024, 5, 1, 10, 0, 0, 250, System.DateTimeKind.Utc)),
                ["Offset__c"] = new JValue(new System.DateTimeOffset(2024, 5, 1, 10, 0, 0, System.TimeSpan.FromHours(-7))),
            };
            PackedRecord packed = PackedRecord.Pack(record);
            var cells = packed.CsvFields();
            Assert.Equal(record.Properties().Select(p => (p.Name, BulkIngest.CsvValue(p.Value, missing: ""))).ToList(), cells);
            Assert.Equal("2024-05-01T10:00:00.250Z", cells.Single(c => c.Name == "Utc__c").Value);
            Assert.Equal("2024-05-01T17:00:00.000Z", cells.Single(c => c.Name == "Offset__c").Value);
            Assert.Equal(new System.DateTimeOffset(new System.DateTime(2024, 5, 1, 10, 0, 0, System.DateTimeKind.Local)),
                System.DateTimeOffset.Parse(cells.Single(c => c.Name == "Local__c").Value, System.Globalization.CultureInfo.InvariantCulture)); // the same instant, whatever the zone

            var uploaded = cells.ToDictionary(c => c.Name, c => c.Value);
            Assert.True(BulkIngest.SameUpload(uploaded, record));
            Assert.True(BulkIngest.SameUpload(uploaded, packed.Unpack()));
            // The unpacked record holds the same instants (what a composite write would send).
            Assert.Equal(cells, PackedRecord.Pack(packed.Unpack()).CsvFields());
        }
    }
}
