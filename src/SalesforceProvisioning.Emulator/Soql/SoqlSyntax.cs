namespace SalesforceProvisioning.Emulator.Soql;

/// <summary>A parsed SELECT statement.</summary>
internal sealed record SoqlQuery(
    IReadOnlyList<SelectItem> Select,
    Token From,
    Condition Where,
    IReadOnlyList<OrderItem> OrderBy,
    int? Limit,
    int? Offset);

/// <summary>A field or relationship path as written, e.g. Profile.Name.</summary>
internal sealed record FieldPath(string[] Segments, int Position)
{
    public override string ToString() => string.Join('.', Segments);
}

internal abstract record SelectItem;

internal sealed record FieldSelect(FieldPath Path) : SelectItem;

/// <summary>COUNT() when <c>Argument</c> is null, otherwise COUNT(field) with an optional alias.</summary>
internal sealed record CountSelect(FieldPath Argument, string Alias, int Position) : SelectItem;

internal sealed record OrderItem(FieldPath Path, bool Descending, bool NullsFirst);

internal enum LiteralKind { String, Number, Boolean, Null, Date, DateTime }

/// <summary>A literal; strings keep their raw (undecoded) text so LIKE can tell \% from %.</summary>
internal sealed record Literal(LiteralKind Kind, string Text, int Position);

internal abstract record Condition;

internal sealed record AndCondition(IReadOnlyList<Condition> Operands) : Condition;

internal sealed record OrCondition(IReadOnlyList<Condition> Operands) : Condition;

internal sealed record NotCondition(Condition Operand) : Condition;

/// <summary>field op value, for =, !=, &lt;&gt;, &lt;, &gt;, &lt;=, &gt;= and LIKE.</summary>
internal sealed record Comparison(FieldPath Field, string Operator, Literal Value) : Condition;

internal sealed record InCondition(FieldPath Field, IReadOnlyList<Literal> Values, bool Negated) : Condition;

/// <summary>INCLUDES / EXCLUDES on a multi-select picklist.</summary>
internal sealed record IncludesCondition(FieldPath Field, IReadOnlyList<Literal> Values, bool Excludes) : Condition;
