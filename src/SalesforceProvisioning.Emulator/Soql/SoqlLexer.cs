namespace SalesforceProvisioning.Emulator.Soql;

internal enum TokenKind { Identifier, String, Number, Date, DateTime, Comma, LeftParen, RightParen, Operator, End }

/// <summary>A token; for strings <c>Text</c> is the raw content between the quotes, escapes still undecoded.</summary>
internal sealed record Token(TokenKind Kind, string Text, int Position)
{
    public bool IsKeyword(string keyword) => Kind == TokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    public string Display => Kind == TokenKind.End ? "<EOF>" : Kind == TokenKind.String ? $"'{Text}'" : Text;
}

/// <summary>Splits SOQL into tokens: names (dotted paths stay one token), literals, punctuation and operators.</summary>
internal static class SoqlLexer
{
    public static List<Token> Tokenize(string query)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (true)
        {
            while (i < query.Length && char.IsWhiteSpace(query[i])) i++;
            if (i >= query.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", query.Length));
                return tokens;
            }
            int start = i;
            char c = query[i];
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < query.Length && (char.IsAsciiLetterOrDigit(query[i]) || query[i] is '_' or '.')) i++;
                // Date literals with a number stay one token: LAST_N_DAYS:30.
                if (i + 1 < query.Length && query[i] == ':' && char.IsAsciiDigit(query[i + 1]))
                    for (i++; i < query.Length && char.IsAsciiDigit(query[i]); i++) { }
                tokens.Add(new Token(TokenKind.Identifier, query[start..i], start));
            }
            else if (c == '\'')
            {
                tokens.Add(new Token(TokenKind.String, ReadString(query, ref i), start));
            }
            else if (char.IsAsciiDigit(c) || (c is '-' or '+' && i + 1 < query.Length && char.IsAsciiDigit(query[i + 1])))
            {
                tokens.Add(ReadNumberOrDate(query, ref i));
            }
            else if (c is '(' or ')' or ',')
            {
                i++;
                tokens.Add(new Token(c == '(' ? TokenKind.LeftParen : c == ')' ? TokenKind.RightParen : TokenKind.Comma, c.ToString(), start));
            }
            else if (c is '=' or '<' or '>' or '!')
            {
                string two = i + 1 < query.Length ? query.Substring(i, 2) : "";
                string op = two is "!=" or "<>" or "<=" or ">=" ? two : c == '!' ? null : c.ToString();
                if (op == null) throw SoqlException.At(query, start, "MALFORMED_QUERY", "unexpected token: '!'");
                i += op.Length;
                tokens.Add(new Token(TokenKind.Operator, op, start));
            }
            else
            {
                throw SoqlException.At(query, start, "MALFORMED_QUERY", $"unexpected token: '{c}'");
            }
        }
    }

    /// <summary>Reads a quoted literal up to its closing quote; a backslash always takes the next character with it.</summary>
    private static string ReadString(string query, ref int i)
    {
        int start = i;
        i++;
        var content = new System.Text.StringBuilder();
        while (i < query.Length && query[i] != '\'')
        {
            if (query[i] == '\\')
            {
                if (i + 1 >= query.Length) break;
                content.Append(query, i, 2);
                i += 2;
                continue;
            }
            content.Append(query[i++]);
        }
        if (i >= query.Length)
            throw SoqlException.At(query, start, "MALFORMED_QUERY", $"Unterminated string literal: {query[start..]}");
        i++;
        return content.ToString();
    }

    private static Token ReadNumberOrDate(string query, ref int i)
    {
        int start = i;
        if (query[i] is '-' or '+') i++;
        while (i < query.Length && (char.IsAsciiLetterOrDigit(query[i]) || query[i] is '.' or '-' or ':' or '+'))
        {
            // A sign after the first digits only belongs to dates and time zone offsets (2024-01-01T10:00:00+02:00).
            if (query[i] is '-' or '+' && !LooksLikeDate(query, start)) break;
            i++;
        }
        string text = query[start..i];
        if (LooksLikeDate(query, start))
            return new Token(text.Length == 10 ? TokenKind.Date : TokenKind.DateTime, text, start);
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
            throw SoqlException.At(query, start, "MALFORMED_QUERY", $"unexpected token: '{text}'");
        return new Token(TokenKind.Number, text, start);
    }

    private static bool LooksLikeDate(string query, int start) =>
        start + 10 <= query.Length && char.IsAsciiDigit(query[start]) && query[start + 4] == '-' && query[start + 7] == '-'
        && query.Substring(start, 4).All(char.IsAsciiDigit);
}
