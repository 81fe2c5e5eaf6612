using System;
using System.Globalization;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// One rule for date-times from the source (README, "Date-times"): a value that names its zone is that
    /// instant; a value without one (text without an offset, a date alone, a [datetime] of kind Unspecified)
    /// is a wall-clock time of the machine running the sync. These hold in any time zone: CI runs them under
    /// TZ=Pacific/Chatham and America/New_York, and the zone-explicit ones use a fixed +13:45 zone.
    /// </summary>
    public class SourceTimeRuleTests
    {
        private static readonly FieldInfo StartTime = new FieldInfo("Start_Time__c", "datetime", 0, true, true, true);
        private static readonly FieldInfo HireDate = new FieldInfo("Hire_Date__c", "date", 0, true, true, true);
        private static readonly TimeZoneInfo Plus1345 = TimeZoneInfo.CreateCustomTimeZone("Test/Plus1345", TimeSpan.FromMinutes(13 * 60 + 45), "+13:45", "+13:45");

        private static string Utc(DateTimeOffset value) => Instant.Format(value);

        private static DateTimeOffset Source(object value, TimeZoneInfo zone)
        {
            Assert.True(Instant.TryFromSource(value, zone, out DateTimeOffset instant, out _), $"'{value}' was not read");
            return instant;
        }

        [Fact]
        public void A_value_without_a_zone_is_wall_clock_time_in_the_sync_machines_zone_whether_text_or_datetime()
        {
            Assert.Equal("2026-12-31T03:15:00.000Z", Utc(Source("2026-12-31T17:00:00", Plus1345)));
            Assert.Equal("2026-12-31T03:15:00.000Z", Utc(Source(new DateTime(2026, 12, 31, 17, 0, 0, DateTimeKind.Unspecified), Plus1345)));
            Assert.Equal("2026-12-31T03:15:00.000Z", Utc(Instant.From(new DateTime(2026, 12, 31, 17, 0, 0), Plus1345)));
            // A date alone is the start of that day there.
            Assert.Equal("2026-12-30T10:15:00.000Z", Utc(Source("2026-12-31", Plus1345)));
        }

        [Fact]
        public void A_value_that_names_its_zone_is_that_instant_in_any_zone()
        {
            Assert.Equal("2026-12-31T17:00:00.000Z", Utc(Source("2026-12-31T17:00:00Z", Plus1345)));
            Assert.Equal("2026-12-31T15:00:00.000Z", Utc(Source("2026-12-31T17:00:00+02:00", Plus1345)));
            Assert.Equal("2026-12-31T22:00:00.000Z", Utc(Source("2026-12-31T17:00:00.000-0500", Plus1345)));
            Assert.Equal("2026-12-31T17:00:00.000Z", Utc(Source(new DateTime(2026, 12, 31, 17, 0, 0, DateTimeKind.Utc), Plus1345)));
            Assert.Equal("2026-12-31T15:00:00.000Z", Utc(Source(new DateTimeOffset(2026, 12, 31, 17, 0, 0, TimeSpan.FromHours(2)), Plus1345)));
            // A Local DateTime (Get-ADUser's AccountExpirationDate, Get-Date) is the machine's own instant.
            var local = new DateTime(2026, 12, 31, 17, 0, 0, DateTimeKind.Local);
            Assert.Equal(Utc(new DateTimeOffset(local.ToUniversalTime())), Utc(Source(local, Plus1345)));
        }

        [Fact]
        public void Through_the_engine_zone_less_text_and_an_unspecified_datetime_are_the_same_local_instant()
        {
            var wallClock = new DateTime(2026, 12, 31, 17, 0, 0, DateTimeKind.Unspecified);
            string expected = Utc(new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(wallClock, TimeZoneInfo.Local), TimeSpan.Zero));
            Assert.Equal(expected, (string)FieldValues.Normalize(StartTime, "2026-12-31T17:00:00", out _));
            Assert.Equal(expected, (string)FieldValues.Normalize(StartTime, wallClock, out _));
            Assert.Equal(expected, (string)FieldValues.Normalize(StartTime, DateTime.SpecifyKind(wallClock, DateTimeKind.Local), out _));
            Assert.Equal("2026-12-31T17:00:00.000Z", (string)FieldValues.Normalize(StartTime, "2026-12-31T17:00:00Z", out _));
        }

        [Fact]
        public void A_date_field_takes_the_calendar_day_as_written_in_any_zone()
        {
            Assert.Equal("2026-12-31", (string)FieldValues.Normalize(HireDate, "2026-12-31", out _));
            Assert.Equal("2026-12-31", (string)FieldValues.Normalize(HireDate, "2026-12-31T23:30:00-05:00", out _));
            Assert.Equal("2026-12-31", (string)FieldValues.Normalize(HireDate, "2026-12-31T00:30:00", out _));
            Assert.Equal("2026-12-31", (string)FieldValues.Normalize(HireDate, new DateTime(2026, 12, 31), out _));
            Assert.Null(FieldValues.Normalize(HireDate, "someday", out string problem));
            Assert.Contains("Hire_Date__c", problem);
        }

        [Fact]
        public void An_end_date_alone_lasts_through_that_day_in_the_sync_machines_zone()
        {
            Assert.Equal("2026-12-31T10:15:00.000Z", Utc(SfAttributeMap.AccessEnd("2026-12-31", Plus1345).Value));
            Assert.Equal("2026-12-31T10:15:00.000Z", Utc(SfAttributeMap.AccessEnd(new DateTime(2026, 12, 31), Plus1345).Value));
            Assert.Equal("2026-12-31T03:15:00.000Z", Utc(SfAttributeMap.AccessEnd("2026-12-31T17:00:00", Plus1345).Value));
            Assert.Equal("2026-12-31T17:00:00.000Z", Utc(SfAttributeMap.AccessEnd("2026-12-31T17:00:00Z", Plus1345).Value));

            // The public path, in the machine's zone: the day after, at its midnight.
            var nextMidnight = new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
            string expected = Utc(new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(nextMidnight, TimeZoneInfo.Local), TimeSpan.Zero));
            Assert.Equal(expected, Utc(SfAttributeMap.AccessEnd("2026-12-31").Value));
        }

        [Fact]
        public void Active_directorys_account_expiration_date_is_the_instant_it_names_not_a_day_more()
        {
            // ADUC's "End of: 31 Dec 2026" is stored as the start of 1 Jan 2027, and Get-ADUser returns it as a Local DateTime.
            var accountExpires = new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Local);
            Assert.Equal(Utc(new DateTimeOffset(accountExpires.ToUniversalTime())), Utc(SfAttributeMap.AccessEnd(accountExpires).Value));
        }

        [Fact]
        public void A_wall_clock_time_skipped_by_daylight_saving_is_read_not_refused()
        {
            if (!TimeZoneInfo.TryFindSystemTimeZoneById("America/New_York", out TimeZoneInfo newYork)) return; // no time zone data on this machine
            // 02:30 on 8 March 2026 does not exist in New York (clocks go from 02:00 to 03:00): read as 03:30 EDT.
            Assert.Equal("2026-03-08T07:30:00.000Z", Utc(Source("2026-03-08T02:30:00", newYork)));
        }

        /// <summary>A zone whose daylight saving starts on the last Sunday of March at <paramref name="at"/> and moves clocks by <paramref name="gap"/>.</summary>
        private static TimeZoneInfo WithGap(string id, TimeSpan standard, TimeSpan gap, int at)
        {
            var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(new DateTime(2000, 1, 1), new DateTime(2099, 12, 31), gap,
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, at, 0, 0), 3, 5, DayOfWeek.Sunday),
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 4, 0, 0), 10, 5, DayOfWeek.Sunday));
            return TimeZoneInfo.CreateCustomTimeZone(id, standard, id, id, id, new[] { rule });
        }

        [Fact]
        public void A_skipped_wall_clock_time_moves_forward_by_the_gap_whatever_its_length()
        {
            // Gaps are not always an hour: Antarctica/Troll moves clocks by two hours, Australia/Lord_Howe by half an hour.
            // 29 March 2026 is the last Sunday of March.
            TimeZoneInfo twoHours = WithGap("Test/TwoHourGap", TimeSpan.Zero, TimeSpan.FromHours(2), at: 1);
            // 01:30 does not exist (01:00 becomes 03:00): it is 03:30 after the gap, 01:30 UTC.
            Assert.Equal("2026-03-29T01:30:00.000Z", Utc(Source("2026-03-29T01:30:00", twoHours)));
            Assert.Equal("2026-03-29T02:59:00.000Z", Utc(Source(new DateTime(2026, 3, 29, 2, 59, 0), twoHours)));
            TimeZoneInfo halfHour = WithGap("Test/HalfHourGap", TimeSpan.FromMinutes(10 * 60 + 30), TimeSpan.FromMinutes(30), at: 2);
            // 02:15 does not exist (02:00 becomes 02:30): it is 02:45 at +11:00.
            Assert.Equal("2026-03-28T15:45:00.000Z", Utc(Source("2026-03-29T02:15:00", halfHour)));
            Assert.Equal("2026-03-28T15:30:00.000Z", Utc(Source("2026-03-29T02:00:00", halfHour)));
        }

        [Fact]
        public void Text_is_read_the_same_in_every_culture()
        {
            CultureInfo saved = CultureInfo.CurrentCulture;
            try
            {
                foreach (string name in new[] { "tr-TR", "de-DE", "th-TH", "ar-SA" })
                {
                    CultureInfo.CurrentCulture = new CultureInfo(name);
                    Assert.Equal("2026-12-31T03:15:00.000Z", Utc(Source("2026-12-31T17:00:00", Plus1345)));
                    Assert.Equal("2026-12-30T10:15:00.000Z", Utc(Source("2026-12-31", Plus1345)));
                }
            }
            finally
            {
                CultureInfo.CurrentCulture = saved;
            }
        }
    }
}
