using System.Security.Cryptography;
using System.Text.Json.Nodes;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>Everything one emulator instance knows; guarded by the org's lock (<see cref="Sync"/>).</summary>
internal sealed class EmulatorState
{
    public EmulatorState(EmulatorOptions options, string seedJson, RSA jwtKey)
    {
        Options = options;
        Org = new EmulatorOrg(seedJson);
        Tokens = new TokenStore(TimeSpan.FromSeconds(options.TokenLifetimeSeconds), options.RotateRefreshTokens, EmulatorOrg.IntegrationUsername,
            () => Org.OrganizationId);
        Usage = new ApiUsage(options.DailyApiLimit);
        LatencyMilliseconds = options.LatencyMilliseconds;
        LatencyPerRecordMilliseconds = options.LatencyPerRecordMilliseconds;
        JwtKey = jwtKey;
    }

    public EmulatorOptions Options { get; }
    public EmulatorOrg Org { get; }
    public TokenStore Tokens { get; }
    public ApiUsage Usage { get; }
    public FaultInjector Faults { get; } = new();
    public RequestLog Log { get; } = new();
    public QueryCursors Cursors { get; } = new();
    public BulkJobs BulkJobs { get; } = new();

    /// <summary>
    /// Set (control endpoint bulk-hold): a closed ingest job processes this many rows, then stays InProgress until
    /// the hold is lifted (or raised); the next request about the job then processes the rest. Null: no hold.
    /// </summary>
    public int? BulkHoldAfterRows { get; set; }
    public RecentItems Recent { get; } = new();
    public RSA JwtKey { get; }
    /// <summary>Users the connected app is not approved for (neither by themselves nor pre-authorized by an admin).</summary>
    public HashSet<string> JwtUnapprovedUsers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public int LatencyMilliseconds { get; set; }
    public int LatencyPerRecordMilliseconds { get; set; }
    /// <summary>http://127.0.0.1:PORT, known once Kestrel has bound its port.</summary>
    public string BaseUrl { get; set; }
    /// <summary>https://127.0.0.1:PORT of the https listener.</summary>
    public string HttpsBaseUrl { get; set; }
    /// <summary>The https listener's self-signed certificate (PEM), for clients to trust.</summary>
    public string CertificatePem { get; set; }
    /// <summary>An instance_url the token endpoint announces instead of BaseUrl (to test that clients refuse foreign hosts).</summary>
    public string InstanceUrlOverride { get; set; }
    public object Sync => Org.Sync;

    /// <summary>
    /// Runs <paramref name="work"/> under the org's lock, waiting for it without holding a thread. Requests in flight
    /// wait here while one is written: blocked on the lock itself, they held the thread pool's few threads, and the
    /// server started on the requests that arrived meanwhile (even their latency's end) only as threads came free.
    /// </summary>
    public async Task<T> InTurnAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await turn.WaitAsync(cancellationToken);
        try
        {
            lock (Sync) return work();
        }
        finally
        {
            turn.Release();
        }
    }

    private readonly SemaphoreSlim turn = new(1, 1);

    /// <summary>Back to the seed, with counters, log, faults and runtime settings as at start; credentials stay valid.</summary>
    public void Reset()
    {
        lock (Sync)
        {
            Org.Reset();
            Cursors.Clear();
            BulkJobs.Clear();
            BulkHoldAfterRows = null;
            Recent.Clear();
            Log.Clear();
            Usage.Reset(Options.DailyApiLimit);
            Faults.Clear();
            LatencyMilliseconds = Options.LatencyMilliseconds;
            LatencyPerRecordMilliseconds = Options.LatencyPerRecordMilliseconds;
            InstanceUrlOverride = null;
            JwtUnapprovedUsers.Clear();
            Tokens.RotateRefreshTokens = Options.RotateRefreshTokens;
            Tokens.RestoreInitialCredentials();
        }
    }

    public EmulatorInfo Info => new()
    {
        InstanceUrl = BaseUrl,
        Domain = BaseUrl,
        ClientId = Tokens.ClientId,
        ClientSecret = Tokens.ClientSecret,
        RefreshToken = Tokens.InitialRefreshToken,
        AccessToken = Tokens.InitialAccessToken,
        Username = Tokens.InitialUsername,
        ProcessId = Environment.ProcessId,
        HttpsInstanceUrl = HttpsBaseUrl,
        CertificatePem = CertificatePem,
    };
}

/// <summary>Query results kept for nextRecordsUrl paging, keyed by a 01g... locator, with the page size asked for.</summary>
internal sealed class QueryCursors
{
    /// <summary>Oldest cursors are dropped past this many, as Salesforce limits open cursors per user.</summary>
    private const int Capacity = 200;
    private readonly Dictionary<string, Cursor> cursors = new(StringComparer.Ordinal);
    private readonly Queue<string> order = new();
    private long sequence;

    public sealed record Cursor(List<JsonObject> Records, int PageSize);

    public string Open(List<JsonObject> records, int pageSize)
    {
        string locator = SalesforceId.Create("01g", ++sequence)[..15];
        cursors[locator] = new Cursor(records, pageSize);
        order.Enqueue(locator);
        while (order.Count > Capacity) cursors.Remove(order.Dequeue());
        return locator;
    }

    public Cursor Find(string locator) => cursors.GetValueOrDefault(locator);

    public void Clear()
    {
        cursors.Clear();
        order.Clear();
    }
}
