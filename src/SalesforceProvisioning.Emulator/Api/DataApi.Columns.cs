using System.Text.Json.Nodes;
using SalesforceProvisioning.Emulator.Data;
using SalesforceProvisioning.Emulator.Soql;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>
/// query?q=...&amp;columns=true: the query's column metadata instead of its rows. Salesforce serves this for its own
/// tools (the Developer Console, and the Salesforce CLI's `sf data query`, which reads it to lay out its table);
/// it is not in the REST API guide, so the shape follows what those clients read: columnMetadata[] with
/// columnName, displayName, aggregate and joinColumns (relationship paths nest, one join column per relationship).
/// </summary>
internal sealed partial class DataApi
{
    private ApiResponse QueryColumns(CallContext context, string resource, string soql)
    {
        // The query must be valid as a query first: the same errors as running it.
        new QueryEngine(Org).Execute(soql, includeAll: resource == "queryAll", context.ApiVersion);
        var parsed = SoqlParser.Parse(soql);
        var type = Org.Schema.Find(parsed.From.Text);

        var columns = SelectColumns(type, parsed.Select);
        return ApiResponse.Ok(new JsonObject
        {
            ["columnMetadata"] = columns,
            ["entityName"] = type.Name,
            ["groupBy"] = parsed.GroupBy.Count > 0,
            ["idSelected"] = parsed.Select.OfType<FieldSelect>().Any(f => f.Path.Segments is [var only] && string.Equals(only, "Id", StringComparison.OrdinalIgnoreCase)),
            ["keyPrefix"] = type.KeyPrefix,
        });
    }

    /// <summary>The columns of a select list: fields, relationship paths, aggregates and subqueries (as aggregate joins).</summary>
    private JsonArray SelectColumns(ObjectDefinition type, IReadOnlyList<SelectItem> select)
    {
        var columns = new JsonArray();
        int expression = 0;
        foreach (var item in select)
        {
            switch (item)
            {
                case FieldSelect { Path: var path }:
                    AddColumn(columns, type, WithoutObjectPrefix(type, path));
                    break;
                case ToLabelSelect { Path: var path }:
                    AddColumn(columns, type, WithoutObjectPrefix(type, path));
                    break;
                case FieldsSelect fields:
                    foreach (var field in type.Fields.Where(f => fields.Kind.ToUpperInvariant() switch
                             {
                                 "CUSTOM" => f.Name.EndsWith("__c", StringComparison.Ordinal),
                                 "STANDARD" => !f.Name.EndsWith("__c", StringComparison.Ordinal),
                                 _ => true,
                             }))
                        AddColumn(columns, type, new[] { field.Name });
                    break;
                case AggregateSelect { Argument: not null } aggregate:
                    var column = Column(aggregate.Alias ?? $"expr{expression++}", $"{aggregate.Function.ToUpperInvariant()}({aggregate.Argument})",
                        aggregate.Function.StartsWith("COUNT", StringComparison.OrdinalIgnoreCase) ? "Integer" : null);
                    column["aggregate"] = true;
                    columns.Add(column);
                    break;
                case SubquerySelect subquery:
                    var relationship = Org.Schema.ChildRelationships(type)
                        .First(r => string.Equals(r.Name, subquery.Query.From.Text, StringComparison.OrdinalIgnoreCase));
                    var join = Column(relationship.Name, relationship.Name, null);
                    join["aggregate"] = true;
                    join["joinColumns"] = SelectColumns(relationship.ChildType, subquery.Query.Select);
                    columns.Add(join);
                    break;
            }
        }
        return columns;
    }

    /// <summary>"Account.Name" in a query FROM Account is the field Name.</summary>
    private static string[] WithoutObjectPrefix(ObjectDefinition type, FieldPath path) =>
        path.Segments.Length > 1 && string.Equals(path.Segments[0], type.Name, StringComparison.OrdinalIgnoreCase) ? path.Segments[1..] : path.Segments;

    /// <summary>Adds a field, or the relationship it is reached through with the rest of the path nested in joinColumns.</summary>
    private void AddColumn(JsonArray columns, ObjectDefinition type, string[] path)
    {
        if (path.Length == 1)
        {
            var field = type.FindField(path[0]);
            if (field == null || columns.Any(c => string.Equals(c["columnName"]?.ToString(), field.Name, StringComparison.OrdinalIgnoreCase))) return;
            var column = Column(field.Name, field.Name, ApexType(field.Type));
            column["booleanType"] = field.Type == FieldType.Boolean;
            column["custom"] = field.Name.EndsWith("__c", StringComparison.Ordinal);
            column["insertable"] = field.Createable;
            column["numberType"] = field.Type is FieldType.Int or FieldType.Double;
            column["textType"] = field.IsText && field.Type != FieldType.Id && field.Type != FieldType.Reference;
            column["updatable"] = field.Updateable;
            columns.Add(column);
            return;
        }
        var reference = type.FindRelationship(path[0]);
        var join = columns.OfType<JsonObject>().FirstOrDefault(c => string.Equals(c["columnName"]?.ToString(), reference.RelationshipName, StringComparison.OrdinalIgnoreCase));
        if (join == null)
        {
            join = Column(reference.RelationshipName, reference.RelationshipName, null);
            join["foreignKeyName"] = reference.Name;
            columns.Add(join);
        }
        var target = reference.ReferenceTo.Select(Org.Schema.Find).First(t => t != null && (path.Length > 2 ? t.FindRelationship(path[1]) : t.FindField(path[1])) != null);
        AddColumn((JsonArray)join["joinColumns"], target, path[1..]);
    }

    private static JsonObject Column(string name, string displayName, string apexType) => new()
    {
        ["aggregate"] = false,
        ["apexType"] = apexType,
        ["booleanType"] = false,
        ["columnName"] = name,
        ["custom"] = false,
        ["displayName"] = displayName,
        ["foreignKeyName"] = null,
        ["insertable"] = false,
        ["joinColumns"] = new JsonArray(),
        ["numberType"] = false,
        ["textType"] = false,
        ["updatable"] = false,
    };

    private static string ApexType(FieldType type) => type switch
    {
        FieldType.Id or FieldType.Reference => "Id",
        FieldType.Boolean => "Boolean",
        FieldType.Int => "Integer",
        FieldType.Double => "Double",
        FieldType.DateTime => "Datetime",
        FieldType.Date => "Date",
        _ => "String",
    };
}
