using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The writer choice of a user sync (-UseBulkApi): user creates and updates go as composite collections
    /// or, for large loads, as Bulk API 2.0 ingest jobs (<see cref="BulkIngest"/>); LifecyclePolicy decides
    /// which. Freezes and the access that follows a user write (permission sets, permission set groups and
    /// licences, public groups) always use the composite path, after the user writes as before.
    /// </summary>
    public sealed partial class UserSyncEngine
    {
        /// <summary>
        /// Creates and updates carried before a bulk run sends them as a job (about five counted calls); the end of
        /// the input sends the rest. Measured (bench --bulk): 100,000 held plans (JSON trees) peaked near 1 GB; packed
        /// (<see cref="UserPlan.Pack"/>) a held plan takes about 1.9 KB, and 100,000 creates in two jobs peak near 380 MB.
        /// </summary>
        public const int BulkJobRecords = 50000;

        private SfBulkApiMode _bulkMode = SfBulkApiMode.Auto;
        private int _bulkThreshold = LifecyclePolicy.DefaultBulkApiThreshold;
        private IBulkJobJournal _bulkJournal;
        private BulkIngest _ingest;
        private WritePathDecision _switchedToBulk;
        private long _plannedUserWrites;
        private readonly List<ResumedBulkJob> _resumedJobs = new List<ResumedBulkJob>();
        // What resumed jobs did, by Username (insert jobs) and by 15-character Id (update jobs), taken by the plan it belongs to.
        private readonly Dictionary<string, (ResumedBulkJob Job, BulkRecordResult Record)> _resumedInserts = new Dictionary<string, (ResumedBulkJob, BulkRecordResult)>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, (ResumedBulkJob Job, BulkRecordResult Record)> _resumedUpdates = new Dictionary<string, (ResumedBulkJob, BulkRecordResult)>(StringComparer.Ordinal);

        /// <summary>-UseBulkApi and -BulkApiThreshold; the journal (a rule's state store) keeps job ids for resuming.</summary>
        public void UseBulkApi(SfBulkApiMode mode, int threshold, IBulkJobJournal journal)
        {
            _bulkMode = mode;
            _bulkThreshold = Math.Max(1, threshold);
            _bulkJournal = journal;
        }

        /// <summary>Jobs an interrupted earlier run left running, followed to their end before this run planned anything.</summary>
        public IReadOnlyList<ResumedBulkJob> ResumedBulkJobs => _resumedJobs;

        /// <summary>Ids of the Bulk API 2.0 jobs this run submitted.</summary>
        public IReadOnlyList<string> BulkJobIds => (IReadOnlyList<string>)_ingest?.JobIds ?? Array.Empty<string>();

        private BulkIngest Ingest => _ingest ?? (_ingest = new BulkIngest(_client, _bulkJournal, _connection.RetryBaseDelay));

        /// <summary>
        /// The write path of this run as the summary states it: the one taken, or (under -WhatIf, where nothing
        /// is written) the one the planned creates and updates would take, and why; null when there are none.
        /// </summary>
        public WritePathDecision DescribeWritePath(bool whatIf)
        {
            if (_switchedToBulk != null) return _switchedToBulk;
            if (BulkJobIds.Count > 0) return LifecyclePolicy.ForUserWrites(_bulkMode, _bulkThreshold, _plannedUserWrites, false, 0);
            return whatIf && _plannedUserWrites > 0 ? LifecyclePolicy.ForUserWrites(_bulkMode, _bulkThreshold, _plannedUserWrites, false, 0) : null;
        }

        /// <summary>
        /// Follows the jobs a stopped run left in the journal to their end (an Open one, never closed, is aborted)
        /// before anything is planned, and keeps what they did to each record: their creates are then found by the
        /// matching like any user (nothing is submitted twice) and reported as the job left them
        /// (<see cref="TakeResumedJobResult"/>). A job Salesforce no longer knows (deleted after seven days) is let go.
        /// </summary>
        private async Task ResumeBulkJobsAsync(CancellationToken ct)
        {
            if (_bulkJournal == null) return;
            foreach (string jobId in _bulkJournal.PendingJobs())
            {
                ResumedBulkJob job;
                try
                {
                    job = await Ingest.ResumeAsync(jobId, "Username", ct).ConfigureAwait(false);
                }
                catch (SalesforceApiException ex) when (ex.ErrorCode == "NOT_FOUND")
                {
                    _bulkJournal.JobFinished(jobId);
                    continue;
                }
                _resumedJobs.Add(job);
                if (job.Info.Object != "User") continue;
                foreach (BulkRecordResult record in job.Records)
                {
                    if (job.Info.Operation == "insert") _resumedInserts[record.Key] = (job, record);
                    else if (job.Info.Operation == "update") _resumedUpdates[UserOrgContext.Id15(record.Key)] = (job, record);
                }
            }
        }

        /// <summary>
        /// The truth about an input a resumed job wrote, told by the run that followed the job to its end (the stopped
        /// run never knew it, and its record does not count it): a user the job created, now matched, is reported
        /// Created (and one it updated Updated), with a note naming the job and its run; a record the job failed is
        /// that record's failure when this run would send the very same values again (a lock conflict is just sent
        /// again); a record the job never processed is planned and written by this run like any other.
        /// </summary>
        private void TakeResumedJobResult(UserPlan plan)
        {
            if (plan.Action == SfSyncAction.Failed || plan.Action == SfSyncAction.Skipped) return;
            (ResumedBulkJob Job, BulkRecordResult Record) taken;
            bool insert;
            if (plan.Username != null && _resumedInserts.TryGetValue(plan.Username, out taken)) { _resumedInserts.Remove(plan.Username); insert = true; }
            else if (plan.UserId != null && _resumedUpdates.TryGetValue(UserOrgContext.Id15(plan.UserId), out taken)) { _resumedUpdates.Remove(UserOrgContext.Id15(plan.UserId)); insert = false; }
            else return;
            var (job, record) = taken;
            string by = $"Bulk API 2.0 job {job.Info.Id} of {job.SubmittedBy}, which did not see the job finish";
            if (record.Success)
            {
                if (plan.UserId == null || record.Id == null || UserOrgContext.Id15(plan.UserId) != UserOrgContext.Id15(record.Id)) return;
                plan.ReportedAs = insert && record.Created ? SfSyncAction.Created : SfSyncAction.Updated;
                plan.ReportedNote = $"{(plan.ReportedAs == SfSyncAction.Created ? "Created" : "Updated")} by {by}; this run followed the job to its end and reports it";
                return;
            }
            JObject write = insert ? plan.Create : plan.Update;
            if (write == null || CompositeWriter.TransientErrorCodes.Contains(record.ErrorCode)) return;
            if (BulkIngest.SameUpload(record.Uploaded, write, insert ? null : plan.UserId))
                plan.Fail(record.ErrorCode, $"{record.Message}{(record.Fields?.Count > 0 ? $" (fields: {string.Join(", ", record.Fields)})" : "")} (reported by {by}; the same values were not sent again.)", Remedies.For(record.ErrorCode));
        }

        /// <summary>
        /// Once this rule run has recorded every result (its input ended), the jobs it followed leave the journal, and
        /// the record of each run whose job it was says what the job did after that run stopped. Not before: a run
        /// that stops (or only asks -WhatIf) before recording what a job did leaves the job to the next run, which
        /// follows it again, so the users it created are never lost to the rule.
        /// </summary>
        /// <returns>A warning for each job that created users whose input this run did not have: nothing records them for the rule.</returns>
        public IReadOnlyList<string> FinishResumedJobs(long thisRunId)
        {
            var warnings = new List<string>();
            foreach (ResumedBulkJob job in _resumedJobs)
            {
                List<string> unknown = _resumedInserts.Where(r => r.Value.Job == job && r.Value.Record.Success).Select(r => r.Key).OrderBy(u => u, StringComparer.OrdinalIgnoreCase).ToList();
                if (unknown.Count > 0)
                    warnings.Add($"Bulk API 2.0 {job.Info.Operation} {job.Info.Object} job {job.Info.Id} created {unknown.Count} user(s) whose input this run did not have ({string.Join(", ", unknown.Take(5))}{(unknown.Count > 5 ? ", ..." : "")}): " +
                        "the rule has no record of them, so it neither updates nor deprovisions them until they come back in its input (they are then matched by Username, never created twice). " +
                        "Check them in Salesforce, or run the rule with its whole scope.");
                if (job.RunId != null && job.RunId != thisRunId)
                    _bulkJournal?.NoteOnRun(job.RunId.Value,
                        $"Its Bulk API 2.0 {job.Info} went on after the run stopped following it; run {thisRunId} followed it to its end, and reports and counts its records " +
                        $"({job.Succeeded} written, {job.Failed} failed; records it never processed were written by run {thisRunId}).");
                _bulkJournal?.JobFinished(job.Info.Id);
            }
            return warnings;
        }

        private BulkQuery _query;
        private ReadPathDecision _scanPath;

        /// <summary>How the scan of every user was read, and why; null when the run read users by key only.</summary>
        public ReadPathDecision DescribeReadPath() => _scanPath;

        /// <summary>Ids of the Bulk API 2.0 query jobs this run read through.</summary>
        public IReadOnlyList<string> BulkQueryJobIds => (IReadOnlyList<string>)_query?.JobIds ?? Array.Empty<string>();

        /// <summary>The scan's read path for this run, as the policy decides it from -UseBulkApi and the run's size.</summary>
        private ReadPathDecision ScanPath()
            => LifecyclePolicy.ForUserScan(_bulkMode, _bulkThreshold, Math.Max(ExpectedInputs, _orgUserCount), CompositeScanCalls(), BulkQuery.CallsFor(_orgUserCount));

        /// <summary>Counted calls a scan of the org's users costs on this path.</summary>
        private long ScanCalls(ReadPathDecision path)
            => path.IsBulk ? BulkQuery.CallsFor(_orgUserCount) : CompositeScanCalls();

        private long CompositeScanCalls() => Math.Max(1, (_orgUserCount + ScanRecordsPerCall - 1) / ScanRecordsPerCall);

        /// <summary>
        /// Reads every user through a Bulk API 2.0 query job into the scan's index: each CSV row's values by the
        /// select list's fields (columns found by name, whatever their order), typed as the JSON reads type them.
        /// </summary>
        private async Task ScanThroughQueryJobAsync(string soql, CancellationToken ct)
        {
            if (_query == null) _query = new BulkQuery(_client, _connection.RetryBaseDelay);
            string[] types = _selectFieldList.Select(f => Org.UserDescribe.Field(f)?.Type).ToArray();
            string[] header = null;
            int[] columnOf = null;
            await _query.RunAsync(soql, (pageHeader, row) =>
            {
                if (!ReferenceEquals(pageHeader, header))
                {
                    header = pageHeader;
                    columnOf = _selectFieldList.Select(f => Array.FindIndex(pageHeader, h => string.Equals(h, f, StringComparison.OrdinalIgnoreCase))).ToArray();
                }
                var values = new object[columnOf.Length];
                for (int i = 0; i < values.Length; i++)
                    values[i] = columnOf[i] >= 0 && columnOf[i] < row.Length ? BulkQuery.Value(types[i], row[columnOf[i]]) : null;
                _scannedUsers.Add(values);
            }, ct).ConfigureAwait(false);
        }

        private void CountPlannedUserWrites(IEnumerable<UserPlan> plans)
            => _plannedUserWrites += plans.Where(p => p.Action != SfSyncAction.Failed).Sum(p => (p.CreatesUser ? 1 : 0) + (p.UpdatesUser ? 1 : 0));

        /// <summary>
        /// Whether carried plans keep their writes packed (<see cref="UserPlan.Pack"/>): in runs that may hold them for
        /// a Bulk API 2.0 job (Auto holds them until the threshold, a bulk run a job's worth). Measured (bench --bulk,
        /// 100,000 creates): a held plan took about 4.8 KB, over half of it the JSON tree of its create.
        /// </summary>
        private bool PacksCarriedWrites => _bulkMode != SfBulkApiMode.Never && _community == null;

        private long CarriedUserWrites() => _carried.Sum(p => (p.CreatesUser ? 1 : 0) + (p.UpdatesUser ? 1 : 0));

        /// <summary>
        /// How many carried plans to write now, when the run is not sure to write through composite collections
        /// (those send whole calls as they fill, see <see cref="WriteSchedule"/>): under Auto the writes are held
        /// until the run's pending creates and updates reach the threshold (then the run is a bulk run), or the
        /// input ends; a bulk run sends a job once a job's worth is carried.
        /// </summary>
        private int PlansReadyToWrite()
        {
            long pending = CarriedUserWrites();
            if (_bulkMode == SfBulkApiMode.Auto && _switchedToBulk == null)
            {
                WritePathDecision decision = LifecyclePolicy.ForUserWrites(_bulkMode, _bulkThreshold, pending, false, 0);
                if (!decision.IsBulk) return 0;
                _switchedToBulk = decision;
            }
            return pending >= BulkJobRecords ? _carried.Count : 0;
        }

        /// <summary>
        /// One round of user writes through the path the policy chooses: user creates and updates as a Bulk API
        /// 2.0 job or composite collections; the rest (UserLogin freezes) always as composite collections.
        /// </summary>
        private async Task WriteRecordsAsync(IReadOnlyList<RecordWrite> pending, List<RecordOutcome> outcomes, CancellationToken ct)
        {
            var userWrites = pending.Where(w => w.SObjectType == "User" && w.Kind != WriteKind.Delete).ToList();
            WritePathDecision path = LifecyclePolicy.ForUserWrites(_bulkMode, _bulkThreshold, userWrites.Count, _switchedToBulk != null, userWrites.Count);
            if (!path.IsBulk || userWrites.Count == 0)
            {
                await _writer.WriteAsync(pending, outcomes, ct).ConfigureAwait(false);
                return;
            }
            var others = pending.Where(w => !(w.SObjectType == "User" && w.Kind != WriteKind.Delete)).ToList();
            SalesforceException stop = null;
            try
            {
                await Ingest.WriteAsync(userWrites, "Username", outcomes, ct).ConfigureAwait(false);
            }
            catch (SalesforceException ex)
            {
                stop = ex;
            }
            catch (OperationCanceledException)
            {
                // Stopped while a closed job runs: its records are the job's, reported by the rule run that follows it.
                foreach (RecordOutcome left in Ingest.LeftRunning) ((UserPlan)left.Write.Tag).LeftInBulkJob = left.Message;
                outcomes.AddRange(Ingest.LeftRunning);
                Ingest.LeftRunning.Clear();
                throw;
            }
            if (others.Count > 0)
            {
                if (stop == null) await _writer.WriteAsync(others, outcomes, ct).ConfigureAwait(false);
                else outcomes.AddRange(others.Select(w => CompositeWriter.StoppedOutcome(w, stop)));
            }
            if (stop != null) throw stop;
        }
    }
}
