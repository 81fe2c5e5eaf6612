using System.Globalization;
using System.Text.Json.Nodes;
using SalesforceProvisioning.Emulator.Soql;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>SOQL queries, paged at exactly 2,000 records with nextRecordsUrl cursors.</summary>
internal sealed partial class DataApi
{
    public const int PageSize = 2000;

    private ApiResponse Query(CallContext context, string resource, string soql)
    {
        if (string.IsNullOrWhiteSpace(soql))
            return ApiResponse.Error(400, "MALFORMED_QUERY", "A query string (q) is required.");
        var result = new QueryEngine(Org).Execute(soql, includeAll: resource == "queryAll", context.ApiVersion);
        if (result.Records.Count <= PageSize)
            return Page(result.TotalSize, result.Records, nextRecordsUrl: null);

        string locator = state.Cursors.Open(result.Records);
        return Page(result.TotalSize, result.Records.Take(PageSize).Select(r => r.DeepClone()),
            $"/services/data/v{context.ApiVersion}/{resource}/{locator}-{PageSize}");
    }

    /// <summary>GET of a nextRecordsUrl: "01g...-4000" names the cursor and the position of the page.</summary>
    private ApiResponse NextPage(CallContext context, string resource, string locatorAndOffset)
    {
        int dash = locatorAndOffset.LastIndexOf('-');
        var records = dash < 0 ? null : state.Cursors.Find(locatorAndOffset[..dash]);
        if (records == null || !int.TryParse(locatorAndOffset[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int offset)
            || offset > records.Count)
            return ApiResponse.Error(400, "INVALID_QUERY_LOCATOR", "invalid query locator");

        int next = offset + PageSize;
        return Page(records.Count, records.Skip(offset).Take(PageSize).Select(r => r.DeepClone()),
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
