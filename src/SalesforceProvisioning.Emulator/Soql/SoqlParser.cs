using System.Globalization;

namespace SalesforceProvisioning.Emulator.Soql;

/// <summary>
/// Recursive descent parser for the SOQL the emulator serves (SOQL and SOSL Reference, "SOQL SELECT Syntax"):
/// <code>
/// query      := SELECT selectItem {, selectItem} FROM name [WHERE condition] [GROUP BY path {, path}]
///               [ORDER BY order {, order}] [LIMIT n] [OFFSET n]
/// selectItem := path [alias] | aggregate [alias] | toLabel ( path ) [alias] | FIELDS ( STANDARD|CUSTOM|ALL ) | ( query )
/// aggregate  := COUNT ( [path] ) | COUNT_DISTINCT|MIN|MAX|SUM|AVG ( path )
/// condition  := unary {AND unary} | unary {OR unary}      (mixing AND and OR needs parentheses, as in Salesforce)
/// unary      := NOT unary | ( condition ) | path operator literal | path [NOT] IN ( literal {, literal} | query )
///               | path INCLUDES|EXCLUDES ( ... )
/// literal    := 'text' | number | date | dateTime | TRUE | FALSE | NULL | date literal (TODAY, LAST_N_DAYS:n, ...)
/// order      := (path | aggregate) [ASC|DESC] [NULLS FIRST|LAST]
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

    private static readonly HashSet<string> AggregateFunctions = new(StringComparer.OrdinalIgnoreCase) { "COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG" };

    private readonly string query;
    private readonly List<Token> tokens;
    private int index;

    private SoqlParser(string query)
    {
        this.query = query;
        tokens = SoqlLexer.Tokenize(query);
    }

    public static SoqlQuery Parse(string query)
    {
        var parser = new SoqlParser(query);
        var parsed = parser.ParseQuery();
        if (parser.Current.Kind != TokenKind.End) throw parser.Unexpected();
        return parsed;
    }

    private Token Current => tokens[index];

    private Token Next => tokens[Math.Min(index + 1, tokens.Count - 1)];

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

    /// <summary>A whole query, or a subquery up to (not including) its closing parenthesis.</summary>
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
        var groupBy = new List<FieldPath>();
        if (Accept("GROUP"))
        {
            Expect("BY");
            do groupBy.Add(ParsePath());
            while (Current.Kind == TokenKind.Comma && Advance() != null);
        }
        var orderBy = new List<OrderItem>();
        if (Accept("ORDER"))
        {
            Expect("BY");
            do orderBy.Add(ParseOrderItem());
            while (Current.Kind == TokenKind.Comma && Advance() != null);
        }
        int? limit = Accept("LIMIT") ? ParseCount() : null;
        int? offset = Accept("OFFSET") ? ParseCount() : null;
        string forClause = null;
        if (Accept("FOR"))
        {
            // FOR UPDATE locks rows in Apex only; through the API it is refused like any other unknown clause.
            if (!(Current.IsKeyword("VIEW") || Current.IsKeyword("REFERENCE"))) throw Unexpected();
            forClause = Advance().Text.ToUpperInvariant();
        }
        if (Current.Kind is not (TokenKind.End or TokenKind.RightParen)) throw Unexpected();
        return new SoqlQuery(select, from, where, groupBy, orderBy, limit, offset, forClause);
    }

    private bool IsFunctionCall => Current.Kind == TokenKind.Identifier && Next.Kind == TokenKind.LeftParen;

    private SelectItem ParseSelectItem()
    {
        var start = Current;
        if (start.Kind == TokenKind.LeftParen && Next.IsKeyword("SELECT"))
        {
            index++;
            var subquery = ParseQuery();
            Expect(TokenKind.RightParen);
            return new SubquerySelect(subquery, start.Position);
        }
        if (IsFunctionCall && AggregateFunctions.Contains(start.Text))
        {
            var aggregate = ParseAggregate();
            return aggregate with { Alias = ParseAlias() };
        }
        if (IsFunctionCall && start.IsKeyword("toLabel"))
        {
            index += 2;
            var path = ParsePath();
            Expect(TokenKind.RightParen);
            return new ToLabelSelect(path, ParseAlias());
        }
        if (IsFunctionCall && start.IsKeyword("FIELDS"))
        {
            index += 2;
            var kind = Current;
            if (!(kind.IsKeyword("STANDARD") || kind.IsKeyword("CUSTOM") || kind.IsKeyword("ALL"))) throw Unexpected();
            index++;
            Expect(TokenKind.RightParen);
            return new FieldsSelect(kind.Text.ToUpperInvariant(), start.Position);
        }
        if (IsFunctionCall)
            throw SoqlException.At(query, start.Position, "MALFORMED_QUERY", $"Unknown function: {start.Text}");
        return new FieldSelect(ParsePath(), ParseAlias());
    }

    private AggregateSelect ParseAggregate()
    {
        var name = Advance();
        Expect(TokenKind.LeftParen);
        string function = name.Text.ToUpperInvariant();
        FieldPath argument = Current.Kind == TokenKind.RightParen && function == "COUNT" ? null : ParsePath();
        Expect(TokenKind.RightParen);
        return new AggregateSelect(function, argument, null, name.Position);
    }

    private string ParseAlias() =>
        Current.Kind == TokenKind.Identifier && !ReservedWords.Contains(Current.Text) && !Current.Text.Contains('.') ? Advance().Text : null;

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
        var aggregate = IsFunctionCall && AggregateFunctions.Contains(Current.Text) ? ParseAggregate() : null;
        var path = aggregate == null ? ParsePath() : aggregate.Argument;
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
        return new OrderItem(path, descending, nullsFirst, aggregate);
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
        if (Accept("IN")) return ParseIn(field, negated: false);
        if (Current.IsKeyword("NOT") && tokens[index + 1].IsKeyword("IN"))
        {
            index += 2;
            return ParseIn(field, negated: true);
        }
        if (Accept("INCLUDES")) return new IncludesCondition(field, ParseLiteralList(), Excludes: false);
        if (Accept("EXCLUDES")) return new IncludesCondition(field, ParseLiteralList(), Excludes: true);
        throw Unexpected();
    }

    /// <summary>IN (values), or a semi-join (anti-join with NOT): IN (SELECT field FROM ...).</summary>
    private InCondition ParseIn(FieldPath field, bool negated)
    {
        if (Current.Kind == TokenKind.LeftParen && Next.IsKeyword("SELECT"))
        {
            index++;
            var subquery = ParseQuery();
            Expect(TokenKind.RightParen);
            return new InCondition(field, Array.Empty<Literal>(), negated, subquery);
        }
        return new InCondition(field, ParseLiteralList(), negated);
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
            TokenKind.Identifier when DateLiterals.IsDateLiteral(token.Text) => new Literal(LiteralKind.DateLiteral, token.Text.ToUpperInvariant(), token.Position),
            _ => throw Unexpected(token),
        };
    }
}
