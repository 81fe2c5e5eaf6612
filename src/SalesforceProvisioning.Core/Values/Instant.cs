using System;
using System.Globalization;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// Salesforce date-times as instants: parsed from any ISO 8601 form Salesforce or a source gives
    /// (<c>2024-05-01T10:00:00.000+0000</c>, <c>2024-05-01T10:00:00Z</c>, with or without milliseconds),
    /// written in the one form Salesforce accepts, compared as points in time, never by wall-clock text.
    /// </summary>
    public static class Instant
    {
        private const string WireFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

        /// <summary>The form sent to Salesforce: UTC with milliseconds.</summary>
        public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(WireFormat, CultureInfo.InvariantCulture);

        /// <summary>
        /// The one rule for date-times from the source (input objects, CSV text, map results): a value that
        /// says its zone (an offset or Z in text, a DateTimeOffset, a DateTime of kind Utc or Local) is that
        /// instant; a value without a zone (text like 2026-12-31T17:00:00 or 2026-12-31, a DateTime of kind
        /// Unspecified, as [datetime]'...' casts give) is a wall-clock time on the machine that runs the sync, in
        /// its time zone: as PowerShell shows it, as [DateTimeOffset] parameters read it, and as Salesforce's
        /// Data Loader reads zone-less values by default. A date alone is the start of that day there.
        /// </summary>
        public static DateTimeOffset From(DateTime value) => From(value, TimeZoneInfo.Local);

        internal static DateTimeOffset From(DateTime value, TimeZoneInfo zone)
        {
            switch (value.Kind)
            {
                case DateTimeKind.Utc: return new DateTimeOffset(value, TimeSpan.Zero);
                case DateTimeKind.Local: return new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero);
                default: return new DateTimeOffset(WallClockToUtc(value, zone), TimeSpan.Zero);
            }
        }

        /// <summary>A source value (DateTimeOffset, DateTime or text) as an instant, by the rule of <see cref="From(DateTime)"/>.</summary>
        public static bool TryFromSource(object value, out DateTimeOffset instant) => TryFromSource(value, TimeZoneInfo.Local, out instant, out _);

        /// <summary>
        /// As <see cref="TryFromSource(object, out DateTimeOffset)"/>; <paramref name="dateOnly"/> says the source
        /// named a day without a time of day (text yyyy-MM-dd, or an Unspecified DateTime at midnight).
        /// </summary>
        internal static bool TryFromSource(object value, TimeZoneInfo zone, out DateTimeOffset instant, out bool dateOnly)
        {
            instant = default;
            dateOnly = false;
            switch (value)
            {
                case null: return false;
                case DateTimeOffset offset:
                    instant = offset;
                    return true;
                case DateTime time:
                    dateOnly = time.Kind == DateTimeKind.Unspecified && time.TimeOfDay == TimeSpan.Zero;
                    instant = From(time, zone);
                    return true;
            }
            string text = Convert.ToString(value, CultureInfo.InvariantCulture)?.Trim();
            if (string.IsNullOrEmpty(text)) return false;
            if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime day))
            {
                dateOnly = true;
                instant = From(day, zone);
                return true;
            }
            if (HasZone(text)) return TryParse(text, out instant);
            if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out DateTime wallClock)) return false;
            instant = From(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified), zone);
            return true;
        }

        /// <summary>The calendar day a source value names, as written (a date field has no zone): the day of its own wall clock.</summary>
        public static bool TryDayFromSource(object value, out DateTime day)
        {
            day = default;
            switch (value)
            {
                case null: return false;
                case DateTimeOffset offset:
                    day = offset.DateTime.Date;
                    return true;
                case DateTime time:
                    day = time.Date;
                    return true;
            }
            string text = Convert.ToString(value, CultureInfo.InvariantCulture)?.Trim();
            if (string.IsNullOrEmpty(text)) return false;
            if (HasZone(text))
            {
                if (!TryParse(text, out DateTimeOffset instant)) return false;
                day = instant.DateTime.Date;
                return true;
            }
            if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out DateTime wallClock)) return false;
            day = wallClock.Date;
            return true;
        }

        // ISO 8601 text that names its zone: Z, or an offset after the time (+02:00, -0500).
        private static bool HasZone(string text)
        {
            int t = text.IndexOfAny(new[] { 'T', 't', ' ' });
            if (t < 0) return false;
            string time = text.Substring(t + 1);
            return time.EndsWith("Z", StringComparison.OrdinalIgnoreCase) || time.IndexOf('+') >= 0 || time.IndexOf('-') >= 0;
        }

        // A wall-clock time that does not exist in the zone (skipped by a clock change) moves forward by the gap,
        // whatever its length (an hour, two in Antarctica/Troll, half an hour on Lord Howe Island): it is read
        // with the offset in force before the change.
        private static DateTime WallClockToUtc(DateTime value, TimeZoneInfo zone)
        {
            var unspecified = DateTime.SpecifyKind(value, DateTimeKind.Unspecified);
            if (!zone.IsInvalidTime(unspecified)) return TimeZoneInfo.ConvertTimeToUtc(unspecified, zone);
            TimeSpan before = zone.GetUtcOffset(unspecified.AddDays(-1));
            return DateTime.SpecifyKind(unspecified - before, DateTimeKind.Utc);
        }

        /// <summary>Salesforce's own text (always with an offset; UTC when it has none, as Salesforce keeps date-times).</summary>
        public static bool TryParse(string text, out DateTimeOffset value)
        {
            value = default;
            if (string.IsNullOrWhiteSpace(text)) return false;
            text = text.Trim();
            // Salesforce writes the offset without a colon (+0000); .NET wants +00:00.
            int n = text.Length;
            if (n > 5 && (text[n - 5] == '+' || text[n - 5] == '-') && text.IndexOf('T') > 0 && char.IsDigit(text[n - 1]) && char.IsDigit(text[n - 4]))
                text = text.Substring(0, n - 2) + ":" + text.Substring(n - 2);
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out value);
        }

        /// <summary>A JSON value (text, or a date a reader already parsed) as an instant; null when it is none.</summary>
        public static DateTimeOffset? FromToken(JToken token)
        {
            if (token == null || token.Type == JTokenType.Null) return null;
            if (token.Type == JTokenType.Date) return FromValue(((JValue)token).Value);
            return TryParse(token.ToString(), out DateTimeOffset parsed) ? parsed : (DateTimeOffset?)null;
        }

        /// <summary>A value as read (a date-time, or text in one of Salesforce's forms), or null.</summary>
        public static DateTimeOffset? FromValue(object value)
        {
            if (value == null) return null;
            if (value is DateTimeOffset offset) return offset;
            if (value is DateTime dt) return dt.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(dt, TimeSpan.Zero) : From(dt);
            return TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out DateTimeOffset parsed) ? parsed : (DateTimeOffset?)null;
        }

        /// <summary>A value from the state store, written with the round-trip ("o") format.</summary>
        public static DateTimeOffset ParseStored(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }
}
