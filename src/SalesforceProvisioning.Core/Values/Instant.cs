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
        /// A source DateTime as an instant: UTC and local kinds are what they say; an unspecified kind (a
        /// value without a zone, as CSV imports give) is taken as the machine's local time, as PowerShell shows it.
        /// </summary>
        public static DateTimeOffset From(DateTime value)
            => value.Kind == DateTimeKind.Utc ? new DateTimeOffset(value, TimeSpan.Zero) : new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero);

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
            if (token.Type == JTokenType.Date)
            {
                object value = ((JValue)token).Value;
                if (value is DateTimeOffset offset) return offset;
                var dt = (DateTime)value;
                return dt.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(dt, TimeSpan.Zero) : From(dt);
            }
            return TryParse(token.ToString(), out DateTimeOffset parsed) ? parsed : (DateTimeOffset?)null;
        }

        /// <summary>A value from the state store, written with the round-trip ("o") format.</summary>
        public static DateTimeOffset ParseStored(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }
}
