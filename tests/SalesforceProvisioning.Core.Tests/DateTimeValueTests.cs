using System;
using System.Globalization;
using Newtonsoft.Json.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// Date-times are instants end to end (issue 11 #5). Salesforce writes dateTime values as
    /// 2024-05-01T10:00:00.000+0000 and accepts ISO 8601 with Z or an offset (Salesforce REST API
    /// Developer Guide, "Valid Date and DateTime Formats"). These tests hold in any time zone; CI also runs
    /// them under TZ=Pacific/Chatham.
    /// </summary>
    public class DateTimeValueTests
    {
        private static readonly FieldInfo StartTime = new FieldInfo("Start_Time__c", "datetime", 0, true, true, true);
        private static readonly FieldInfo HireDate = new FieldInfo("Hire_Date__c", "date", 0, true, true, true);

        [Fact]
        public void An_api_answer_keeps_date_times_as_the_text_salesforce_sent()
        {
            var response = new ApiResponse(200, @"{ ""LastLoginDate"": ""2024-05-01T10:00:00.000+0000"" }");
            Assert.Equal(JTokenType.String, response.Json["LastLoginDate"].Type);
            Assert.Equal("2024-05-01T10:00:00.000+0000", (string)response.Json["LastLoginDate"]);
        }

        [Fact]
        public void The_same_instant_without_milliseconds_or_in_another_offset_is_equal()
        {
            JToken current = new ApiResponse(200, @"{ ""v"": ""2024-05-01T10:00:00.000+0000"" }").Json["v"];
            Assert.True(FieldValues.AreEqual(StartTime, FieldValues.Normalize(StartTime, "2024-05-01T10:00:00Z", out _), current));
            Assert.True(FieldValues.AreEqual(StartTime, FieldValues.Normalize(StartTime, "2024-05-01T12:00:00+02:00", out _), current));
            Assert.False(FieldValues.AreEqual(StartTime, FieldValues.Normalize(StartTime, "2024-05-01T10:00:01Z", out _), current));
            // A reader that did parse the date (Newtonsoft's default: a local DateTime) still compares as the instant.
            Assert.True(FieldValues.AreEqual(StartTime, FieldValues.Normalize(StartTime, "2024-05-01T10:00:00Z", out _), JObject.Parse(@"{ ""v"": ""2024-05-01T10:00:00.000+0000"" }")["v"]));
        }

        [Fact]
        public void Source_date_times_are_sent_as_utc_instants()
        {
            var instant = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);
            Assert.Equal("2024-05-01T10:00:00.000Z", (string)FieldValues.Normalize(StartTime, instant.LocalDateTime, out _));
            Assert.Equal("2024-05-01T10:00:00.000Z", (string)FieldValues.Normalize(StartTime, instant.UtcDateTime, out _));
            Assert.Equal("2024-05-01T10:00:00.000Z", (string)FieldValues.Normalize(StartTime, instant.ToOffset(TimeSpan.FromHours(13.75)), out _));
            Assert.Equal("2024-05-01T10:00:00.000Z", (string)FieldValues.Normalize(StartTime, "2024-05-01T10:00:00.000+0000", out _));
            Assert.Null(FieldValues.Normalize(StartTime, "next Tuesday", out string problem));
            Assert.Contains("Start_Time__c", problem);
        }

        [Fact]
        public void A_date_is_the_calendar_day_the_source_names()
        {
            Assert.Equal("2024-05-01", (string)FieldValues.Normalize(HireDate, new DateTime(2024, 5, 1), out _));
            Assert.Equal("2024-05-01", (string)FieldValues.Normalize(HireDate, "2024-05-01", out _));
            Assert.True(FieldValues.AreEqual(HireDate, FieldValues.Normalize(HireDate, "2024-05-01", out _), new JValue("2024-05-01")));
        }

        [Fact]
        public void Parsing_does_not_depend_on_the_culture()
        {
            CultureInfo saved = CultureInfo.CurrentCulture;
            try
            {
                foreach (string name in new[] { "tr-TR", "de-DE", "th-TH", "ar-SA" })
                {
                    CultureInfo.CurrentCulture = new CultureInfo(name);
                    Assert.True(Instant.TryParse("2024-05-01T10:00:00.000+0000", out DateTimeOffset parsed));
                    Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), parsed);
                    Assert.Equal("2024-05-01T10:00:00.000Z", Instant.Format(parsed));
                }
            }
            finally
            {
                CultureInfo.CurrentCulture = saved;
            }
        }
    }
}
