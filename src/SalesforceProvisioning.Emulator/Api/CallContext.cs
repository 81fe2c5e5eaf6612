using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>One counted API call as it runs: who calls, in which transaction, and which records a fault fails.</summary>
internal sealed class CallContext
{
    private readonly List<OrgTransaction> transactions;

    public CallContext(string apiVersion, SObjectRecord user, RequestLogEntry entry, FaultRule recordFault, int batchSize = 2000)
        : this(apiVersion, user, entry, recordFault, new OrgTransaction { ActorId = user?.Id }, new List<OrgTransaction>(), batchSize) { }

    private CallContext(string apiVersion, SObjectRecord user, RequestLogEntry entry, FaultRule recordFault,
        OrgTransaction transaction, List<OrgTransaction> transactions, int batchSize)
    {
        BatchSize = batchSize;
        ApiVersion = apiVersion;
        User = user;
        Entry = entry;
        RecordFault = recordFault;
        Transaction = transaction;
        this.transactions = transactions;
        transactions.Add(transaction);
    }

    public string ApiVersion { get; }
    /// <summary>http(s)://127.0.0.1:PORT as the caller reached us, for absolute URLs in answers.</summary>
    public string Origin { get; init; }
    public SObjectRecord User { get; }
    public RequestLogEntry Entry { get; }
    /// <summary>An UnableToLockRow or RecordError rule failing chosen records of this call; null when none fired.</summary>
    public FaultRule RecordFault { get; }
    public OrgTransaction Transaction { get; }
    /// <summary>The query page size the request asked for (Sforce-Query-Options: batchSize=n).</summary>
    public int BatchSize { get; }

    /// <summary>A subrequest of a composite request: same transaction, its own API version.</summary>
    public CallContext InSameTransaction(string apiVersion) => new(apiVersion, User, Entry, RecordFault, Transaction, transactions, BatchSize) { Origin = Origin };

    /// <summary>A subrequest of a composite batch: a transaction of its own.</summary>
    public CallContext InNewTransaction(string apiVersion) =>
        new(apiVersion, User, Entry, RecordFault, new OrgTransaction { ActorId = User?.Id }, transactions, BatchSize) { Origin = Origin };

    /// <summary>The record write a fault rule fails, or null to go ahead.</summary>
    public SalesforceError FaultFor(int index, System.Text.Json.Nodes.JsonObject input, SObjectRecord existing) =>
        RecordFault != null && RecordFault.SelectsRecord(index, input, existing) ? RecordFault.RecordErrorFor(existing?.Id) : null;

    public int RecordsWritten => transactions.Distinct().Sum(t => t.RecordsWritten);

    public int RecordsProcessed => transactions.Distinct().Sum(t => t.RecordsProcessed);
}
