namespace SalesforceProvisioning.Emulator.Api;

/// <summary>The org's daily API allowance and the emulator's own counters (calls, HTTP requests, records written).</summary>
internal sealed class ApiUsage
{
    private readonly Dictionary<string, long> byEndpoint = new(StringComparer.Ordinal);

    public ApiUsage(long dailyLimit) => Max = dailyLimit;

    public long Max { get; private set; }
    public long Used { get; private set; }
    public long Remaining => Math.Max(0, Max - Used);
    /// <summary>Calls counted since start or reset; unlike Used it ignores limits set through the control endpoint.</summary>
    public long CallsCounted { get; private set; }
    public long HttpRequests { get; private set; }
    public long RecordsWritten { get; private set; }
    public IReadOnlyDictionary<string, long> ByEndpoint => byEndpoint;

    public string LimitInfoHeader => $"api-usage={Used}/{Max}";

    /// <summary>Bulk API batches a day (shared by Bulk API and Bulk API 2.0 ingest), and Bulk API 2.0 query jobs a day.</summary>
    public const long DailyBulkApiBatches = 15_000, DailyBulkV2QueryJobs = 10_000;
    public long BulkBatchesUsed { get; private set; }
    public long BulkQueryJobsUsed { get; private set; }

    public bool TryTakeBulkBatch()
    {
        if (BulkBatchesUsed >= DailyBulkApiBatches) return false;
        BulkBatchesUsed++;
        return true;
    }

    public bool TryTakeBulkQueryJob()
    {
        if (BulkQueryJobsUsed >= DailyBulkV2QueryJobs) return false;
        BulkQueryJobsUsed++;
        return true;
    }

    /// <summary>Takes <paramref name="calls"/> from the allowance; false (nothing taken) when that would pass the limit.</summary>
    public bool TryConsume(int calls)
    {
        if (Used + calls > Max) return false;
        Used += calls;
        CallsCounted += calls;
        return true;
    }

    public void CountHttpRequest(string endpoint)
    {
        HttpRequests++;
        byEndpoint[endpoint] = byEndpoint.GetValueOrDefault(endpoint) + 1;
    }

    public void AddRecordsWritten(int records) => RecordsWritten += records;

    public void SetLimits(long? max, long? remaining)
    {
        if (max is long newMax) Max = newMax;
        if (remaining is long left) Used = Math.Max(0, Max - left);
    }

    public void Reset(long dailyLimit)
    {
        Max = dailyLimit;
        Used = 0;
        CallsCounted = 0;
        HttpRequests = 0;
        RecordsWritten = 0;
        BulkBatchesUsed = 0;
        BulkQueryJobsUsed = 0;
        byEndpoint.Clear();
    }
}
