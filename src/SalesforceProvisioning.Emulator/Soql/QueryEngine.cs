using System.Globalization;
using System.Text.Json.Nodes;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator.Soql;

/// <summary>The rows of a query: every matching record (paging is the API's business), and the totalSize to report.</summary>
/// <remarks><c>ViewedIds</c>: the records a FOR VIEW or FOR REFERENCE query marks as recently viewed.</remarks>
internal sealed record QueryResult(int TotalSize, List<JsonObject> Records, IReadOnlyList<string> ViewedIds = null);

/// <summary>Binds a parsed query to the schema (unknown fields and objects fail here), then filters, sorts and projects.</summary>
internal sealed class QueryEngine
{
    public const int MaxQueryLength = 100_000;
    public const int MaxOffset = 2_000;

    private readonly EmulatorOrg org;
    private string query;

    public QueryEngine(EmulatorOrg org) => this.org = org;

    /// <param name="includeAll">queryAll: deleted records (IsDeleted = true) from the recycle bin are included.</param>
    public QueryResult Execute(string soql, bool includeAll, string apiVersion)
    {
        query = soql ?? "";
        if (query.Length > MaxQueryLength)
            throw new SoqlException("MALFORMED_QUERY", $"query too long: the query has {query.Length} characters; the limit is {MaxQueryLength}");
        var parsed = SoqlParser.Parse(query);
        var type = org.Schema.Find(parsed.From.Text)
            ?? throw SoqlException.At(query, parsed.From.Position, "INVALID_TYPE",
                $"sObject type '{parsed.From.Text}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.");
        this.includeAll = includeAll;
        this.apiVersion = apiVersion;
        return Run(parsed, type);
    }

    private bool includeAll;
    private string apiVersion;

    /// <summary>Rows of the FROM object tested against WHERE: a lookup by key examines only the rows it finds.</summary>
    public int RowsExamined { get; private set; }

    /// <summary>A selected column: a field path, or its picklist label (toLabel).</summary>
    private sealed record Column(BoundPath Path, bool ToLabel, string Alias = null);

    /// <summary>A parent-to-child subquery bound to its child object and the lookup that points back at the parent.</summary>
    private sealed record ChildQuery(string RelationshipName, ObjectDefinition ChildType, FieldDefinition Lookup, SoqlQuery Query,
        Func<SObjectRecord, bool> Predicate, List<Column> Columns, List<(BoundPath Path, bool Descending, bool NullsFirst)> Order);

    private QueryResult Run(SoqlQuery parsed, ObjectDefinition type)
    {
        if (parsed.Offset > MaxOffset)
            throw new SoqlException("NUMBER_OUTSIDE_VALID_RANGE", $"Maximum SOQL offset allowed is {MaxOffset}");
        var predicate = parsed.Where == null ? (_ => true) : Compile(type, parsed.Where);
        var rows = Candidates(type, parsed.Where).Where(r =>
        {
            RowsExamined++;
            return predicate(r);
        });
        if (parsed.GroupBy.Count > 0 || parsed.Select.Any(s => s is AggregateSelect))
            return Aggregate(parsed, type, rows.ToList());

        var columns = Columns(type, parsed);
        var children = parsed.Select.OfType<SubquerySelect>().Select(s => BindChildQuery(type, s)).ToList();
        var order = parsed.OrderBy.Select(item => (Path: Bind(type, item.Path), item.Descending, item.NullsFirst)).ToList();
        if (order.Count > 0) rows = rows.OrderBy(r => r, new RowComparer(this, order));
        if (parsed.Offset is int offset) rows = rows.Skip(offset);
        if (parsed.Limit is int limit) rows = rows.Take(limit);
        var matched = rows.ToList();
        var records = matched.Select(r =>
        {
            var json = Project(r, columns);
            foreach (var child in children) json[child.RelationshipName] = ChildRecords(r, child);
            return json;
        }).ToList();
        return new QueryResult(records.Count, records, parsed.ForClause is "VIEW" or "REFERENCE" ? matched.Select(r => r.Id).ToList() : null);
    }

    /// <summary>The columns of a plain query: fields as listed and FIELDS() expanded (subqueries are bound apart).</summary>
    private List<Column> Columns(ObjectDefinition type, SoqlQuery parsed)
    {
        var columns = new List<Column>();
        foreach (var item in parsed.Select)
        {
            switch (item)
            {
                case FieldSelect field:
                    // Plain fields take an alias only in aggregate queries: "SELECT Id Name FROM User" is malformed.
                    if (field.Alias != null)
                        throw SoqlException.At(query, field.Path.Position, "MALFORMED_QUERY", $"unexpected token: {field.Alias}");
                    columns.Add(new Column(Bind(type, field.Path), ToLabel: false));
                    break;
                case ToLabelSelect label:
                {
                    var path = Bind(type, label.Path);
                    if (path.Field.Type is not (FieldType.Picklist or FieldType.MultiPicklist))
                        throw SoqlException.At(query, label.Path.Position, "INVALID_FIELD", $"toLabel() only works on picklist fields; {path.FieldName} is a {path.Field.DescribeType} field");
                    columns.Add(new Column(path, ToLabel: true, label.Alias));
                    break;
                }
                case FieldsSelect fields:
                    // SOQL and SOSL Reference, "FIELDS()": CUSTOM and ALL are unbounded, so they need LIMIT 200 or less.
                    if (fields.Kind != "STANDARD" && parsed.Limit is not (>= 0 and <= 200))
                        throw SoqlException.At(query, fields.Position, "MALFORMED_QUERY", "The SOQL FIELDS function must have a LIMIT of at most 200");
                    foreach (var field in type.Fields.Where(f => fields.Kind == "ALL" || f.Name.EndsWith("__c", StringComparison.Ordinal) == (fields.Kind == "CUSTOM")))
                        columns.Add(new Column(new BoundPath(Array.Empty<string>(), field.Name, field), ToLabel: false));
                    break;
            }
        }
        return columns.DistinctBy(c => (c.Path.Key, c.ToLabel, c.Alias)).ToList();
    }

    private ChildQuery BindChildQuery(ObjectDefinition parent, SubquerySelect select)
    {
        var sub = select.Query;
        var relationship = org.Schema.ChildRelationships(parent)
            .FirstOrDefault(c => string.Equals(c.Name, sub.From.Text, StringComparison.OrdinalIgnoreCase));
        if (relationship.Name == null)
            throw SoqlException.At(query, sub.From.Position, "INVALID_TYPE",
                $"Didn't understand relationship '{sub.From.Text}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.");
        if (sub.Select.Any(s => s is SubquerySelect or AggregateSelect) || sub.GroupBy.Count > 0)
            throw SoqlException.At(query, select.Position, "MALFORMED_QUERY", "Nested subqueries and aggregates are not supported in a parent-to-child subquery");
        var predicate = sub.Where == null ? (_ => true) : Compile(relationship.ChildType, sub.Where);
        var order = sub.OrderBy.Select(item => (Path: Bind(relationship.ChildType, item.Path), item.Descending, item.NullsFirst)).ToList();
        return new ChildQuery(relationship.Name, relationship.ChildType, relationship.Field, sub, predicate, Columns(relationship.ChildType, sub), order);
    }

    /// <summary>The subquery's records under one parent, nested as Salesforce nests them; null when there are none.</summary>
    private JsonNode ChildRecords(SObjectRecord parent, ChildQuery child)
    {
        IEnumerable<SObjectRecord> rows = org.Scan(child.ChildType, includeAll)
            .Where(r => r.GetString(child.Lookup.Name) == parent.Id && child.Predicate(r));
        if (child.Order.Count > 0) rows = rows.OrderBy(r => r, new RowComparer(this, child.Order));
        if (child.Query.Offset is int offset) rows = rows.Skip(offset);
        if (child.Query.Limit is int limit) rows = rows.Take(limit);
        var records = rows.Select(r => (JsonNode)Project(r, child.Columns)).ToArray();
        if (records.Length == 0) return null;
        return new JsonObject { ["totalSize"] = records.Length, ["done"] = true, ["records"] = new JsonArray(records) };
    }

    /// <summary>
    /// The rows worth testing: for Id IN (...) or Id = '...' (alone or in an AND), and the same on fields with a
    /// unique index, the records are looked up by key instead of scanning the table.
    /// </summary>
    private IEnumerable<SObjectRecord> Candidates(ObjectDefinition type, Condition where)
    {
        var operands = where is AndCondition and ? and.Operands : where == null ? Array.Empty<Condition>() : new[] { where };
        foreach (var operand in operands)
        {
            var (field, literals) = operand switch
            {
                InCondition { Negated: false, Subquery: null } inList when inList.Field.Segments.Length == 1 => (inList.Field, inList.Values),
                Comparison { Operator: "=" } equal when equal.Field.Segments.Length == 1 && equal.Value.Kind == LiteralKind.String =>
                    (equal.Field, (IReadOnlyList<Literal>)new[] { equal.Value }),
                _ => (null, null),
            };
            if (field == null) continue;
            var path = Bind(type, field);
            bool isId = path.Field.Type == FieldType.Id;
            bool isUniqueKey = !includeAll && path.Field.IsText && type.UniqueKeys.Any(k => k.Fields.Count == 1 && string.Equals(k.Fields[0], path.FieldName, StringComparison.OrdinalIgnoreCase));
            if (!isId && !isUniqueKey) continue;
            var found = new Dictionary<string, SObjectRecord>(StringComparer.Ordinal);
            foreach (var literal in literals)
            {
                if (Convert(path, literal) is not string value) continue;
                var record = isId ? org.FindById(value, includeAll) : org.FindByUniqueField(type, path.FieldName, value);
                if (record != null && record.Type == type) found.TryAdd(record.Id, record);
            }
            return found.Values.OrderBy(r => org.Position(r));
        }
        return org.Scan(type, includeAll);
    }

    // ---- Aggregates ---------------------------------------------------------------------------------------

    /// <summary>
    /// COUNT() answers the count as totalSize and no records; otherwise one AggregateResult per group (one in all
    /// without GROUP BY), grouped fields under their names, aggregates under their aliases or expr0, expr1...
    /// (SOQL and SOSL Reference, "Aggregate Functions", "GROUP BY", "Using Aliases with GROUP BY").
    /// </summary>
    private QueryResult Aggregate(SoqlQuery parsed, ObjectDefinition type, List<SObjectRecord> rows)
    {
        var groups = parsed.GroupBy.Select(p => Bind(type, p)).ToList();
        var aggregates = parsed.Select.OfType<AggregateSelect>().ToList();
        if (aggregates.Any(a => a.Argument == null) && groups.Count == 0)
        {
            if (parsed.Select.Count > 1)
                throw SoqlException.At(query, aggregates.First(a => a.Argument == null).Position, "MALFORMED_QUERY", "COUNT() must be the only element in the SELECT list");
            IEnumerable<SObjectRecord> counted = rows;
            if (parsed.Offset is int skip) counted = counted.Skip(skip);
            if (parsed.Limit is int take) counted = counted.Take(take);
            return new QueryResult(counted.Count(), new List<JsonObject>());
        }

        var output = new List<(string Name, Func<List<SObjectRecord>, object> Value)>();
        int unnamed = 0;
        foreach (var item in parsed.Select)
        {
            switch (item)
            {
                case FieldSelect field:
                {
                    var path = Bind(type, field.Path);
                    if (!groups.Any(g => g.Key == path.Key))
                        throw SoqlException.At(query, field.Path.Position, "MALFORMED_QUERY", $"Field must be grouped or aggregated: {field.Path}");
                    output.Add((field.Alias ?? path.FieldName, members => Value(members[0], path)));
                    break;
                }
                case AggregateSelect aggregate:
                    output.Add((aggregate.Alias ?? $"expr{unnamed++}", AggregateFunction(type, aggregate)));
                    break;
                default:
                    throw SoqlException.At(query, 0, "MALFORMED_QUERY", "Only grouped fields and aggregate functions can be selected in an aggregate query");
            }
        }

        var grouped = groups.Count == 0
            ? new List<List<SObjectRecord>> { rows }
            : rows.GroupBy(r => string.Join('\u001f', groups.Select(g => FieldValues.ToDisplayString(Value(r, g)).ToLowerInvariant())))
                .Select(g => g.ToList()).ToList();
        IEnumerable<List<SObjectRecord>> ordered = grouped;
        if (parsed.OrderBy.Count > 0)
        {
            var keys = parsed.OrderBy.Select(o => (Value: o.Aggregate != null ? AggregateFunction(type, o.Aggregate) : GroupValue(type, groups, o.Path), o.Descending, o.NullsFirst)).ToList();
            ordered = grouped.OrderBy(g => g, Comparer<List<SObjectRecord>>.Create((x, y) =>
            {
                foreach (var (value, descending, nullsFirst) in keys)
                {
                    int result = CompareNullable(value(x), value(y), descending, nullsFirst);
                    if (result != 0) return result;
                }
                return 0;
            }));
        }
        if (parsed.Offset is int offset) ordered = ordered.Skip(offset);
        if (parsed.Limit is int limit) ordered = ordered.Take(limit);
        var records = ordered.Select(members =>
        {
            var json = new JsonObject { ["attributes"] = new JsonObject { ["type"] = "AggregateResult" } };
            foreach (var (name, value) in output) json[name] = FieldValues.ToJson(members.Count == 0 && groups.Count > 0 ? null : value(members));
            return json;
        }).ToList();
        return new QueryResult(records.Count, records);
    }

    private Func<List<SObjectRecord>, object> GroupValue(ObjectDefinition type, List<BoundPath> groups, FieldPath path)
    {
        var bound = Bind(type, path);
        if (!groups.Any(g => g.Key == bound.Key))
            throw SoqlException.At(query, path.Position, "MALFORMED_QUERY", $"Ordered field must be grouped or aggregated: {path}");
        return members => members.Count == 0 ? null : Value(members[0], bound);
    }

    private Func<List<SObjectRecord>, object> AggregateFunction(ObjectDefinition type, AggregateSelect aggregate)
    {
        if (aggregate.Argument == null) return members => (long)members.Count;
        var path = Bind(type, aggregate.Argument);
        bool numeric = path.Field.Type is FieldType.Int or FieldType.Double;
        if (aggregate.Function is "SUM" or "AVG" && !numeric)
            throw SoqlException.At(query, aggregate.Position, "MALFORMED_QUERY", $"field {path.FieldName} does not support aggregate operator {aggregate.Function}");
        IEnumerable<object> Values(List<SObjectRecord> members) => members.Select(r => Value(r, path)).Where(v => v != null);
        double Number(object v) => System.Convert.ToDouble(v, CultureInfo.InvariantCulture);
        // MIN and MAX of a picklist follow the picklist's order, not the alphabet ("Aggregate Functions").
        var order = path.Field.Type == FieldType.Picklist
            ? path.Field.PicklistValues.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i, StringComparer.OrdinalIgnoreCase)
            : null;
        var comparer = order == null
            ? Comparer<object>.Create(FieldValues.Compare)
            : Comparer<object>.Create((a, b) => order.GetValueOrDefault((string)a, int.MaxValue).CompareTo(order.GetValueOrDefault((string)b, int.MaxValue)));
        return aggregate.Function switch
        {
            "COUNT" => members => (long)Values(members).Count(),
            "COUNT_DISTINCT" => members => (long)Values(members).Select(v => FieldValues.ToDisplayString(v).ToLowerInvariant()).Distinct().Count(),
            "MIN" => members => Values(members).OrderBy(v => v, comparer).FirstOrDefault(),
            "MAX" => members => Values(members).OrderByDescending(v => v, comparer).FirstOrDefault(),
            "SUM" => members => Values(members).Any() ? Values(members).Sum(Number) : null,
            _ => members => Values(members).Any() ? Values(members).Average(Number) : null,
        };
    }

    private static int CompareNullable(object left, object right, bool descending, bool nullsFirst) => (left, right) switch
    {
        (null, null) => 0,
        (null, _) => nullsFirst ? -1 : 1,
        (_, null) => nullsFirst ? 1 : -1,
        _ => descending ? -FieldValues.Compare(left, right) : FieldValues.Compare(left, right),
    };

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
                return CompileIn(type, inList);
            case IncludesCondition includes:
                return CompileIncludes(type, includes);
            default:
                throw new InvalidOperationException($"Unknown condition {condition}");
        }
    }

    /// <summary>
    /// IN and NOT IN: text values go into a hash set (ids exactly, other text case-insensitively), so each row costs
    /// one lookup however long the list. A subquery makes a semi-join (anti-join with NOT IN) on ids.
    /// </summary>
    private Func<SObjectRecord, bool> CompileIn(ObjectDefinition type, InCondition inList)
    {
        var path = Bind(type, inList.Field);
        Func<object, bool> contains;
        if (inList.Subquery != null)
        {
            if (path.Field.Type is not (FieldType.Id or FieldType.Reference))
                throw SoqlException.At(query, inList.Field.Position, "INVALID_FIELD", $"The left operand of a semi join must be an id or a reference field: {inList.Field}");
            var ids = SemiJoinIds(inList.Subquery);
            contains = actual => actual is string id && ids.Contains(id);
        }
        else
        {
            var values = inList.Values.Select(v => Convert(path, v)).Where(v => v != null).ToList();
            if (path.Field.IsText && path.Field.Type != FieldType.MultiPicklist)
            {
                var set = new HashSet<string>(values.Cast<string>(),
                    path.Field.Type is FieldType.Id or FieldType.Reference ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
                contains = actual => actual is string text && set.Contains(text);
            }
            else
            {
                contains = actual => values.Any(v => AreEqual(path.Field, actual, v));
            }
        }
        if (inList.Negated) return r => Value(r, path) is not { } actual || !contains(actual);
        return r => Value(r, path) is { } actual && contains(actual);
    }

    /// <summary>The ids a semi-join subquery selects: one Id or reference field of another object.</summary>
    private HashSet<string> SemiJoinIds(SoqlQuery sub)
    {
        var inner = org.Schema.Find(sub.From.Text)
            ?? throw SoqlException.At(query, sub.From.Position, "INVALID_TYPE", $"sObject type '{sub.From.Text}' is not supported.");
        if (sub.Select is not [FieldSelect { Path: var selected }])
            throw SoqlException.At(query, sub.From.Position, "MALFORMED_QUERY", "A semi join subquery must select exactly one field");
        var path = Bind(inner, selected);
        if (path.Field.Type is not (FieldType.Id or FieldType.Reference))
            throw SoqlException.At(query, selected.Position, "INVALID_FIELD", $"The selected field in a semi join subquery must be an id or a reference field: {selected}");
        var predicate = sub.Where == null ? (_ => true) : Compile(inner, sub.Where);
        IEnumerable<SObjectRecord> rows = Candidates(inner, sub.Where).Where(predicate);
        if (sub.Limit is int limit) rows = rows.Take(limit);
        return rows.Select(r => Value(r, path) as string).Where(id => id != null).ToHashSet(StringComparer.Ordinal);
    }

    private Func<SObjectRecord, bool> CompileComparison(ObjectDefinition type, Comparison comparison)
    {
        var path = Bind(type, comparison.Field);
        if (comparison.Value.Kind == LiteralKind.DateLiteral) return CompileDateLiteral(path, comparison);
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

    /// <summary>A date literal is a range: = inside it, != outside, &lt; before it, &gt; after it, &lt;= up to its end, &gt;= from its start.</summary>
    private Func<SObjectRecord, bool> CompileDateLiteral(BoundPath path, Comparison comparison)
    {
        if (path.Field.Type is not (FieldType.Date or FieldType.DateTime)) throw TypeMismatch(path, comparison.Value);
        var (startDay, endDay) = DateLiterals.Range(comparison.Value.Text, DateOnly.FromDateTime(org.Clock().ToUniversalTime()));
        object start = path.Field.Type == FieldType.Date ? startDay : startDay.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        object end = path.Field.Type == FieldType.Date ? endDay : endDay.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        bool Inside(object v) => FieldValues.Compare(v, start) >= 0 && FieldValues.Compare(v, end) < 0;
        return comparison.Operator switch
        {
            "=" => r => Value(r, path) is { } v && Inside(v),
            "!=" or "<>" => r => Value(r, path) is not { } v || !Inside(v),
            "<" => r => Value(r, path) is { } v && FieldValues.Compare(v, start) < 0,
            "<=" => r => Value(r, path) is { } v && FieldValues.Compare(v, end) < 0,
            ">" => r => Value(r, path) is { } v && FieldValues.Compare(v, end) >= 0,
            _ => r => Value(r, path) is { } v && FieldValues.Compare(v, start) >= 0,
        };
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
                int result = CompareNullable(engine.Value(x, path), engine.Value(y, path), descending, nullsFirst);
                if (result != 0) return result;
            }
            return 0;
        }
    }

    /// <summary>Builds the record JSON: plain fields directly, relationship fields as nested records (or null).</summary>
    private JsonObject Project(SObjectRecord record, List<Column> columns)
    {
        var json = new JsonObject { ["attributes"] = RecordJson.Attributes(record.Type, record.Id, apiVersion) };
        foreach (var (path, toLabel, alias) in columns)
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
            object value = field == null ? null : current.Get(field.Name);
            if (toLabel && value is string text) value = string.Join(';', text.Split(';').Select(field.LabelOf));
            container[alias ?? field?.Name ?? path.FieldName] = FieldValues.ToJson(value);
        }
        return json;
    }
}
