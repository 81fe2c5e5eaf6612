using System.Text;
using System.Text.RegularExpressions;

namespace SalesforceProvisioning.Emulator.Soql;

/// <summary>
/// Decodes SOQL string literals as Salesforce defines them: \n \r \t \b \f \" \' \\ and \uXXXX (escape letters in
/// either case); \% and \_ only inside LIKE patterns; any other backslash sequence is an error.
/// </summary>
internal static class SoqlString
{
    public static string Decode(string raw, Func<string, SoqlException> error)
    {
        var text = new StringBuilder(raw.Length);
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\\') { text.Append(raw[i]); continue; }
            text.Append(ReadEscape(raw, ref i, error, allowWildcards: false));
        }
        return text.ToString();
    }

    /// <summary>Turns a LIKE pattern into an anchored, case-insensitive regex: % is any run, _ any one character.</summary>
    public static Regex LikePattern(string raw, Func<string, SoqlException> error)
    {
        var pattern = new StringBuilder("^");
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (c == '%') pattern.Append(".*");
            else if (c == '_') pattern.Append('.');
            else if (c == '\\') pattern.Append(Regex.Escape(ReadEscape(raw, ref i, error, allowWildcards: true).ToString()));
            else pattern.Append(Regex.Escape(c.ToString()));
        }
        pattern.Append('$');
        return new Regex(pattern.ToString(), RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    private static char ReadEscape(string raw, ref int i, Func<string, SoqlException> error, bool allowWildcards)
    {
        char next = raw[++i];
        switch (next)
        {
            case 'n' or 'N': return '\n';
            case 'r' or 'R': return '\r';
            case 't' or 'T': return '\t';
            case 'b' or 'B': return '\b';
            case 'f' or 'F': return '\f';
            case '"' or '\'' or '\\': return next;
            case '%' or '_' when allowWildcards: return next;
            case 'u' or 'U':
                if (i + 4 < raw.Length && int.TryParse(raw.AsSpan(i + 1, 4), System.Globalization.NumberStyles.HexNumber, null, out int code))
                {
                    i += 4;
                    return (char)code;
                }
                throw error($"Invalid string literal '{raw}'. Illegal character sequence '\\{next}' in string literal.");
            default:
                throw error($"Invalid string literal '{raw}'. Illegal character sequence '\\{next}' in string literal.");
        }
    }
}
