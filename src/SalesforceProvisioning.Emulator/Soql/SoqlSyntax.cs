namespace SalesforceProvisioning.Emulator.Soql;

/// <summary>A parsed SELECT statement (a subquery's From names a child relationship).</summary>
internal sealed record SoqlQuery(
    IReadOnlyList<SelectItem> Select,
    Token From,
    Condition Where,
    IReadOnlyList<FieldPath> GroupBy,
    IReadOnlyList<OrderItem> OrderBy,
    int? Limit,
    int? Offset,
    string ForClause = null);

/// <summary>A field or relationship path as written, e.g. Profile.Name.</summary>
internal sealed record FieldPath(string[] Segments, int Position)
{
    public override string ToString() => string.Join('.', Segments);
}

internal abstract record SelectItem;

internal sealed record FieldSelect(FieldPath Path, string Alias) : SelectItem;

/// <summary>COUNT(), COUNT(field), COUNT_DISTINCT, MIN, MAX, SUM, AVG; <c>Argument</c> is null for COUNT().</summary>
internal sealed record AggregateSelect(string Function, FieldPath Argument, string Alias, int Position) : SelectItem
{
    public string Key => $"{Function}({Argument})".ToLowerInvariant();
}

/// <summary>toLabel(field): the picklist label instead of the value.</summary>
internal sealed record ToLabelSelect(FieldPath Path, string Alias) : SelectItem;

/// <summary>FIELDS(STANDARD|CUSTOM|ALL).</summary>
internal sealed record FieldsSelect(string Kind, int Position) : SelectItem;

/// <summary>A parent-to-child subquery: (SELECT ... FROM Contacts).</summary>
internal sealed record SubquerySelect(SoqlQuery Query, int Position) : SelectItem;

/// <summary>ORDER BY a field, or in an aggregate query an aggregate expression (<c>Aggregate</c> set).</summary>
internal sealed record OrderItem(FieldPath Path, bool Descending, bool NullsFirst, AggregateSelect Aggregate = null);

internal enum LiteralKind { String, Number, Boolean, Null, Date, DateTime, DateLiteral }

/// <summary>A literal; strings keep their raw (undecoded) text so LIKE can tell \% from %.</summary>
internal sealed record Literal(LiteralKind Kind, string Text, int Position);

internal abstract record Condition;

internal sealed record AndCondition(IReadOnlyList<Condition> Operands) : Condition;

internal sealed record OrCondition(IReadOnlyList<Condition> Operands) : Condition;

internal sealed record NotCondition(Condition Operand) : Condition;

/// <summary>field op value, for =, !=, &lt;&gt;, &lt;, &gt;, &lt;=, &gt;= and LIKE.</summary>
internal sealed record Comparison(FieldPath Field, string Operator, Literal Value) : Condition;

/// <summary>field [NOT] IN (values), or a semi-join / anti-join when <c>Subquery</c> is set.</summary>
internal sealed record InCondition(FieldPath Field, IReadOnlyList<Literal> Values, bool Negated, SoqlQuery Subquery = null) : Condition;

/// <summary>INCLUDES / EXCLUDES on a multi-select picklist.</summary>
internal sealed record IncludesCondition(FieldPath Field, IReadOnlyList<Literal> Values, bool Excludes) : Condition;
