using System.Globalization;
using System.Text.Json.Nodes;
using SalesforceProvisioning.Emulator.Soql;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>SOQL queries, paged at exactly 2,000 records with nextRecordsUrl cursors.</summary>
internal sealed partial class DataApi
{
    public const int PageSize = 2000;

    public const int MinBatchSize = 200;

    /// <summary>
    /// The page size a query asks for with the Sforce-Query-Options header ("batchSize=500"): 200 to 2,000, the
    /// default 2,000 (REST API Developer Guide, "Query Options Header"); values outside are brought into range.
    /// </summary>
    public static int BatchSize(string queryOptions)
    {
        foreach (var option in (queryOptions ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = option.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && string.Equals(parts[0], "batchSize", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int size))
                return Math.Clamp(size, MinBatchSize, PageSize);
        }
        return PageSize;
    }

    private ApiResponse Query(CallContext context, string resource, string soql)
    {
        if (string.IsNullOrWhiteSpace(soql))
            return ApiResponse.Error(400, "MALFORMED_QUERY", "A query string (q) is required.");
        var result = new QueryEngine(Org).Execute(soql, includeAll: resource == "queryAll", context.ApiVersion);
        if (result.ViewedIds != null) state.Recent.Mark(context.User.Id, result.ViewedIds);
        int pageSize = context.BatchSize;
        if (result.Records.Count <= pageSize)
            return Page(result.TotalSize, result.Records, nextRecordsUrl: null);

        string locator = state.Cursors.Open(result.Records, pageSize);
        return Page(result.TotalSize, result.Records.Take(pageSize).Select(r => r.DeepClone()),
            $"/services/data/v{context.ApiVersion}/{resource}/{locator}-{pageSize}");
    }

    /// <summary>GET of a nextRecordsUrl: "01g...-4000" names the cursor and the position of the page.</summary>
    private ApiResponse NextPage(CallContext context, string resource, string locatorAndOffset)
    {
        int dash = locatorAndOffset.LastIndexOf('-');
        var cursor = dash < 0 ? null : state.Cursors.Find(locatorAndOffset[..dash]);
        var records = cursor?.Records;
        if (records == null || !int.TryParse(locatorAndOffset[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int offset)
            || offset > records.Count)
            return ApiResponse.Error(400, "INVALID_QUERY_LOCATOR", "invalid query locator");

        int pageSize = cursor.PageSize;
        int next = offset + pageSize;
        return Page(records.Count, records.Skip(offset).Take(pageSize).Select(r => r.DeepClone()),
            next < records.Count ? $"/services/data/v{context.ApiVersion}/{resource}/{locatorAndOffset[..dash]}-{next}" : null);
    }

    private static ApiResponse Page(int totalSize, IEnumerable<JsonNode> records, string nextRecordsUrl)
    {
        var page = new JsonObject
        {
            ["totalSize"] = totalSize,
            ["done"] = nextRecordsUrl == null,
        };
        if (nextRecordsUrl != null) page["nextRecordsUrl"] = nextRecordsUrl;
        page["records"] = new JsonArray(records.ToArray());
        return ApiResponse.Ok(page);
    }
}
