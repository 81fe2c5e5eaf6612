using System.Text;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>One Bulk API 2.0 job, ingest or query, as the emulator keeps it until it is deleted or the org is reset.</summary>
internal sealed class BulkJob
{
    public string Id { get; init; }
    public bool IsQuery { get; init; }
    public string Operation { get; init; }
    public string ObjectName { get; init; }
    public string ExternalIdFieldName { get; init; }
    public string ApiVersion { get; init; }
    public string CreatedById { get; init; }
    public DateTime CreatedDate { get; init; }
    public DateTime SystemModstamp { get; set; }
    public string State { get; set; }
    public string ColumnDelimiter { get; init; } = "COMMA";
    public string LineEnding { get; init; } = "LF";
    public string ErrorMessage { get; set; }

    public char Delimiter => BulkCsv.Delimiters[ColumnDelimiter];
    public string LineBreak => LineEnding == "CRLF" ? "\r\n" : "\n";

    // ---- Ingest ----
    /// <summary>The CSV uploaded with PUT .../batches; null until then.</summary>
    public string Upload { get; set; }
    public string[] Header { get; set; } = Array.Empty<string>();
    public List<IngestRowResult> Results { get; } = new();
    /// <summary>Rows never attempted (the job was aborted or failed first), as uploaded.</summary>
    public List<string[]> Unprocessed { get; } = new();
    /// <summary>Rows of a closed job still to process while the job is InProgress (held by bulk-hold).</summary>
    public List<string[]> Pending { get; } = new();
    public int NumberRecordsProcessed => Results.Count;
    public int NumberRecordsFailed => Results.Count(r => r.Error != null);

    // ---- Query ----
    public string Query { get; init; }
    public List<string> Columns { get; init; } = new();
    public List<string[]> Rows { get; init; } = new();
}

/// <summary>What happened to one uploaded row: its id and whether it was created, or the error.</summary>
internal sealed record IngestRowResult(string[] Row, string Id, bool Created, string Error);

/// <summary>The org's Bulk API 2.0 jobs by id, in creation order.</summary>
internal sealed class BulkJobs
{
    private readonly OrderedDictionary<string, BulkJob> jobs = new(StringComparer.Ordinal);
    private long sequence;

    public string NewId() => Data.SalesforceId.Create("750", ++sequence);

    public void Add(BulkJob job) => jobs[job.Id] = job;

    public BulkJob Find(string id, bool isQuery) =>
        Data.SalesforceId.TryNormalize(id, out var id18) && jobs.TryGetValue(id18, out var job) && job.IsQuery == isQuery ? job : null;

    public IEnumerable<BulkJob> All(bool isQuery) => jobs.Values.Where(j => j.IsQuery == isQuery);

    public void Remove(BulkJob job) => jobs.Remove(job.Id);

    public void Clear()
    {
        jobs.Clear();
        sequence = 0;
    }
}
