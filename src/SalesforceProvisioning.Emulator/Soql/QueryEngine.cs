using System.Globalization;
using System.Text.Json.Nodes;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator.Soql;

/// <summary>The rows of a query: every matching record (paging is the API's business), and the totalSize to report.</summary>
internal sealed record QueryResult(int TotalSize, List<JsonObject> Records);

/// <summary>Binds a parsed query to the schema (unknown fields and objects fail here), then filters, sorts and projects.</summary>
internal sealed class QueryEngine
{
    public const int MaxQueryLength = 100_000;
    public const int MaxOffset = 2_000;

    private readonly EmulatorOrg org;
    private string query;

    public QueryEngine(EmulatorOrg org) => this.org = org;

    /// <param name="includeAll">queryAll: the emulator keeps no recycle bin, so it answers the same rows.</param>
    public QueryResult Execute(string soql, bool includeAll, string apiVersion)
    {
        query = soql ?? "";
        if (query.Length > MaxQueryLength)
            throw new SoqlException("MALFORMED_QUERY", $"query too long: the query has {query.Length} characters; the limit is {MaxQueryLength}");
        var parsed = SoqlParser.Parse(query);

        var type = org.Schema.Find(parsed.From.Text)
            ?? throw SoqlException.At(query, parsed.From.Position, "INVALID_TYPE",
                $"sObject type '{parsed.From.Text}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.");

        var predicate = parsed.Where == null ? (_ => true) : Compile(type, parsed.Where);
        var order = parsed.OrderBy.Select(item => (Path: Bind(type, item.Path), item.Descending, item.NullsFirst)).ToList();
        if (parsed.Offset > MaxOffset)
            throw new SoqlException("NUMBER_OUTSIDE_VALID_RANGE", $"Maximum SOQL offset allowed is {MaxOffset}");

        var counts = parsed.Select.OfType<CountSelect>().ToList();
        if (counts.Count > 0 && counts.Count != parsed.Select.Count)
        {
            var plain = parsed.Select.OfType<FieldSelect>().First();
            throw SoqlException.At(query, plain.Path.Position, "MALFORMED_QUERY", $"Field must be grouped or aggregated: {plain.Path}");
        }
        var fields = parsed.Select.OfType<FieldSelect>().Select(s => Bind(type, s.Path)).DistinctBy(p => p.Key).ToList();
        var countArguments = counts.Select(c => c.Argument == null ? null : Bind(type, c.Argument)).ToList();

        IEnumerable<SObjectRecord> rows = org.Scan(type).Where(predicate);
        if (order.Count > 0) rows = rows.OrderBy(r => r, new RowComparer(this, order));
        if (parsed.Offset is int offset) rows = rows.Skip(offset);
        if (parsed.Limit is int limit) rows = rows.Take(limit);

        if (counts.Count > 0 && counts[0].Argument == null)
        {
            if (counts.Count > 1) throw SoqlException.At(query, counts[1].Position, "MALFORMED_QUERY", "COUNT() must be the only element in the SELECT list");
            return new QueryResult(rows.Count(), new List<JsonObject>());
        }
        if (counts.Count > 0)
        {
            var matched = rows.ToList();
            var aggregate = new JsonObject { ["attributes"] = new JsonObject { ["type"] = "AggregateResult" } };
            for (int i = 0; i < counts.Count; i++)
            {
                var argument = countArguments[i];
                aggregate[counts[i].Alias ?? $"expr{i}"] = argument == null ? matched.Count : matched.Count(r => Value(r, argument) != null);
            }
            return new QueryResult(1, new List<JsonObject> { aggregate });
        }
        var records = rows.Select(r => Project(r, fields, apiVersion)).ToList();
        return new QueryResult(records.Count, records);
    }

    // ---- Binding ------------------------------------------------------------------------------------------

    /// <summary>A path checked against the schema: relationship names to follow, then the field to read.</summary>
    private sealed record BoundPath(string[] Relationships, string FieldName, FieldDefinition Field)
    {
        public string Key => string.Join('.', Relationships.Append(FieldName)).ToLowerInvariant();
    }

    private BoundPath Bind(ObjectDefinition root, FieldPath path)
    {
        var types = new List<ObjectDefinition> { root };
        var relationships = new string[path.Segments.Length - 1];
        for (int i = 0; i < relationships.Length; i++)
        {
            var next = new List<ObjectDefinition>();
            foreach (var type in types)
            {
                var reference = type.FindRelationship(path.Segments[i]);
                if (reference == null) continue;
                relationships[i] ??= reference.RelationshipName;
                next.AddRange(reference.ReferenceTo.Select(org.Schema.Find).Where(t => t != null && !next.Contains(t)));
            }
            if (next.Count == 0)
                throw SoqlException.At(query, path.Position, "INVALID_FIELD",
                    $"Didn't understand relationship '{path.Segments[i]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.");
            types = next;
        }
        string name = path.Segments[^1];
        var field = types.Select(t => t.FindField(name)).FirstOrDefault(f => f != null)
            ?? throw SoqlException.At(query, path.Position, "INVALID_FIELD",
                $"No such column '{name}' on entity '{types[0].Name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.");
        return new BoundPath(relationships, field.Name, field);
    }

    /// <summary>Follows the relationships of a path; null when a reference on the way is empty.</summary>
    private SObjectRecord Follow(SObjectRecord record, string relationship)
    {
        var reference = record.Type.FindRelationship(relationship);
        return reference == null ? null : org.FindById(record.GetString(reference.Name));
    }

    private object Value(SObjectRecord record, BoundPath path)
    {
        foreach (var relationship in path.Relationships)
        {
            record = Follow(record, relationship);
            if (record == null) return null;
        }
        return record.Get(path.FieldName);
    }

    // ---- Filtering ----------------------------------------------------------------------------------------

    private Func<SObjectRecord, bool> Compile(ObjectDefinition type, Condition condition)
    {
        switch (condition)
        {
            case AndCondition and:
            {
                var parts = and.Operands.Select(o => Compile(type, o)).ToArray();
                return r => parts.All(p => p(r));
            }
            case OrCondition or:
            {
                var parts = or.Operands.Select(o => Compile(type, o)).ToArray();
                return r => parts.Any(p => p(r));
            }
            case NotCondition not:
            {
                var inner = Compile(type, not.Operand);
                return r => !inner(r);
            }
            case Comparison { Operator: "LIKE" } like:
                return CompileLike(type, like);
            case Comparison comparison:
                return CompileComparison(type, comparison);
            case InCondition inList:
            {
                var path = Bind(type, inList.Field);
                var values = inList.Values.Select(v => Convert(path, v)).ToList();
                if (inList.Negated) return r => Value(r, path) is not { } actual || !values.Any(v => v != null && AreEqual(path.Field, actual, v));
                return r => Value(r, path) is { } actual && values.Any(v => v != null && AreEqual(path.Field, actual, v));
            }
            case IncludesCondition includes:
                return CompileIncludes(type, includes);
            default:
                throw new InvalidOperationException($"Unknown condition {condition}");
        }
    }

    private Func<SObjectRecord, bool> CompileComparison(ObjectDefinition type, Comparison comparison)
    {
        var path = Bind(type, comparison.Field);
        object expected = Convert(path, comparison.Value);
        switch (comparison.Operator)
        {
            case "=":
                return r => Value(r, path) is { } actual ? expected != null && AreEqual(path.Field, actual, expected) : expected == null;
            case "!=" or "<>":
                return r => Value(r, path) is { } actual ? expected == null || !AreEqual(path.Field, actual, expected) : expected != null;
            default:
                if (path.Field.Type is FieldType.Boolean or FieldType.MultiPicklist)
                    throw SoqlException.At(query, comparison.Field.Position, "INVALID_QUERY_FILTER_OPERATOR",
                        $"invalid operator on {path.Field.DescribeType} field: {path.Field.Name}");
                return r =>
                {
                    if (Value(r, path) is not { } actual || expected == null) return false;
                    int order = FieldValues.Compare(actual, expected);
                    return comparison.Operator switch { "<" => order < 0, ">" => order > 0, "<=" => order <= 0, _ => order >= 0 };
                };
        }
    }

    private Func<SObjectRecord, bool> CompileLike(ObjectDefinition type, Comparison like)
    {
        var path = Bind(type, like.Field);
        if (!path.Field.IsText || path.Field.Type is FieldType.Id or FieldType.Reference or FieldType.MultiPicklist)
            throw SoqlException.At(query, like.Field.Position, "INVALID_QUERY_FILTER_OPERATOR", $"invalid operator on {path.Field.DescribeType} field: {path.Field.Name}");
        if (like.Value.Kind == LiteralKind.Null) return r => false;
        if (like.Value.Kind != LiteralKind.String) throw TypeMismatch(path, like.Value);
        var pattern = SoqlString.LikePattern(like.Value.Text, detail => SoqlException.At(query, like.Value.Position, "MALFORMED_QUERY", detail));
        return r => Value(r, path) is string actual && pattern.IsMatch(actual);
    }

    private Func<SObjectRecord, bool> CompileIncludes(ObjectDefinition type, IncludesCondition includes)
    {
        var path = Bind(type, includes.Field);
        if (path.Field.Type != FieldType.MultiPicklist)
            throw SoqlException.At(query, includes.Field.Position, "INVALID_QUERY_FILTER_OPERATOR",
                $"includes or excludes operator only valid on multipicklist field");
        // Each literal is a set of values (';'-separated) that must all be selected; the literals are alternatives.
        var alternatives = includes.Values.Select(v => SplitPicklist(Convert(path, v) as string)).ToList();
        bool Matches(SObjectRecord r)
        {
            var chosen = SplitPicklist(Value(r, path) as string);
            return alternatives.Any(required => required.Length > 0 && required.All(chosen.Contains));
        }
        return includes.Excludes ? r => !Matches(r) : Matches;
    }

    private static string[] SplitPicklist(string value) =>
        (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => v.ToLowerInvariant()).ToArray();

    private static bool AreEqual(FieldDefinition field, object actual, object expected)
    {
        if (field.Type is FieldType.Id or FieldType.Reference) return string.Equals((string)actual, (string)expected, StringComparison.Ordinal);
        if (field.Type == FieldType.MultiPicklist)
            return SplitPicklist((string)actual).Order().SequenceEqual(SplitPicklist((string)expected).Order());
        return FieldValues.Compare(actual, expected) == 0;
    }

    /// <summary>Checks a literal against the field's type and turns it into a comparable value.</summary>
    private object Convert(BoundPath path, Literal literal)
    {
        var field = path.Field;
        if (literal.Kind == LiteralKind.Null) return null;
        switch (field.Type)
        {
            case FieldType.Boolean when literal.Kind == LiteralKind.Boolean:
                return literal.Text == "true";
            case FieldType.Int or FieldType.Double when literal.Kind == LiteralKind.Number:
                return double.Parse(literal.Text, CultureInfo.InvariantCulture);
            case FieldType.Date when literal.Kind == LiteralKind.Date:
            case FieldType.DateTime when literal.Kind == LiteralKind.DateTime:
                if (FieldValues.TryParse(field.Type, literal.Text, out var moment)) return moment;
                throw SoqlException.At(query, literal.Position, "MALFORMED_QUERY", $"line 1:{literal.Position} no viable alternative at character '{literal.Text}'");
            case FieldType.Id or FieldType.Reference when literal.Kind == LiteralKind.String:
            {
                string text = DecodeString(literal);
                if (!SalesforceId.TryNormalize(text, out var id18))
                    throw SoqlException.At(query, literal.Position, "INVALID_QUERY_FILTER_OPERATOR", $"invalid ID field: {text}");
                return id18;
            }
            case var _ when field.IsText && literal.Kind == LiteralKind.String:
                return DecodeString(literal);
            default:
                throw TypeMismatch(path, literal);
        }
    }

    private string DecodeString(Literal literal) =>
        SoqlString.Decode(literal.Text, detail => SoqlException.At(query, literal.Position, "MALFORMED_QUERY", detail));

    private SoqlException TypeMismatch(BoundPath path, Literal literal)
    {
        string type = path.Field.Type switch
        {
            FieldType.Boolean => "boolean",
            FieldType.Int or FieldType.Double => "number",
            FieldType.Date => "date",
            FieldType.DateTime => "dateTime",
            _ => "string",
        };
        string quoting = type == "string" ? "should be enclosed in quotes" : "should not be enclosed in quotes";
        return SoqlException.At(query, literal.Position, "INVALID_QUERY_FILTER_OPERATOR",
            $"value of filter criterion for field '{path.FieldName}' must be of type {type} and {quoting}");
    }

    // ---- Sorting and projection ---------------------------------------------------------------------------

    private sealed class RowComparer : IComparer<SObjectRecord>
    {
        private readonly QueryEngine engine;
        private readonly List<(BoundPath Path, bool Descending, bool NullsFirst)> order;

        public RowComparer(QueryEngine engine, List<(BoundPath, bool, bool)> order)
        {
            this.engine = engine;
            this.order = order;
        }

        public int Compare(SObjectRecord x, SObjectRecord y)
        {
            foreach (var (path, descending, nullsFirst) in order)
            {
                object left = engine.Value(x, path), right = engine.Value(y, path);
                int result = (left, right) switch
                {
                    (null, null) => 0,
                    (null, _) => nullsFirst ? -1 : 1,
                    (_, null) => nullsFirst ? 1 : -1,
                    _ => descending ? -FieldValues.Compare(left, right) : FieldValues.Compare(left, right),
                };
                if (result != 0) return result;
            }
            return 0;
        }
    }

    /// <summary>Builds the record JSON: plain fields directly, relationship fields as nested records (or null).</summary>
    private JsonObject Project(SObjectRecord record, List<BoundPath> fields, string apiVersion)
    {
        var json = new JsonObject { ["attributes"] = RecordJson.Attributes(record.Type, record.Id, apiVersion) };
        foreach (var path in fields)
        {
            var container = json;
            var current = record;
            foreach (var relationship in path.Relationships)
            {
                if (container.TryGetPropertyValue(relationship, out var existing))
                {
                    if (existing is not JsonObject nested) { container = null; break; }
                    container = nested;
                    current = Follow(current, relationship);
                    continue;
                }
                current = Follow(current, relationship);
                if (current == null)
                {
                    container[relationship] = null;
                    container = null;
                    break;
                }
                var child = new JsonObject { ["attributes"] = RecordJson.Attributes(current.Type, current.Id, apiVersion) };
                container[relationship] = child;
                container = child;
            }
            if (container == null) continue;
            var field = current.Type.FindField(path.FieldName);
            container[field?.Name ?? path.FieldName] = FieldValues.ToJson(field == null ? null : current.Get(field.Name));
        }
        return json;
    }
}
