using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SalesforceProvisioning.Emulator.Data;

/// <summary>Conversions between JSON and stored field values, and the comparisons SOQL and sorting use.</summary>
internal static class FieldValues
{
    private static readonly Regex EmailPattern = new(
        @"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$",
        RegexOptions.CultureInvariant);

    public static bool IsEmail(string value) => value.Length <= 80 + 1 + 255 && EmailPattern.IsMatch(value);

    /// <summary>Reads a JSON value for <paramref name="field"/>; empty strings become null as in Salesforce.</summary>
    public static bool TryFromJson(FieldDefinition field, JsonNode node, out object value)
    {
        value = null;
        if (node == null) return true;
        if (node is not JsonValue json) return false;
        var kind = json.GetValueKind();
        if (kind == JsonValueKind.Null) return true;
        if (field.IsText)
        {
            value = kind switch
            {
                JsonValueKind.String => json.GetValue<string>(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => json.ToJsonString(),
                _ => null,
            };
            if (value is "") value = null;
            return value != null || kind == JsonValueKind.String;
        }
        string text = kind == JsonValueKind.String ? json.GetValue<string>() : json.ToJsonString();
        if (kind == JsonValueKind.String && text.Length == 0) return true;
        return TryParse(field.Type, text, out value);
    }

    public static bool TryParse(FieldType type, string text, out object value)
    {
        value = null;
        switch (type)
        {
            case FieldType.Boolean:
                if (bool.TryParse(text, out bool flag)) { value = flag; return true; }
                return false;
            case FieldType.Int:
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long whole)) { value = whole; return true; }
                return false;
            case FieldType.Double:
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number)) { value = number; return true; }
                return false;
            case FieldType.DateTime:
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment))
                {
                    value = moment.UtcDateTime;
                    return true;
                }
                return false;
            case FieldType.Date:
                if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) { value = day; return true; }
                return false;
            default:
                value = text;
                return true;
        }
    }

    public static JsonNode ToJson(object value) => value switch
    {
        null => null,
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        long whole => JsonValue.Create(whole),
        int whole => JsonValue.Create(whole),
        double number => JsonValue.Create(number),
        DateTime moment => JsonValue.Create(FormatDateTime(moment)),
        DateOnly day => JsonValue.Create(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    /// <summary>Salesforce's dateTime format: 2024-05-01T12:00:00.000+0000.</summary>
    public static string FormatDateTime(DateTime moment) =>
        moment.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture);

    public static string ToDisplayString(object value) => value switch
    {
        null => "",
        DateTime moment => FormatDateTime(moment),
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <summary>Orders two non-null values of the same field; text compares case-insensitively as in SOQL.</summary>
    public static int Compare(object left, object right) => (left, right) switch
    {
        (string a, string b) => string.Compare(a, b, StringComparison.OrdinalIgnoreCase),
        (bool a, bool b) => a.CompareTo(b),
        (DateTime a, DateTime b) => a.CompareTo(b),
        (DateOnly a, DateOnly b) => a.CompareTo(b),
        _ when IsNumber(left) && IsNumber(right) => Convert.ToDouble(left, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(right, CultureInfo.InvariantCulture)),
        _ => string.Compare(ToDisplayString(left), ToDisplayString(right), StringComparison.OrdinalIgnoreCase),
    };

    public static bool IsNumber(object value) => value is long or int or double;
}
