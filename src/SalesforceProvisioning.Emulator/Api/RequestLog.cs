using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>One request as the control endpoint reports it; never holds tokens or Authorization headers.</summary>
internal sealed class RequestLogEntry
{
    public long Sequence { get; set; }
    public DateTime Time { get; set; }
    public string Method { get; set; }
    public string Path { get; set; }
    public string Query { get; set; }
    public string Endpoint { get; set; }
    public int Status { get; set; }
    public int CountedCalls { get; set; }
    public int Subrequests { get; set; }
    public int Records { get; set; }
    /// <summary>Records the request wrote, one after another, including any rolled back (see the per-record latency).</summary>
    public int RecordsProcessed { get; set; }
    public string Fault { get; set; }
    public bool ConnectionDropped { get; set; }

    public JsonObject ToJson() => new()
    {
        ["sequence"] = Sequence,
        ["time"] = Data.FieldValues.FormatDateTime(Time),
        ["method"] = Method,
        ["path"] = Path,
        ["query"] = Query,
        ["endpoint"] = Endpoint,
        ["status"] = Status,
        ["countedCalls"] = CountedCalls,
        ["subrequests"] = Subrequests,
        ["records"] = Records,
        ["recordsProcessed"] = RecordsProcessed,
        ["fault"] = Fault,
        ["connectionDropped"] = ConnectionDropped,
    };
}

internal sealed class RequestLog
{
    /// <summary>Oldest entries go first past this many, so a long soak run cannot exhaust memory.</summary>
    private const int Capacity = 100_000;
    private static readonly string[] SecretParameters = { "token", "access_token", "refresh_token", "client_secret", "assertion", "password", "oauth_token" };
    private readonly LinkedList<RequestLogEntry> entries = new();
    private long sequence;

    public RequestLogEntry Start(string method, string path, string query, string endpoint)
    {
        var entry = new RequestLogEntry
        {
            Sequence = ++sequence, Time = DateTime.UtcNow, Method = method, Path = path, Query = Redact(query), Endpoint = endpoint,
        };
        entries.AddLast(entry);
        if (entries.Count > Capacity) entries.RemoveFirst();
        return entry;
    }

    public JsonArray ToJson() => new(entries.Select(e => (JsonNode)e.ToJson()).ToArray());

    public void Clear()
    {
        entries.Clear();
        sequence = 0;
    }

    private static string Redact(string query)
    {
        if (string.IsNullOrEmpty(query)) return "";
        var parts = query.TrimStart('?').Split('&').Select(part =>
        {
            int equals = part.IndexOf('=');
            string name = equals < 0 ? part : part[..equals];
            return SecretParameters.Contains(Uri.UnescapeDataString(name), StringComparer.OrdinalIgnoreCase) ? name + "=REDACTED" : part;
        });
        return "?" + string.Join('&', parts);
    }
}
