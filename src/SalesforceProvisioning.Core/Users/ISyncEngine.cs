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
    /// Contacts. Every input of a window ends with exactly one result.
    /// </summary>
    public interface ISyncEngine
    {
        string MatchingStrategy { get; }
        Task PrepareAsync(CancellationToken ct);
        Task<IReadOnlyList<ISyncPlan>> PlanWindowAsync(IReadOnlyList<SourceUser> window, CancellationToken ct);
        Task ExecuteAsync(IReadOnlyList<ISyncPlan> plans, List<SfUserSyncResult> results, CancellationToken ct);
    }
}
