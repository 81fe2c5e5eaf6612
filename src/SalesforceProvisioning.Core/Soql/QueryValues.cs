using System.Text.RegularExpressions;

namespace SalesforceProvisioning
{
    /// <summary>
    /// Checks a source value before it reaches a query, so one bad value fails its own record instead of the
    /// statement (and the window) it would share: Salesforce refuses a whole query for a malformed id
    /// (INVALID_QUERY_FILTER_OPERATOR) or a statement over 100,000 characters. Ids are 15 case-sensitive or 18
    /// case-insensitive letters and digits (SOAP API Developer Guide, "Field Types": ID); text can be no longer
    /// than the field's describe length.
    /// </summary>
    public static class QueryValues
    {
        /// <summary>The longest Username Salesforce accepts (User describe: string(80)).</summary>
        public const int UsernameLength = 80;

        private static readonly Regex IdShape = new Regex("^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$", RegexOptions.CultureInvariant);

        public static bool IsId(string value) => value != null && IdShape.IsMatch(value);

        /// <summary>Why <paramref name="value"/> cannot be the Salesforce id of <paramref name="field"/>, or null.</summary>
        public static string IdProblem(string field, string value)
            => IsId(value) ? null : $"{field} '{Shorten(value)}' is not a Salesforce id (15 or 18 letters and digits).";

        /// <summary>Why <paramref name="value"/> cannot be a value of a field of at most <paramref name="maxLength"/> characters, or null.</summary>
        public static string LengthProblem(string field, int maxLength, string value)
            => maxLength > 0 && value != null && value.Length > maxLength ? $"{field} is {value.Length:N0} characters; Salesforce allows at most {maxLength}." : null;

        public static string LengthProblem(FieldInfo field, string value) => field == null ? null : LengthProblem(field.Name, field.Length, value);

        /// <summary>A value as it may appear in a message: never a megabyte of it.</summary>
        public static string Shorten(string value)
            => value == null ? "" : value.Length <= 60 ? value : value.Substring(0, 40) + $"... ({value.Length:N0} characters)";
    }
}
