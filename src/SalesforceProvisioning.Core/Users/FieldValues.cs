using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>Turns source values into what a Salesforce field takes, and compares them with what it holds.</summary>
    public static class FieldValues
    {
        /// <summary>
        /// The JSON value to send for <paramref name="value"/>, or a problem in words. Multi-valued
        /// sources are joined with ';' for multi-select picklists and refused for single-valued fields.
        /// </summary>
        public static JToken Normalize(FieldInfo field, object value, out string problem)
        {
            problem = null;
            if (SfAttributeMap.IsEmpty(value)) return JValue.CreateNull();

            if (value is IEnumerable list && !(value is string))
            {
                var items = list.Cast<object>().Where(v => !SfAttributeMap.IsEmpty(v)).Select(v => Convert.ToString(v, CultureInfo.InvariantCulture).Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                if (field.IsMultiSelect) return new JValue(string.Join(";", items));
                if (items.Count == 1) value = items[0];
                else
                {
                    problem = $"{field.Name} takes one value but the source gave {items.Count} ({string.Join(", ", items.Take(3))}{(items.Count > 3 ? ", ..." : "")}).";
                    return null;
                }
            }

            if (field.IsBoolean)
            {
                if (YesNo.TryParse(value, out bool parsed)) return new JValue(parsed);
                problem = $"{field.Name} takes a yes/no value ({YesNo.Words}), not '{Convert.ToString(value, CultureInfo.InvariantCulture).Trim()}'.";
                return null;
            }
            if (field.IsNumber)
            {
                if (double.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out double number)) return new JValue(number);
                problem = $"{field.Name} takes a number, not '{value}'.";
                return null;
            }
            if (field.IsDateTime || field.Type == "date")
            {
                // A date is the calendar day the source names, whatever the zone; a date-time is an instant.
                DateTimeOffset instant = default;
                DateTime day = default;
                if (field.IsDateTime ? !Instant.TryFromSource(value, out instant) : !Instant.TryDayFromSource(value, out day))
                {
                    problem = $"{field.Name} takes a {(field.IsDateTime ? "date-time" : "date")} (ISO 8601, for example 2024-05-01T10:00:00Z), not '{value}'.";
                    return null;
                }
                return new JValue(field.IsDateTime ? Instant.Format(instant) : day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            string s = Convert.ToString(value, CultureInfo.InvariantCulture).Trim();
            if (field.IsMultiSelect)
                s = string.Join(";", s.Split(';').Select(p => p.Trim()).Where(p => p.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase));
            if (field.Length > 0 && s.Length > field.Length && (field.Type == "string" || field.Type == "email" || field.Type == "phone" || field.Type == "textarea" || field.Type == "url"))
            {
                problem = $"{field.Name} is {s.Length} characters; Salesforce allows at most {field.Length}.";
                return null;
            }
            return new JValue(s);
        }

        /// <summary>Whether the field already holds the desired value (so no write is needed).</summary>
        public static bool AreEqual(FieldInfo field, JToken desired, JToken current)
            => AreEqual(field, desired, current is JValue value ? value.Value : current == null || current.Type == JTokenType.Null ? null : current.ToString());

        /// <summary>
        /// Whether the field already holds the desired value, given as read (text, true/false, a number, null),
        /// as a <see cref="UserRecord"/> gives it.
        /// </summary>
        public static bool AreEqual(FieldInfo field, JToken desired, object current)
        {
            bool desiredEmpty = desired == null || desired.Type == JTokenType.Null || (desired.Type == JTokenType.String && (string)desired == "");
            bool currentEmpty = current == null || (current is string text && text.Length == 0);
            if (desiredEmpty || currentEmpty) return desiredEmpty && currentEmpty;
            if (field.IsBoolean) return (bool)desired == Convert.ToBoolean(current, CultureInfo.InvariantCulture);
            if (field.IsNumber) return Math.Abs((double)desired - Convert.ToDouble(current, CultureInfo.InvariantCulture)) < 1e-9;
            if (field.IsDateTime)
            {
                // Instants, to the millisecond Salesforce keeps: 10:00:00Z equals 10:00:00.000+0000.
                DateTimeOffset? want = Instant.FromToken(desired), have = Instant.FromValue(current);
                if (want.HasValue && have.HasValue) return Instant.Format(want.Value) == Instant.Format(have.Value);
            }
            string a = desired.ToString(), b = current is DateTime || current is DateTimeOffset ? Instant.Format(Instant.FromValue(current).Value) : Convert.ToString(current, CultureInfo.InvariantCulture);
            if (field.IsMultiSelect)
            {
                var left = a.Split(';').Select(v => v.Trim()).Where(v => v.Length > 0);
                var right = b.Split(';').Select(v => v.Trim()).Where(v => v.Length > 0);
                return left.OrderBy(v => v, StringComparer.OrdinalIgnoreCase).SequenceEqual(right.OrderBy(v => v, StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
            }
            bool caseInsensitive = field.Type == "email" || field.Name.Equals("Username", StringComparison.OrdinalIgnoreCase);
            return string.Equals(a, b, caseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        }
    }
}
