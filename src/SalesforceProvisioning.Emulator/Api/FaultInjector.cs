using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>
/// DropAfterCommit: the work commits and the connection drops before the answer. ErrorAfterCommit: the work
/// commits and the edge answers <see cref="FaultRule.HttpStatus"/> (502 Bad Gateway by default, or 503/504),
/// as Salesforce's proxies do when the app server finished after the edge gave up: the client cannot tell
/// it from a request that never ran. CutOffAnswer: the work is done and the answer starts (status, headers with its
/// full Content-Length, the first half of the body), then the connection drops, as a network failure mid-answer does.
/// LateCommit: the connection drops before any answer and the work is carried out only after the next request's
/// work (an app server that finishes after the client gave up and read back): a read-back right after it misses it.
/// GarbledAnswer: the work is done and the answer arrives whole, with its status, but its body is only the first
/// half of the JSON (its Content-Length says so): an answer that came and cannot be read.
/// </summary>
public enum FaultKind { Http503, InvalidSession, RequestLimitExceeded, UnableToLockRow, DropConnection, DropAfterCommit, RecordError, ErrorAfterCommit, CutOffAnswer, LateCommit, GarbledAnswer }

/// <summary>
/// One fault rule as posted to /__emulator/faults. It fires on the next <c>Count</c> matching requests, or on
/// a deterministic random share (<c>Rate</c>, drawn from <c>Seed</c>) of them.
/// </summary>
public sealed class FaultRule
{
    public FaultKind Kind { get; set; }
    public int? Count { get; set; }
    public double? Rate { get; set; }
    public int Seed { get; set; } = 42;
    public string PathContains { get; set; }
    public string Method { get; set; }
    /// <summary>Only requests whose body contains this text (for example a composite that writes, not one that reads).</summary>
    public string BodyContains { get; set; }
    /// <summary>Positions (within a collection) of the records that fail; with RecordField/RecordValues the others pass.</summary>
    public int[] RecordIndexes { get; set; }
    public string RecordField { get; set; }
    public string[] RecordValues { get; set; }
    public string StatusCode { get; set; }
    public string Message { get; set; }
    /// <summary>A random share of the records (drawn from <c>Seed</c>) fail, instead of chosen ones.</summary>
    public double? RecordRate { get; set; }
    /// <summary>Each record fails at most once, as a real transient lock would: its retry goes through.</summary>
    public bool OncePerRecord { get; set; }

    /// <summary>The status ErrorAfterCommit answers with: 502 (default), 503 or 504.</summary>
    public int? HttpStatus { get; set; }

    [JsonIgnore] private readonly HashSet<string> failedRecords = new();

    [JsonIgnore] internal Random Random { get; set; }

    /// <summary>Faults that fail chosen records inside collections and composite requests.</summary>
    [JsonIgnore] public bool IsRecordLevel => Kind is FaultKind.UnableToLockRow or FaultKind.RecordError;

    internal JsonObject ToJson() => new()
    {
        ["kind"] = Kind.ToString(),
        ["remaining"] = Count,
        ["rate"] = Rate,
        ["seed"] = Seed,
        ["pathContains"] = PathContains,
        ["method"] = Method,
        ["bodyContains"] = BodyContains,
        ["recordIndexes"] = RecordIndexes == null ? null : new JsonArray(RecordIndexes.Select(i => (JsonNode)i).ToArray()),
        ["recordField"] = RecordField,
        ["recordValues"] = RecordValues == null ? null : new JsonArray(RecordValues.Select(v => (JsonNode)v).ToArray()),
        ["statusCode"] = StatusCode,
        ["message"] = Message,
        ["recordRate"] = RecordRate,
        ["oncePerRecord"] = OncePerRecord,
        ["httpStatus"] = HttpStatus,
    };

    /// <summary>Whether the record at <paramref name="index"/> (request body <paramref name="input"/>, stored <paramref name="existing"/>) is chosen.</summary>
    internal bool SelectsRecord(int index, JsonObject input, SObjectRecord existing)
    {
        if (!Chooses(index, input, existing)) return false;
        if (!OncePerRecord) return true;
        string key = existing?.Id ?? input?.ToJsonString() ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return failedRecords.Add(key);
    }

    private bool Chooses(int index, JsonObject input, SObjectRecord existing)
    {
        if (RecordRate is double rate) return Random.NextDouble() < rate;
        bool byIndex = RecordIndexes is { Length: > 0 };
        bool byValue = RecordField != null && RecordValues is { Length: > 0 };
        if (!byIndex && !byValue) return true;
        if (byIndex && RecordIndexes.Contains(index)) return true;
        if (!byValue) return false;
        string value = input?.FirstOrDefault(p => string.Equals(p.Key, RecordField, StringComparison.OrdinalIgnoreCase)).Value?.ToString()
            ?? (existing == null ? null : FieldValues.ToDisplayString(existing.Get(existing.Type.FindField(RecordField)?.Name ?? RecordField)));
        return value != null && RecordValues.Contains(value, StringComparer.OrdinalIgnoreCase);
    }

    internal SalesforceError RecordErrorFor(string id) => Kind == FaultKind.UnableToLockRow
        ? new SalesforceError(StatusCode ?? "UNABLE_TO_LOCK_ROW", Message ?? $"unable to obtain exclusive access to this record or 1 records: {id ?? "0015g00000EmuLck"}")
        : new SalesforceError(StatusCode ?? "UNKNOWN_EXCEPTION",
            Message ?? "An unexpected error occurred. Please include this ErrorId if you contact support: 1798546204-83154 (-1205372921)");
}

/// <summary>The active fault rules; the first rule that matches a request and fires decides its fate.</summary>
internal sealed class FaultInjector
{
    private static readonly JsonSerializerOptions RuleJson = new()
    {
        PropertyNameCaseInsensitive = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly List<FaultRule> rules = new();

    /// <summary>Reads one rule, a list of rules or {"rules":[...]}; throws JsonException on nonsense.</summary>
    public static List<FaultRule> ParseRules(string json)
    {
        var node = JsonNode.Parse(json);
        if (node is JsonObject wrapper && wrapper["rules"] is JsonArray wrapped) node = wrapped;
        var list = node is JsonArray
            ? node.Deserialize<List<FaultRule>>(RuleJson)
            : new List<FaultRule> { node.Deserialize<FaultRule>(RuleJson) };
        foreach (var rule in list)
        {
            if (rule == null) throw new JsonException("A fault rule must be an object.");
            if (rule.Rate is < 0 or > 1) throw new JsonException("rate must be between 0 and 1.");
            if (rule.Count is < 0) throw new JsonException("count cannot be negative.");
            if (rule.HttpStatus is int status && status is not (502 or 503 or 504)) throw new JsonException("httpStatus must be 502, 503 or 504.");
            if (rule.Count == null && rule.Rate == null) rule.Count = 1;
            rule.Random = new Random(rule.Seed);
        }
        return list;
    }

    public void Add(IEnumerable<FaultRule> newRules) => rules.AddRange(newRules);

    public void Clear() => rules.Clear();

    public JsonArray ToJson() => new(rules.Select(r => (JsonNode)r.ToJson()).ToArray());

    /// <summary>
    /// The rule that fires for this request, if any, spending one of its count. The token endpoint is only
    /// hit by rules whose pathContains points at it.
    /// </summary>
    public FaultRule Next(string method, string path, string body, bool isTokenEndpoint)
    {
        foreach (var rule in rules)
        {
            if (rule.Count == 0) continue;
            if (isTokenEndpoint && string.IsNullOrEmpty(rule.PathContains)) continue;
            if (rule.PathContains != null && !path.Contains(rule.PathContains, StringComparison.OrdinalIgnoreCase)) continue;
            if (rule.Method != null && !string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase)) continue;
            if (rule.BodyContains != null && (body == null || !body.Contains(rule.BodyContains, StringComparison.Ordinal))) continue;
            if (rule.Rate is double rate && rule.Random.NextDouble() >= rate) continue;
            if (rule.Count != null) rule.Count--;
            rules.RemoveAll(r => r.Count == 0);
            return rule;
        }
        return null;
    }
}
