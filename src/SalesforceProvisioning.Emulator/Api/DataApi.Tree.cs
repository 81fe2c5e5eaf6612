using System.Text.Json.Nodes;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>
/// sObject Tree (POST /composite/tree/{Type}; "sObject Tree" and "Create Nested Records", REST API Developer Guide):
/// root records of one type with their children nested under parent-to-child relationship names
/// ("Contacts": {"records": [...]}), up to 200 records, 5 levels and 5 types. Every record carries
/// attributes.type and a referenceId unique in the request. All or nothing in one transaction: 201 with an id per
/// referenceId, or 400 with only the records that failed and nothing saved. One counted call.
/// </summary>
internal sealed partial class DataApi
{
    public const int MaxTreeRecords = 200, MaxTreeDepth = 5, MaxTreeTypes = 5;

    private sealed record TreeNode(JsonObject Record, ObjectDefinition Type, string ReferenceId, FieldDefinition ParentField, TreeNode Parent);

    private ApiResponse Tree(CallContext context, string typeName, string body)
    {
        var rootType = FindType(typeName);
        var request = ParseObjectBody(body);
        if (request["records"] is not JsonArray roots || roots.Count == 0)
            return ApiResponse.JsonParserError("The request body needs a non-empty \"records\" array.");

        var nodes = new List<TreeNode>();
        var problems = new List<(string ReferenceId, SalesforceError Error)>();
        Collect(roots, rootType, parentField: null, parent: null, depth: 1, nodes, problems);
        if (nodes.Count > MaxTreeRecords)
            return ApiResponse.Error(400, "LIMIT_EXCEEDED", $"An sObject tree request can have at most {MaxTreeRecords} records; this one has {nodes.Count}.");
        if (nodes.Select(n => n.Type).Distinct().Count() > MaxTreeTypes)
            return ApiResponse.Error(400, "LIMIT_EXCEEDED", $"An sObject tree request can have records of at most {MaxTreeTypes} types.");
        foreach (var duplicate in nodes.GroupBy(n => n.ReferenceId, StringComparer.OrdinalIgnoreCase).Where(g => g.Key != null && g.Count() > 1))
            problems.Add((duplicate.Key, new SalesforceError("INVALID_INPUT", $"Duplicate ReferenceId provided in the request: {duplicate.Key}")));
        if (problems.Count > 0) return TreeFailure(problems);
        context.Entry.Records += nodes.Count;

        // Parents are saved before their children, so each child gets its parent's new id in its lookup.
        var ids = new Dictionary<TreeNode, string>();
        for (int index = 0; index < nodes.Count; index++)
        {
            var node = nodes[index];
            var fields = (JsonObject)node.Record.DeepClone();
            if (node.Parent != null) fields[node.ParentField.Name] = ids[node.Parent];
            var result = context.FaultFor(index, fields, null) is { } fault
                ? SaveResult.Failed(fault)
                : Org.CreateRecord(context.Transaction, node.Type.Name, fields, WriteMode.Api);
            if (result.Success) ids[node] = result.Id;
            else problems.Add((node.ReferenceId, result.Errors[0]));
        }
        if (problems.Count > 0)
        {
            context.Transaction.RollbackAll();
            return TreeFailure(problems);
        }
        return ApiResponse.Json(201, new JsonObject
        {
            ["hasErrors"] = false,
            ["results"] = new JsonArray(nodes.Select(n => (JsonNode)new JsonObject { ["referenceId"] = n.ReferenceId, ["id"] = ids[n] }).ToArray()),
        });
    }

    /// <summary>Flattens the tree depth-first (a record, then its children), checking each record's shape.</summary>
    private void Collect(JsonArray records, ObjectDefinition type, FieldDefinition parentField, TreeNode parent, int depth,
        List<TreeNode> nodes, List<(string, SalesforceError)> problems)
    {
        foreach (var item in records)
        {
            if (item is not JsonObject record)
            {
                problems.Add((null, new SalesforceError("JSON_PARSER_ERROR", "Each record must be a JSON object.")));
                continue;
            }
            string referenceId = record["attributes"]?["referenceId"]?.ToString();
            string declaredType = record["attributes"]?["type"]?.ToString();
            if (string.IsNullOrEmpty(referenceId))
                problems.Add((null, new SalesforceError("INVALID_INPUT", "Include a reference ID for each record in the request.")));
            if (!string.Equals(declaredType, type.Name, StringComparison.OrdinalIgnoreCase))
                problems.Add((referenceId, new SalesforceError("INVALID_INPUT", $"The record's attributes.type must be {type.Name}, not '{declaredType}'.")));
            if (depth > MaxTreeDepth)
                problems.Add((referenceId, new SalesforceError("INVALID_INPUT", $"An sObject tree can be at most {MaxTreeDepth} levels deep.")));

            var fields = new JsonObject();
            var children = new List<(FieldDefinition Field, ObjectDefinition Child, JsonArray Records)>();
            foreach (var (name, value) in record)
            {
                if (name == "attributes") continue;
                if (value is JsonObject nested)
                {
                    var relationship = Org.Schema.ChildRelationships(type).FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
                    if (relationship.Field == null || nested["records"] is not JsonArray childRecords)
                        problems.Add((referenceId, new SalesforceError("INVALID_FIELD", $"No such relationship '{name}' on {type.Name}: nest children under a child relationship name as {{\"records\": [...]}}.", name)));
                    else children.Add((relationship.Field, relationship.ChildType, childRecords));
                    continue;
                }
                fields[name] = value?.DeepClone();
            }
            var node = new TreeNode(fields, type, referenceId, parentField, parent);
            nodes.Add(node);
            foreach (var (field, child, childRecords) in children)
                Collect(childRecords, child, field, node, depth + 1, nodes, problems);
        }
    }

    private static ApiResponse TreeFailure(IEnumerable<(string ReferenceId, SalesforceError Error)> problems) => ApiResponse.Json(400, new JsonObject
    {
        ["hasErrors"] = true,
        ["results"] = new JsonArray(problems.Select(p => (JsonNode)new JsonObject
        {
            ["referenceId"] = p.ReferenceId,
            ["errors"] = new JsonArray(new JsonObject
            {
                ["statusCode"] = p.Error.StatusCode,
                ["message"] = p.Error.Message,
                ["fields"] = new JsonArray(p.Error.Fields.Select(f => (JsonNode)f).ToArray()),
            }),
        }).ToArray()),
    });
}
