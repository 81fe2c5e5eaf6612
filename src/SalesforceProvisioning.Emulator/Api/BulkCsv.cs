using System.Text;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>
/// CSV as Bulk API 2.0 reads and writes it (RFC 4180: double-quoted fields may hold delimiters, quotes doubled and
/// line breaks), with the job's column delimiter and line ending ("Bulk API 2.0 and Bulk API Developer Guide",
/// Prepare CSV Files).
/// </summary>
internal static class BulkCsv
{
    /// <summary>The delimiters a job may name (columnDelimiter), by name.</summary>
    public static readonly IReadOnlyDictionary<string, char> Delimiters = new Dictionary<string, char>(StringComparer.Ordinal)
    {
        ["COMMA"] = ',', ["TAB"] = '\t', ["PIPE"] = '|', ["SEMICOLON"] = ';', ["CARET"] = '^', ["BACKQUOTE"] = '`',
    };

    /// <summary>Rows of <paramref name="text"/>, the header first; null with a reason when a quote is left open.</summary>
    public static List<string[]> Parse(string text, char delimiter, out string error)
    {
        error = null;
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, fieldStarted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
                continue;
            }
            if (c == '"' && field.Length == 0) { quoted = true; fieldStarted = true; }
            else if (c == delimiter) { row.Add(field.ToString()); field.Clear(); fieldStarted = true; }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                if (fieldStarted || field.Length > 0 || row.Count > 0)
                {
                    row.Add(field.ToString());
                    rows.Add(row.ToArray());
                }
                row.Clear();
                field.Clear();
                fieldStarted = false;
            }
            else { field.Append(c); fieldStarted = true; }
        }
        if (quoted)
        {
            error = "a quoted field is not closed";
            return null;
        }
        if (fieldStarted || field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row.ToArray());
        }
        return rows;
    }

    /// <summary>One CSV line, every field quoted, ended with <paramref name="lineEnding"/>.</summary>
    public static void AppendRow(StringBuilder csv, IEnumerable<string> fields, char delimiter, string lineEnding)
    {
        bool first = true;
        foreach (var value in fields)
        {
            if (!first) csv.Append(delimiter);
            first = false;
            csv.Append('"').Append((value ?? "").Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        csv.Append(lineEnding);
    }
}
