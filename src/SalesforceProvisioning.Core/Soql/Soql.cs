using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The one place where values become SOQL text. Every value that reaches a query goes through
    /// <see cref="Literal(string)"/> (or the helpers built on it); nothing concatenates raw input.
    /// </summary>
    public static class Soql
    {
        /// <summary>Salesforce's limit on a whole SOQL statement.</summary>
        public const int MaxStatementLength = 100_000;

        /// <summary>Keeps a GET query URL well under the ~16,000 characters Salesforce accepts.</summary>
        public const int MaxEncodedQueryLength = 12_000;

        /// <summary>A quoted SOQL string literal: <c>O'Brien</c> becomes <c>'O\'Brien'</c>.</summary>
        public static string Literal(string value)
        {
            if (value == null) return "null";
            var sb = new StringBuilder(value.Length + 2).Append('\'');
            foreach (char c in value) AppendEscaped(sb, c);
            return sb.Append('\'').ToString();
        }

        /// <summary>
        /// A LIKE pattern literal where the caller's <c>*</c> wildcard means any text; the
        /// SOQL wildcards <c>%</c> and <c>_</c> in the input are matched literally.
        /// </summary>
        public static string LikePattern(string wildcardPattern)
        {
            if (wildcardPattern == null) throw new ArgumentNullException(nameof(wildcardPattern));
            var sb = new StringBuilder(wildcardPattern.Length + 2).Append('\'');
            foreach (char c in wildcardPattern)
            {
                if (c == '*') sb.Append('%');
                else if (c == '%' || c == '_') sb.Append('\\').Append(c);
                else AppendEscaped(sb, c);
            }
            return sb.Append('\'').ToString();
        }

        private static void AppendEscaped(StringBuilder sb, char c)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\'': sb.Append("\\'"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default: sb.Append(c); break;
            }
        }

        /// <summary>An <c>IN (...)</c> list of quoted literals.</summary>
        public static string InList(IEnumerable<string> values)
        {
            return "(" + string.Join(",", values.Select(Literal)) + ")";
        }

        /// <summary>
        /// Builds as few statements as possible of the form <c>prefix IN (...) suffix</c>, each small
        /// enough for a GET request, covering every distinct value exactly once.
        /// </summary>
        public static IEnumerable<string> ChunkedInQueries(string prefix, IEnumerable<string> values, string suffix = "", int maxValuesPerQuery = 500)
        {
            if (prefix == null) throw new ArgumentNullException(nameof(prefix));
            suffix = suffix ?? string.Empty;
            var chunk = new List<string>();
            int length = prefix.Length + suffix.Length + 4;
            foreach (var value in values.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                string literal = Literal(value);
                int encodedCost = Uri.EscapeDataString(literal).Length + 3;
                if (chunk.Count > 0 && (chunk.Count >= maxValuesPerQuery || length + encodedCost > MaxEncodedQueryLength))
                {
                    yield return prefix + " (" + string.Join(",", chunk) + ")" + suffix;
                    chunk.Clear();
                    length = prefix.Length + suffix.Length + 4;
                }
                chunk.Add(literal);
                length += encodedCost;
            }
            if (chunk.Count > 0) yield return prefix + " (" + string.Join(",", chunk) + ")" + suffix;
        }
    }
}
