using System.Globalization;

namespace SalesforceProvisioning.Emulator.Soql;

/// <summary>
/// Recursive descent parser for the SOQL subset the emulator serves:
/// <code>
/// query      := SELECT selectItem {, selectItem} FROM name [WHERE condition] [ORDER BY order {, order}] [LIMIT n] [OFFSET n]
/// selectItem := COUNT ( [path] ) [alias] | path
/// condition  := unary {AND unary} | unary {OR unary}      (mixing AND and OR needs parentheses, as in Salesforce)
/// unary      := NOT unary | ( condition ) | path operator literal | path [NOT] IN ( literal {, literal} ) | path INCLUDES|EXCLUDES ( ... )
/// order      := path [ASC|DESC] [NULLS FIRST|LAST]
/// </code>
/// </summary>
internal sealed class SoqlParser
{
    private static readonly HashSet<string> ReservedWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "ASC", "DESC", "NULLS", "FIRST", "LAST",
        "LIMIT", "OFFSET", "NULL", "TRUE", "FALSE", "INCLUDES", "EXCLUDES", "GROUP", "HAVING", "WITH", "FOR", "USING",
    };

    private static readonly HashSet<string> ClauseKeywords = new(StringComparer.OrdinalIgnoreCase) { "SELECT", "FROM", "WHERE", "ORDER", "LIMIT", "OFFSET" };

    private readonly string query;
    private readonly List<Token> tokens;
    private int index;

    private SoqlParser(string query)
    {
        this.query = query;
        tokens = SoqlLexer.Tokenize(query);
    }

    public static SoqlQuery Parse(string query) => new SoqlParser(query).ParseQuery();

    private Token Current => tokens[index];

    private Token Advance() => tokens[index++];

    private SoqlException Unexpected(Token token = null)
    {
        token ??= Current;
        return SoqlException.At(query, token.Position, "MALFORMED_QUERY", $"unexpected token: {token.Display}");
    }

    private void Expect(string keyword)
    {
        if (!Current.IsKeyword(keyword)) throw Unexpected();
        index++;
    }

    private void Expect(TokenKind kind)
    {
        if (Current.Kind != kind) throw Unexpected();
        index++;
    }

    private bool Accept(string keyword)
    {
        if (!Current.IsKeyword(keyword)) return false;
        index++;
        return true;
    }

    private SoqlQuery ParseQuery()
    {
        Expect("SELECT");
        var select = new List<SelectItem> { ParseSelectItem() };
        while (Current.Kind == TokenKind.Comma)
        {
            index++;
            select.Add(ParseSelectItem());
        }
        Expect("FROM");
        var from = Current;
        // Object names may be words SOQL reserves elsewhere (FROM Group), but not the clause keywords.
        if (from.Kind != TokenKind.Identifier || ClauseKeywords.Contains(from.Text) || from.Text.Contains('.')) throw Unexpected();
        index++;

        Condition where = Accept("WHERE") ? ParseCondition() : null;
        var orderBy = new List<OrderItem>();
        if (Accept("ORDER"))
        {
            Expect("BY");
            do orderBy.Add(ParseOrderItem());
            while (Current.Kind == TokenKind.Comma && Advance() != null);
        }
        int? limit = Accept("LIMIT") ? ParseCount() : null;
        int? offset = Accept("OFFSET") ? ParseCount() : null;
        if (Current.Kind != TokenKind.End) throw Unexpected();
        return new SoqlQuery(select, from, where, orderBy, limit, offset);
    }

    private SelectItem ParseSelectItem()
    {
        var start = Current;
        if (start.IsKeyword("COUNT") && tokens[index + 1].Kind == TokenKind.LeftParen)
        {
            index += 2;
            FieldPath argument = Current.Kind == TokenKind.RightParen ? null : ParsePath();
            Expect(TokenKind.RightParen);
            string alias = null;
            if (argument != null && Current.Kind == TokenKind.Identifier && !ReservedWords.Contains(Current.Text))
                alias = Advance().Text;
            return new CountSelect(argument, alias, start.Position);
        }
        return new FieldSelect(ParsePath());
    }

    private FieldPath ParsePath()
    {
        var token = Current;
        if (token.Kind != TokenKind.Identifier || ReservedWords.Contains(token.Text)) throw Unexpected();
        var segments = token.Text.Split('.');
        if (segments.Any(s => s.Length == 0)) throw Unexpected();
        index++;
        return new FieldPath(segments, token.Position);
    }

    private int ParseCount()
    {
        var token = Current;
        if (token.Kind != TokenKind.Number || !int.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            throw Unexpected();
        index++;
        return value;
    }

    private OrderItem ParseOrderItem()
    {
        var path = ParsePath();
        bool descending = false;
        if (Accept("DESC")) descending = true;
        else Accept("ASC");
        bool nullsFirst = !descending;
        if (Accept("NULLS"))
        {
            if (Accept("FIRST")) nullsFirst = true;
            else if (Accept("LAST")) nullsFirst = false;
            else throw Unexpected();
        }
        return new OrderItem(path, descending, nullsFirst);
    }

    private Condition ParseCondition()
    {
        var first = ParseUnary();
        if (!Current.IsKeyword("AND") && !Current.IsKeyword("OR")) return first;
        string joiner = Current.Text.ToUpperInvariant();
        var operands = new List<Condition> { first };
        while (Current.IsKeyword("AND") || Current.IsKeyword("OR"))
        {
            if (!Current.IsKeyword(joiner)) throw Unexpected(); // a AND b OR c is ambiguous in SOQL
            index++;
            operands.Add(ParseUnary());
        }
        return joiner == "AND" ? new AndCondition(operands) : new OrCondition(operands);
    }

    private Condition ParseUnary()
    {
        if (Accept("NOT")) return new NotCondition(ParseUnary());
        if (Current.Kind == TokenKind.LeftParen)
        {
            index++;
            var inner = ParseCondition();
            Expect(TokenKind.RightParen);
            return inner;
        }

        var field = ParsePath();
        if (Current.Kind == TokenKind.Operator) return new Comparison(field, Advance().Text, ParseLiteral());
        if (Accept("LIKE")) return new Comparison(field, "LIKE", ParseLiteral());
        if (Accept("IN")) return new InCondition(field, ParseLiteralList(), Negated: false);
        if (Current.IsKeyword("NOT") && tokens[index + 1].IsKeyword("IN"))
        {
            index += 2;
            return new InCondition(field, ParseLiteralList(), Negated: true);
        }
        if (Accept("INCLUDES")) return new IncludesCondition(field, ParseLiteralList(), Excludes: false);
        if (Accept("EXCLUDES")) return new IncludesCondition(field, ParseLiteralList(), Excludes: true);
        throw Unexpected();
    }

    private List<Literal> ParseLiteralList()
    {
        Expect(TokenKind.LeftParen);
        var values = new List<Literal> { ParseLiteral() };
        while (Current.Kind == TokenKind.Comma)
        {
            index++;
            values.Add(ParseLiteral());
        }
        Expect(TokenKind.RightParen);
        return values;
    }

    private Literal ParseLiteral()
    {
        var token = Advance();
        return token.Kind switch
        {
            TokenKind.String => new Literal(LiteralKind.String, token.Text, token.Position),
            TokenKind.Number => new Literal(LiteralKind.Number, token.Text, token.Position),
            TokenKind.Date => new Literal(LiteralKind.Date, token.Text, token.Position),
            TokenKind.DateTime => new Literal(LiteralKind.DateTime, token.Text, token.Position),
            TokenKind.Identifier when token.IsKeyword("null") => new Literal(LiteralKind.Null, token.Text, token.Position),
            TokenKind.Identifier when token.IsKeyword("true") || token.IsKeyword("false") =>
                new Literal(LiteralKind.Boolean, token.Text.ToLowerInvariant(), token.Position),
            _ => throw Unexpected(token),
        };
    }
}
