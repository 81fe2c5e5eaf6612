using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace SalesforceProvisioning
{
    /// <summary>A planned change for one input, as the cmdlets confirm and report it.</summary>
    public interface ISyncPlan
    {
        bool IsWrite { get; }
        string Operation { get; }
        string Target { get; }

        /// <summary>The admin said no at the confirmation prompt: nothing is written, the result says so.</summary>
        void Decline();

        SfUserSyncResult ToResult(bool whatIf);
    }

    /// <summary>
    /// What Sync-SfUser drives, window by window: users (Salesforce and Communities targets) or Leads and
    /// Contacts. Every input ends with exactly one result, by the end of <see cref="FinishAsync"/>.
    /// </summary>
    public interface ISyncEngine
    {
        string MatchingStrategy { get; }
        Task PrepareAsync(CancellationToken ct);
        Task<IReadOnlyList<ISyncPlan>> PlanWindowAsync(IReadOnlyList<SourceUser> window, CancellationToken ct);
        /// <summary>Writes what the plans need; may carry writes to a later window (their results come then).</summary>
        Task ExecuteAsync(IReadOnlyList<ISyncPlan> plans, List<SfUserSyncResult> results, CancellationToken ct);

        /// <summary>The end of the input: writes everything still carried and adds the results.</summary>
        Task FinishAsync(List<SfUserSyncResult> results, CancellationToken ct);

        /// <summary>Waits for the writes already sent (still in flight) and adds their results; sends nothing.</summary>
        Task CollectSentAsync(List<SfUserSyncResult> results);

        /// <summary>
        /// The run stops early (Ctrl+C, a failure, a store that cannot record): sends nothing more, waits for the
        /// writes already sent (they may still be in flight) and adds their results; carried writes never sent get none.
        /// </summary>
        Task StopAsync(List<SfUserSyncResult> results);
    }
}
