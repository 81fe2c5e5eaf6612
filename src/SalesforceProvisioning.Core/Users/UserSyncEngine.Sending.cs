using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace SalesforceProvisioning
{
    /// <summary>
    /// Writes kept in flight while later windows are planned (<see cref="WriteSchedule"/> says when): each
    /// batch of whole calls is sent as soon as it is full and answered in the background; its results are
    /// given when a later window finds it answered, when -MaxConcurrentRequests is reached, or at the end.
    /// What a background batch shares with planning is the manager directory (locked), the writer's gate and
    /// the pool of records to send again (locked; sent on the engine's flow while the batches wait);
    /// everything else it touches is its own plans, and results are given on the engine's own flow.
    /// </summary>
    public sealed partial class UserSyncEngine
    {
        /// <summary>Plans sent and not yet given their results, and the counted calls they take.</summary>
        private sealed class SentBatch
        {
            public List<UserPlan> Plans;
            public int Calls;
            public Task<SalesforceException> Writing;
            public CancellationTokenSource Stopping;
            /// <summary>Completed when the batch waits for records to be sent again with the other batches' (under the pool's lock).</summary>
            public TaskCompletionSource<bool> Pooled = NewSignal();
        }

        /// <summary>Records a batch in flight is to send again (locked rows, creates to resend), waiting to go out with the other batches'.</summary>
        private sealed class PooledRetry
        {
            public SentBatch Batch;
            public List<RecordWrite> Writes;
            public TaskCompletionSource<SalesforceException> Done = new TaskCompletionSource<SalesforceException>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        private readonly List<PooledRetry> _pooledRetries = new List<PooledRetry>();

        private static TaskCompletionSource<bool> NewSignal() => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        private readonly List<SentBatch> _inFlight = new List<SentBatch>();

        /// <summary>Cancelled by <see cref="StopAsync"/>: batches in flight send nothing more.</summary>
        private readonly CancellationTokenSource _stopSending = new CancellationTokenSource();

        /// <summary>Batches sent while the input was still being planned (before <see cref="FinishAsync"/>).</summary>
        public int BatchesSentEarly { get; private set; }

        /// <summary>Inputs given to <see cref="ExecuteAsync"/> so far (one plan each), against <see cref="ExpectedInputs"/>.</summary>
        private long _inputsGiven;

        private bool SendsAsCallsFill => _community == null
            && WriteSchedule.SendsAsCallsFill(_bulkMode, _switchedToBulk != null, _bulkThreshold, ExpectedInputs, _inputsGiven);

        /// <summary>
        /// Sends the carried plans that fill whole calls, batch by batch, while there is room under
        /// -MaxConcurrentRequests; when there is none, waits for the oldest batch, gives its results and sends
        /// nothing more until the caller has recorded them (a store that cannot record stops the run before its
        /// next write). A report goes only once its manager's create is confirmed, so a batch never needs a second pass.
        /// </summary>
        private async Task SendWholeCallsAsync(List<SfUserSyncResult> results, CancellationToken ct)
        {
            while (true)
            {
                var eligible = _carried.Where(ManagerKnown).ToList();
                int free = _writer.MaxInFlight - _inFlight.Sum(b => b.Calls);
                int count = free > 0 ? WriteSchedule.WholeCallsReady<UserPlan>(eligible, Tally, free) : 0;
                if (count == 0)
                {
                    if (_inFlight.Count > 0 && WriteSchedule.WholeCallsReady<UserPlan>(eligible, Tally, _writer.MaxInFlight) > 0)
                        await CollectAsync(_inFlight.Take(1).ToList(), results, failCarriedOnStop: true).ConfigureAwait(false);
                    return;
                }
                var batch = eligible.GetRange(0, count);
                // A manager whose reports went out before it (in a batch still in flight) links them in its own
                // batch: their results must be given first.
                if (ManagesReportsInFlight(batch)) await CollectAsync(_inFlight.ToList(), results, failCarriedOnStop: true).ConfigureAwait(false);
                Send(batch, ct);
            }
        }

        private void Send(List<UserPlan> batch, CancellationToken ct)
        {
            var taken = new HashSet<UserPlan>(batch);
            _carried.RemoveAll(taken.Contains);
            var calls = new CompositeWriter.CallTally();
            foreach (UserPlan plan in batch)
            {
                // Out of the carried reports: a manager planned later no longer changes a plan being written.
                ForgetCarriedReport(plan);
                if (plan.PendingManagerKey != null && Org.Managers.Find(plan.PendingManagerKey, out string managerId) == ManagerLookup.Found) SetManager(plan, managerId);
                Tally(plan, calls);
            }
            var reports = TakeWrittenReports(batch);
            var sent = new SentBatch { Plans = batch, Calls = calls.Calls, Stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopSending.Token) };
            sent.Writing = Task.Run(() => WriteBatchAsync(batch, reports, sent, sent.Stopping.Token));
            _inFlight.Add(sent);
            BatchesSentEarly++;
        }

        /// <summary>
        /// How many carried plans of a Communities run to write now: as many as fill whole calls, the contacts to
        /// create and the users' writes alike (under -UseBulkApi Always, a job's worth), written before the next
        /// window is planned. Never in flight: a later window finds the contacts this batch created, and the
        /// contacts still carried are known to it by <see cref="CommunityLinker"/> (one contact per person).
        /// </summary>
        private int CommunityPlansReadyToWrite()
            => _bulkMode == SfBulkApiMode.Always ? PlansReadyToWrite() : WriteSchedule.WholeCallsReady<UserPlan>(_carried, Tally, int.MaxValue);

        /// <summary>A plan that may go now: no manager to wait for, or its manager known (in the org, or its create confirmed).</summary>
        private bool ManagerKnown(UserPlan plan)
            => plan.PendingManagerKey == null || Org.Managers.Find(plan.PendingManagerKey, out _) == ManagerLookup.Found;

        private bool ManagesReportsInFlight(List<UserPlan> batch)
        {
            var unfound = new HashSet<string>(_inFlight.SelectMany(b => b.Plans).Select(p => p.UnfoundManagerKey).Where(k => k != null), StringComparer.OrdinalIgnoreCase);
            return unfound.Count > 0 && batch.Any(p => p.Source.KeyValue(Org.Managers.KeyField) is string key && unfound.Contains(key));
        }

        /// <summary>The writes of a plan as the writer packs them: user writes, then each access phase in calls of its own.</summary>
        private static void Tally(UserPlan plan, CompositeWriter.CallTally calls)
        {
            if (plan.NewContact != null) calls.Add(-1, WriteKind.Create, "Contact"); // Communities: in calls of its own, before the users
            if (plan.CreatesUser) calls.Add(0, WriteKind.Create, "User");
            if (plan.UpdatesUser || (!plan.CreatesUser && plan.PendingManagerKey != null)) calls.Add(0, WriteKind.Update, "User");
            if (plan.Freeze.HasValue) calls.Add(0, WriteKind.Update, "UserLogin");
            foreach (AccessChange change in plan.Access) calls.Add(1 + AccessPhase(change), AccessWriteKind(change), AccessType(change));
        }

        /// <summary>
        /// Waits for these sent batches and gives their plans' results. A stop in one (API limit, revoked
        /// credentials, Ctrl+C) waits for every other batch in flight too (what they wrote counts), fails the
        /// plans still carried when <paramref name="failCarriedOnStop"/> (a person must act; never sent), and is rethrown.
        /// </summary>
        private async Task CollectAsync(List<SentBatch> batches, List<SfUserSyncResult> results, bool failCarriedOnStop)
        {
            Exception stopped = null;
            var queue = new Queue<SentBatch>(batches);
            // Waiting for one is waiting for all in flight: their records to send again go out together.
            if (batches.Any(b => !b.Writing.IsCompleted)) await SettleAsync(_inFlight.ToList()).ConfigureAwait(false);
            while (queue.Count > 0)
            {
                SentBatch batch = queue.Dequeue();
                _inFlight.Remove(batch);
                SalesforceException stop = null;
                try
                {
                    await SettleAsync(new[] { batch }).ConfigureAwait(false);
                    stop = await batch.Writing.ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    stopped = stopped ?? ex;
                }
                batch.Stopping.Dispose();
                GiveResults(batch.Plans, stop, results);
                stopped = stopped ?? stop;
                if (stopped != null && queue.Count == 0) foreach (SentBatch other in _inFlight.ToList()) queue.Enqueue(other);
            }
            if (stopped == null) return;
            if (failCarriedOnStop && stopped is SalesforceException person) FailCarried(person, results);
            ExceptionDispatchInfo.Capture(stopped).Throw();
        }

        /// <summary>
        /// Called by a batch in flight (on its own flow) with the records its first round is to send again:
        /// they wait, so that the batches in flight send theirs together in one round (one call for the locked
        /// rows of several batches, as when every write waits for the end of the input), sent when the run needs
        /// one of these batches' results (<see cref="SettleAsync"/>). Returns the stop that ended the rounds.
        /// </summary>
        private Task<SalesforceException> PoolRetriesAsync(SentBatch batch, List<RecordWrite> writes)
        {
            var retry = new PooledRetry { Batch = batch, Writes = writes };
            lock (_pooledRetries)
            {
                _pooledRetries.Add(retry);
                batch.Pooled.TrySetResult(true);
            }
            return retry.Done.Task;
        }

        /// <summary>
        /// Waits until each of these batches is answered or waits for records to be sent again, then sends every
        /// waiting batch's records together (the later rounds of <see cref="WriteUsersAsync"/>, on this flow: the
        /// waiting batches touch nothing meanwhile), and again until these batches are answered. A stop (Ctrl+C,
        /// <see cref="StopAsync"/>) sends none of them: the batches' token is cancelled, so their rows are not sent.
        /// </summary>
        private async Task SettleAsync(IReadOnlyList<SentBatch> batches)
        {
            while (true)
            {
                var open = batches.Where(b => !b.Writing.IsCompleted).ToList();
                if (open.Count == 0) return;
                Task[] waits;
                lock (_pooledRetries) waits = open.Select(b => Task.WhenAny(b.Writing, b.Pooled.Task)).ToArray();
                await Task.WhenAll(waits).ConfigureAwait(false);
                List<PooledRetry> retries;
                lock (_pooledRetries)
                {
                    retries = _pooledRetries.ToList();
                    _pooledRetries.Clear();
                    foreach (PooledRetry retry in retries) retry.Batch.Pooled = NewSignal();
                }
                if (retries.Count > 0) await SendPooledRetriesAsync(retries).ConfigureAwait(false);
            }
        }

        private async Task SendPooledRetriesAsync(List<PooledRetry> retries)
        {
            try
            {
                // Every batch's token is the run's, linked with StopAsync's.
                var (stop, _) = await WriteRoundsAsync(retries.SelectMany(r => r.Writes).ToList(), 1, MaxWriteRounds, retries[0].Batch.Stopping.Token).ConfigureAwait(false);
                foreach (PooledRetry retry in retries) retry.Done.TrySetResult(stop);
            }
            catch (Exception ex)
            {
                foreach (PooledRetry retry in retries) retry.Done.TrySetException(ex);
            }
        }

        /// <summary>
        /// Waits for the batches in flight and gives their results, sending nothing: the caller records them
        /// before the rest is sent (<see cref="FinishAsync"/>). A stop in one fails the carried plans and is rethrown.
        /// </summary>
        public Task CollectSentAsync(List<SfUserSyncResult> results) => CollectAsync(_inFlight.ToList(), results, failCarriedOnStop: true);

        /// <summary>
        /// The run is being stopped by its caller (Ctrl+C, a failure outside the writes, a state store that cannot
        /// record): nothing more is sent; waits for the batches in flight and gives their results. Plans still
        /// carried were never sent and get none here.
        /// </summary>
        public async Task StopAsync(List<SfUserSyncResult> results)
        {
            _stopSending.Cancel();
            try
            {
                await CollectAsync(_inFlight.ToList(), results, failCarriedOnStop: false).ConfigureAwait(false);
            }
            catch (SalesforceException) { } // each plan of the batch that met it says so in its result
            catch (OperationCanceledException) { }
        }

        /// <summary>The plans still carried were never sent: a stop a person must act on ends the run, and they say so.</summary>
        private void FailCarried(SalesforceException stop, List<SfUserSyncResult> results)
        {
            foreach (UserPlan plan in _carried)
            {
                FailUnwritten(plan, stop);
                _licences.Settle(plan);
                results.Add(plan.ToResult(whatIf: false));
            }
            _carried.Clear();
            _carriedReportsOfUnfoundManagers.Clear();
        }
    }
}
