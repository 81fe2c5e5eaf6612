using System;
using System.IO;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RestSharp;

namespace SalesforceProvisioning
{
    /// <summary>Where the Bulk API 2.0 jobs of a run are written down before they are polled, so a later run can resume them.</summary>
    public interface IBulkJobJournal
    {
        void JobStarted(string jobId, string sObjectType, string operation);

        void JobFinished(string jobId);

        IReadOnlyList<string> PendingJobs();

        /// <summary>The rule run that submitted the job (the last run of the scope started before it), or null.</summary>
        long? RunOf(string jobId);

        /// <summary>Adds a note to a run's record (its error text), for example what its job did after it stopped.</summary>
        void NoteOnRun(long runId, string note);
    }

    /// <summary>
    /// A job a stopped run left running, followed to its end by a later run: its info, the run that submitted it,
    /// and what it did to each record it processed (from successfulResults and failedResults).
    /// </summary>
    public sealed class ResumedBulkJob
    {
        public ResumedBulkJob(BulkJobInfo info, long? runId, IReadOnlyList<BulkRecordResult> records)
        {
            Info = info;
            RunId = runId;
            Records = records;
        }

        public BulkJobInfo Info { get; }
        public long? RunId { get; }
        public IReadOnlyList<BulkRecordResult> Records { get; }

        /// <summary>Who submitted the job, for messages: "run 12" or "an earlier run".</summary>
        public string SubmittedBy => RunId != null ? "run " + RunId.Value.ToString(CultureInfo.InvariantCulture) : "an earlier run";

        public int Succeeded => Records.Count(r => r.Success);
        public int Failed => Records.Count(r => !r.Success);
    }

    /// <summary>One processed record of a resumed job: its key (the insert key field's value, or the Id of an update), and what happened.</summary>
    public sealed class BulkRecordResult
    {
        public string Key { get; internal set; }
        public string Id { get; internal set; }
        public bool Success { get; internal set; }
        public bool Created { get; internal set; }
        public string ErrorCode { get; internal set; }
        public string Message { get; internal set; }
        public IReadOnlyList<string> Fields { get; internal set; }

        /// <summary>The uploaded values of a failed record by column, to tell whether a later write would be the same one.</summary>
        public IReadOnlyDictionary<string, string> Uploaded { get; internal set; }
    }

    /// <summary>A Bulk API 2.0 job's state and counts, as Get Job Info reports them.</summary>
    public sealed class BulkJobInfo
    {
        public BulkJobInfo(JObject info)
        {
            Id = info.Value<string>("id");
            State = info.Value<string>("state");
            Object = info.Value<string>("object");
            Operation = info.Value<string>("operation");
            RecordsProcessed = info.Value<long?>("numberRecordsProcessed") ?? 0;
            RecordsFailed = info.Value<long?>("numberRecordsFailed") ?? 0;
            ErrorMessage = info.Value<string>("errorMessage");
        }

        public string Id { get; }
        public string State { get; }
        public string Object { get; }
        public string Operation { get; }
        public long RecordsProcessed { get; }
        public long RecordsFailed { get; }
        public string ErrorMessage { get; }

        /// <summary>JobComplete, Failed or Aborted: Salesforce does nothing more with the job ("Job States").</summary>
        public bool IsFinished => State == "JobComplete" || State == "Failed" || State == "Aborted";

        public override string ToString() => $"{Operation} {Object} job {Id}: {State}, {RecordsProcessed} processed, {RecordsFailed} failed" + (ErrorMessage != null ? $" ({ErrorMessage})" : "");
    }

    /// <summary>
    /// Writes records through Bulk API 2.0 ingest jobs, one job per object and operation: create the job
    /// (written down in the journal at once), upload the CSV, mark it UploadComplete, poll it with back-off
    /// until JobComplete, Failed or Aborted, then read successfulResults, failedResults and
    /// unprocessedrecords, and give every record exactly one outcome.
    /// </summary>
    /// <remarks>
    /// Followed: Salesforce's "Bulk API 2.0 and Bulk API Developer Guide"
    /// (https://developer.salesforce.com/docs/platform/api-asynch/guide/bulk-api-2-0-ingest.html): Create a Job,
    /// Upload Job Data (one upload per job), Upload Complete ("required for every Bulk API 2.0 ingest job"),
    /// Job States (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_bulk_v2/bulk_api_2_job_states.htm),
    /// Get Job Successful Record Results (sf__Id, sf__Created, then the uploaded columns; "the order of records
    /// in the response is not guaranteed to match the ordering of records in the original job data"), Get Job
    /// Failed Record Results (sf__Id, sf__Error, then the uploaded columns) and Get Job Unprocessed Record Results
    /// ("unprocessed rows are not the same as failed rows"). Results are therefore matched back by a key column
    /// (Id for updates, the caller's unique field such as Username for inserts), never by position.
    /// CSV as "Prepare CSV Files" and "Valid CSV Record Rows" say
    /// (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_prepare_csv.htm):
    /// UTF-8, a header row of API field names, lineEnding LF and columnDelimiter COMMA named in the job, every
    /// value in double quotes with quotes doubled, an empty value ignored and #N/A to set a field to null; an
    /// upload stays under 100 MB (Salesforce converts it to base64, about 50% larger, within its 150 MB).
    /// </remarks>
    public sealed class BulkIngest
    {
        /// <summary>Upload size per job: 100 MB of CSV, as "Prepare CSV Files" advises.</summary>
        public const long MaxUploadBytes = 100L * 1024 * 1024;

        /// <summary>Counted calls of a job that processes every record without a failure: create, upload, close, one poll, successfulResults.</summary>
        public const int CallsPerCleanJob = 5;

        private static readonly TimeSpan MaxPollDelay = TimeSpan.FromSeconds(60);

        private readonly SalesforceClient _client;
        private readonly IBulkJobJournal _journal;
        private readonly TimeSpan _firstPollDelay;

        public BulkIngest(SalesforceClient client, IBulkJobJournal journal, TimeSpan firstPollDelay)
        {
            _client = client;
            _journal = journal;
            _firstPollDelay = firstPollDelay;
        }

        /// <summary>Ids of the jobs this instance ran (for the summary).</summary>
        public List<string> JobIds { get; } = new List<string>();

        /// <summary>The error code of a record whose closed job went on processing without the run (stopped, or its polls failed).</summary>
        public const string JobLeftRunningCode = "BulkJobInProgress";

        /// <summary>Records of the job a stop (Ctrl+C) left processing in Salesforce: their outcome is the job's, known later.</summary>
        public List<RecordOutcome> LeftRunning { get; } = new List<RecordOutcome>();

        /// <summary>Counted calls the last jobs' polls took (the back-off keeps them few).</summary>
        public int Polls { get; private set; }

        /// <summary>
        /// Writes creates and updates (never deletes) in one job per object and operation (split where the CSV
        /// would pass 100 MB) and adds one outcome per record to <paramref name="outcomes"/>. Creates are matched
        /// back by <paramref name="insertKeyField"/>, which must be unique among them. A failure a person must fix
        /// (limits, credentials) ends the writes: every record of the job it met has its outcome in
        /// <paramref name="outcomes"/> before it is rethrown, but the records of the jobs after it (not started)
        /// get none; the caller gives those their result (UserSyncEngine: never sent, so NotSent).
        /// </summary>
        public async Task WriteAsync(IReadOnlyList<RecordWrite> writes, string insertKeyField, List<RecordOutcome> outcomes, CancellationToken ct)
        {
            foreach (var group in writes.GroupBy(w => (w.SObjectType, w.Kind)))
            {
                if (group.Key.Kind == WriteKind.Delete) throw new ArgumentException("Bulk ingest here writes creates and updates only.", nameof(writes));
                string keyField = group.Key.Kind == WriteKind.Create ? insertKeyField : "Id";
                foreach (var (chunk, csv) in Chunks(group.ToList(), keyField))
                {
                    var (jobOutcomes, stop) = await RunJobAsync(group.Key.SObjectType, group.Key.Kind, chunk, csv, keyField, ct).ConfigureAwait(false);
                    outcomes.AddRange(jobOutcomes);
                    if (stop != null) throw stop;
                }
            }
        }

        /// <summary>One job's outcomes, and the failure a person must fix that ended it, if any.</summary>
        private async Task<(List<RecordOutcome>, SalesforceException)> RunJobAsync(string sObjectType, WriteKind kind, List<RecordWrite> writes, Upload csv, string keyField, CancellationToken ct)
        {
            string operation = kind == WriteKind.Create ? "insert" : "update";
            string jobId = null;
            try
            {
                // The job create is repeatable: a job created twice stays Open and empty, and processes nothing.
                var request = new JObject { ["object"] = sObjectType, ["operation"] = operation, ["contentType"] = "CSV", ["lineEnding"] = "LF", ["columnDelimiter"] = "COMMA" };
                JToken created = await _client.SendAsync(Method.Post, _client.DataPath("jobs/ingest"), request, repeatable: true, ct).ConfigureAwait(false);
                jobId = created.Value<string>("id");
                JobIds.Add(jobId);
                _journal?.JobStarted(jobId, sObjectType, operation);
                string jobPath = _client.DataPath("jobs/ingest/" + jobId);
                // The CSV (tens of MB) is written into the request as it is sent, never held as one text; a retried
                // upload writes it again from the writes.
                await _client.SendStreamedAsync(Method.Put, jobPath + "/batches", csv.Content, "application/json", repeatable: true, ct).ConfigureAwait(false);
            }
            catch (SalesforceException ex)
            {
                // Never closed, so nothing was processed: the records are not written (an open job is aborted).
                if (jobId != null && !ex.NeedsPerson) await AbortQuietlyAsync(jobId, ct).ConfigureAwait(false);
                return (Failed(writes, "NotProcessed", $"Creating or uploading the Bulk API 2.0 job failed ({ex.Message}); nothing of it was written.", unknown: false), ex.NeedsPerson ? ex : null);
            }

            try
            {
                try
                {
                    await _client.SendAsync(Method.Patch, _client.DataPath("jobs/ingest/" + jobId), new JObject { ["state"] = "UploadComplete" }, repeatable: true, ct).ConfigureAwait(false);
                }
                catch (SalesforceApiException ex) when (ex.ErrorCode == "INVALIDJOBSTATE" && ex.AnswerLost)
                {
                    // A resent close whose first attempt went through: the job is already closed; poll it.
                }
                BulkJobInfo info = await PollAsync(jobId, ct).ConfigureAwait(false);
                List<RecordOutcome> outcomes = await ReadOutcomesAsync(info, writes, keyField, ct).ConfigureAwait(false);
                _journal?.JobFinished(jobId);
                return (outcomes, null);
            }
            catch (OperationCanceledException)
            {
                // Stopped while Salesforce processes the closed job: it goes on without us. Its records are left to
                // the job (it stays in the journal; the next rule run follows it and reports them), never guessed.
                LeftRunning.AddRange(LeftToJob(writes, jobId, "was processing this record when the run stopped"));
                throw;
            }
            catch (SalesforceException ex) when (_journal != null)
            {
                // The job may still be processing and stays in the journal: the next rule run follows it to its end and
                // reports (and counts) its records. This run leaves them to the job, as a stopped run does; reading them
                // back now would report, and count, records that run reports again.
                return (LeftToJob(writes, jobId, $"was closed, but following it failed ({ex.Message})"), ex.NeedsPerson ? ex : null);
            }
            catch (SalesforceException ex)
            {
                // No journal (no rule), so no later run follows the job: its outcome is unknown to this run, and the
                // caller reads the creates back rather than guessing.
                return (Failed(writes, ex is SalesforceApiException api ? api.ErrorCode : ex.Failure.ToString(), $"Bulk API 2.0 job {jobId} was closed, but following it failed ({ex.Message}).", unknown: true), ex.NeedsPerson ? ex : null);
            }
        }

        /// <summary>What to do about a record left to its job (<see cref="JobLeftRunningCode"/>).</summary>
        public const string JobLeftRunningRemedy = "Run the rule again: it follows the job to its end and reports this record.";

        /// <summary>Outcomes of records whose closed job goes on in Salesforce without this run: the job's, reported by the next rule run.</summary>
        private static List<RecordOutcome> LeftToJob(List<RecordWrite> writes, string jobId, string what)
            => writes.Select(w => new RecordOutcome(w, false, null, JobLeftRunningCode,
                $"Bulk API 2.0 job {jobId} {what}; it goes on in Salesforce. The next run of the rule follows the job to its end and reports this record as the job left it.", null, outcomeUnknown: true)).ToList();

        private static List<RecordOutcome> Failed(List<RecordWrite> writes, string code, string message, bool unknown)
            => writes.Select(w =>
            {
                if (unknown) w.MayHaveBeenWritten = true;
                return new RecordOutcome(w, false, null, code, message, null, outcomeUnknown: unknown);
            }).ToList();

        /// <summary>Polls Get Job Info, waiting twice as long after each answer (up to a minute), until the job is finished.</summary>
        public Task<BulkJobInfo> PollAsync(string jobId, CancellationToken ct)
            => PollJobAsync(_client, _client.DataPath("jobs/ingest/" + jobId), _firstPollDelay, () => Polls++, ct);

        /// <summary>
        /// Polls an ingest or query job (Get Job Info) with back-off, doubling the delay up to a minute, until it
        /// is finished. An ingest job still Open was never closed and will not progress (a query job is never Open).
        /// </summary>
        internal static Task<BulkJobInfo> PollJobAsync(SalesforceClient client, string jobPath, TimeSpan firstDelay, Action onPoll, CancellationToken ct)
            => PollJobAsync(async token => new BulkJobInfo((JObject)await client.GetAsync(jobPath, token).ConfigureAwait(false)), firstDelay, Task.Delay, onPoll, ct);

        /// <summary>The back-off itself: <paramref name="look"/> is one Get Job Info, <paramref name="wait"/> the pause before it (a test's clock).</summary>
        internal static async Task<BulkJobInfo> PollJobAsync(Func<CancellationToken, Task<BulkJobInfo>> look, TimeSpan firstDelay, Func<TimeSpan, CancellationToken, Task> wait, Action onPoll, CancellationToken ct)
        {
            TimeSpan delay = firstDelay;
            while (true)
            {
                if (delay > TimeSpan.Zero) await wait(delay, ct).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                onPoll?.Invoke();
                BulkJobInfo info = await look(ct).ConfigureAwait(false);
                if (info.IsFinished) return info;
                if (info.State == "Open")
                    throw new SalesforceException(SalesforceFailure.ApiError, $"Bulk API 2.0 job {info.Id} is still Open: its upload was never completed.", "Run again: the module aborts the open job and writes its records anew.");
                delay = TimeSpan.FromTicks(Math.Min(MaxPollDelay.Ticks, Math.Max(delay.Ticks * 2, TimeSpan.FromMilliseconds(1).Ticks)));
            }
        }

        /// <summary>
        /// A job a stopped run left behind: an Open one (never closed, so nothing processed) is aborted; a closed
        /// one is polled until it is finished, and what it did to each record is read from successfulResults
        /// (sf__Id, sf__Created, then the uploaded columns) and failedResults (sf__Id, sf__Error, then the uploaded
        /// columns): Salesforce's "Get Job Successful Record Results"
        /// (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_successful_results.htm)
        /// and "Get Job Failed Record Results". Records are keyed by <paramref name="insertKeyField"/> for an insert
        /// job and by Id for an update. The job stays in the journal: the caller takes it out
        /// (<see cref="IBulkJobJournal.JobFinished"/>) once the rule has recorded what it did, so a run that stops
        /// before leaves it for the next one (an Open job, which processed nothing, leaves at once when aborted).
        /// </summary>
        public async Task<ResumedBulkJob> ResumeAsync(string jobId, string insertKeyField, CancellationToken ct)
        {
            string jobPath = _client.DataPath("jobs/ingest/" + jobId);
            var info = new BulkJobInfo((JObject)await _client.GetAsync(jobPath, ct).ConfigureAwait(false));
            if (info.State == "Open")
            {
                await AbortQuietlyAsync(jobId, ct).ConfigureAwait(false);
                info = new BulkJobInfo((JObject)await _client.GetAsync(jobPath, ct).ConfigureAwait(false));
            }
            else if (!info.IsFinished)
            {
                info = await PollAsync(jobId, ct).ConfigureAwait(false);
            }
            string keyField = info.Operation == "insert" ? insertKeyField : "Id";
            var records = new List<BulkRecordResult>();
            if (info.RecordsProcessed > info.RecordsFailed)
            {
                await ReadCsvAsync(jobPath + "/successfulResults/", (successful, row) =>
                {
                    string id = successful.Value(row, "sf__Id");
                    records.Add(new BulkRecordResult
                    {
                        Key = keyField == "Id" ? successful.Value(row, "Id") ?? id : successful.Value(row, keyField),
                        Id = id,
                        Success = true,
                        Created = string.Equals(successful.Value(row, "sf__Created"), "true", StringComparison.OrdinalIgnoreCase),
                    });
                }, ct).ConfigureAwait(false);
            }
            if (info.RecordsFailed > 0)
            {
                await ReadCsvAsync(jobPath + "/failedResults/", (failed, row) =>
                {
                    var (code, message, fields) = ParseError(failed.Value(row, "sf__Error"));
                    records.Add(new BulkRecordResult
                    {
                        Key = keyField == "Id" ? failed.Value(row, "Id") ?? failed.Value(row, "sf__Id") : failed.Value(row, keyField),
                        Id = failed.Value(row, "sf__Id"),
                        ErrorCode = code,
                        Message = message,
                        Fields = fields,
                        Uploaded = failed.UploadedValues(row),
                    });
                }, ct).ConfigureAwait(false);
            }
            long? runId = _journal?.RunOf(jobId);
            return new ResumedBulkJob(info, runId, records.Where(r => r.Key != null).ToList());
        }

        /// <summary>
        /// Whether a write would upload exactly the values a failed job row uploaded (the same columns, as
        /// <see cref="CsvValue"/> writes them): then it is the same write, and would fail the same way.
        /// </summary>
        public static bool SameUpload(IReadOnlyDictionary<string, string> uploaded, JObject record, string id = null)
        {
            if (uploaded == null || record == null) return false;
            foreach (JProperty property in record.Properties())
                if (!uploaded.ContainsKey(property.Name)) return false;
            foreach (var column in uploaded)
            {
                string value = column.Key == "Id" && id != null ? id : CsvValue(record.GetValue(column.Key, StringComparison.OrdinalIgnoreCase), missing: "");
                if (!string.Equals(value, column.Value, StringComparison.Ordinal)) return false;
            }
            return true;
        }

        private async Task AbortQuietlyAsync(string jobId, CancellationToken ct)
        {
            try
            {
                await _client.SendAsync(Method.Patch, _client.DataPath("jobs/ingest/" + jobId), new JObject { ["state"] = "Aborted" }, repeatable: true, ct).ConfigureAwait(false);
                _journal?.JobFinished(jobId);
            }
            catch (SalesforceException) when (!ct.IsCancellationRequested)
            {
                // Left in the journal: the next run aborts it (an Open job processes nothing meanwhile).
            }
        }

        /// <summary>
        /// One outcome per record from the job's result lists, matched by key: successful, failed with the
        /// record's own error, unprocessed as not written. A record in none of them (it should not happen)
        /// is unknown, so the caller reads it back instead of guessing.
        /// </summary>
        private async Task<List<RecordOutcome>> ReadOutcomesAsync(BulkJobInfo info, List<RecordWrite> writes, string keyField, CancellationToken ct)
        {
            var byKey = new Dictionary<string, RecordWrite>(StringComparer.OrdinalIgnoreCase);
            foreach (RecordWrite write in writes) byKey[KeyOf(write, keyField)] = write;
            var outcomes = new Dictionary<RecordWrite, RecordOutcome>();
            string jobPath = _client.DataPath("jobs/ingest/" + info.Id);

            bool allProcessed = info.State == "JobComplete" && info.RecordsProcessed >= writes.Count;
            if (info.RecordsProcessed > info.RecordsFailed || !allProcessed)
            {
                await ReadCsvAsync(jobPath + "/successfulResults/", (successful, row) =>
                {
                    if (Take(byKey, successful, row, keyField, out RecordWrite write))
                        outcomes[write] = new RecordOutcome(write, true, successful.Value(row, "sf__Id") ?? write.Id, null, null, null);
                }, ct).ConfigureAwait(false);
            }
            if (info.RecordsFailed > 0 || !allProcessed)
            {
                await ReadCsvAsync(jobPath + "/failedResults/", (failed, row) =>
                {
                    if (!Take(byKey, failed, row, keyField, out RecordWrite write)) return;
                    var (code, message, fields) = ParseError(failed.Value(row, "sf__Error"));
                    outcomes[write] = new RecordOutcome(write, false, failed.Value(row, "sf__Id"), code, message, fields);
                }, ct).ConfigureAwait(false);
            }
            if (!allProcessed)
            {
                string why = info.ErrorMessage != null ? $"ended {info.State}: {info.ErrorMessage}" : $"ended {info.State}";
                await ReadCsvAsync(jobPath + "/unprocessedrecords/", (unprocessed, row) =>
                {
                    if (Take(byKey, unprocessed, row, keyField, out RecordWrite write))
                        outcomes[write] = new RecordOutcome(write, false, null, "NotProcessed", $"Bulk API 2.0 job {info.Id} {why} before processing this record; it was not written.", null);
                }, ct).ConfigureAwait(false);
            }
            return writes.Select(w => outcomes.TryGetValue(w, out RecordOutcome o) ? o
                : new RecordOutcome(w, false, null, NotConfirmed.Code, $"Bulk API 2.0 job {info.Id} ({info.State}) listed this record in none of its results.", null, outcomeUnknown: true)).ToList();
        }

        private static bool Take(Dictionary<string, RecordWrite> byKey, ResultRows rows, string[] row, string keyField, out RecordWrite write)
        {
            string key = rows.Value(row, keyField);
            if (key != null && byKey.TryGetValue(key, out write))
            {
                byKey.Remove(key);
                return true;
            }
            write = null;
            return false;
        }

        /// <summary>
        /// Reads a result CSV row by row as the answer is read (a job's 50,000 rows are never held as one text nor
        /// as a list of rows), handing each row after the header to <paramref name="onRow"/> with the header's columns.
        /// </summary>
        private Task ReadCsvAsync(string path, Action<ResultRows, string[]> onRow, CancellationToken ct)
            => _client.SendTextAsync(Method.Get, path, "text/csv", reader =>
            {
                ResultRows columns = null;
                foreach (string[] row in BulkCsv.Rows(reader))
                {
                    if (columns == null) columns = new ResultRows(row);
                    else onRow(columns, row);
                }
            }, repeatable: true, ct);

        /// <summary>A result CSV's columns by name (sf__Id, sf__Error, the uploaded fields), to read its rows' values.</summary>
        private sealed class ResultRows
        {
            private readonly Dictionary<string, int> _columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);

            public ResultRows(string[] header)
            {
                for (int i = 0; i < header.Length; i++) _columns[header[i]] = i;
            }

            public string Value(string[] row, string name) => _columns.TryGetValue(name, out int i) && i < row.Length && row[i].Length > 0 ? row[i] : null;

            /// <summary>The row's uploaded columns (every one but Salesforce's sf__ columns), empty values included.</summary>
            public IReadOnlyDictionary<string, string> UploadedValues(string[] row)
            {
                var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var column in _columns)
                    if (!column.Key.StartsWith("sf__", StringComparison.Ordinal)) values[column.Key] = column.Value < row.Length ? row[column.Value] : "";
                return values;
            }
        }

        /// <summary>sf__Error as Salesforce writes it: "STATUS_CODE:message:fields --" (the fields comma-separated, maybe none).</summary>
        public static (string Code, string Message, IReadOnlyList<string> Fields) ParseError(string error)
        {
            if (string.IsNullOrEmpty(error)) return ("UNKNOWN_ERROR", "Salesforce reported a failure without a message.", null);
            string text = error.Trim();
            if (text.EndsWith("--", StringComparison.Ordinal)) text = text.Substring(0, text.Length - 2).TrimEnd();
            int colon = text.IndexOf(':');
            if (colon <= 0) return ("UNKNOWN_ERROR", text, null);
            string code = text.Substring(0, colon);
            string rest = text.Substring(colon + 1);
            IReadOnlyList<string> fields = null;
            int last = rest.LastIndexOf(':');
            if (last >= 0)
            {
                string tail = rest.Substring(last + 1).Trim();
                if (tail.Length == 0 || tail.All(c => char.IsLetterOrDigit(c) || c == '_' || c == ',' || c == '.'))
                {
                    fields = tail.Length == 0 ? Array.Empty<string>() : tail.Split(',');
                    rest = rest.Substring(0, last);
                }
            }
            return (code, rest.Trim(), fields);
        }

        private static List<string> Columns(IReadOnlyList<RecordWrite> writes, string keyField)
        {
            var columns = new List<string> { keyField };
            var seen = new HashSet<string>(columns, StringComparer.OrdinalIgnoreCase);
            foreach (RecordWrite write in writes)
                foreach (string name in write.Packed != null ? write.Packed.Names() : write.Record.Properties().Select(p => p.Name))
                    if (seen.Add(name)) columns.Add(name);
            return columns;
        }

        /// <summary>A write's fields as CSV cells: read from its packed buffer when it has one (no JSON tree), else from its record.</summary>
        private static void ForEachCsvField(RecordWrite write, Action<string, string> onField)
        {
            if (write.Packed != null) write.Packed.ForEachCsvField(onField);
            else foreach (JProperty property in write.Record.Properties()) onField(property.Name, CsvValue(property.Value, missing: ""));
        }

        private static string KeyOf(RecordWrite write, string keyField)
        {
            if (keyField == "Id" && write.Id != null) return write.Id;
            if (write.Packed != null) return write.Packed.CsvValue(keyField) ?? "";
            return CsvValue(write.Record.GetValue(keyField, StringComparison.OrdinalIgnoreCase), missing: "");
        }

        /// <summary>
        /// A job's CSV, written when the upload is sent (and again if it is sent again): the header, then each write's
        /// row, UTF-8 without a byte order mark, of the exact length counted when the job's writes were chosen.
        /// </summary>
        private sealed class Upload
        {
            private readonly List<RecordWrite> _writes;
            private readonly List<string> _columns;
            private readonly long _bytes;

            public Upload(List<RecordWrite> writes, List<string> columns, long bytes)
            {
                _writes = writes;
                _columns = columns;
                _bytes = bytes;
            }

            public System.Net.Http.HttpContent Content()
            {
                var content = new CsvContent(this);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
                return content;
            }

            public async Task WriteToAsync(Stream stream)
            {
                var columnOf = ColumnsByName(_columns);
                var cells = new string[_columns.Count];
                using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024, leaveOpen: true))
                {
                    await writer.WriteAsync(HeaderRow(_columns)).ConfigureAwait(false);
                    foreach (RecordWrite write in _writes) await writer.WriteAsync(Row(write, _columns, columnOf, cells)).ConfigureAwait(false);
                    await writer.FlushAsync().ConfigureAwait(false);
                }
            }

            private sealed class CsvContent : System.Net.Http.HttpContent
            {
                private readonly Upload _upload;

                public CsvContent(Upload upload) { _upload = upload; }

                protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext context) => _upload.WriteToAsync(stream);

                protected override bool TryComputeLength(out long length)
                {
                    length = _upload._bytes;
                    return true;
                }
            }
        }

        private static Dictionary<string, int> ColumnsByName(IReadOnlyList<string> columns)
        {
            var columnOf = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < columns.Count; i++) columnOf[columns[i]] = i;
            return columnOf;
        }

        private static string HeaderRow(IReadOnlyList<string> columns)
        {
            var header = new StringBuilder();
            BulkCsv.AppendRow(header, columns);
            return header.ToString();
        }

        /// <summary>The writes and their uploads, split so that no upload passes <see cref="MaxUploadBytes"/> (each row's size counted, not kept).</summary>
        private static IEnumerable<(List<RecordWrite>, Upload)> Chunks(List<RecordWrite> writes, string keyField)
        {
            List<string> columns = Columns(writes, keyField);
            var columnOf = ColumnsByName(columns);
            var cells = new string[columns.Count];
            long headerSize = Encoding.UTF8.GetByteCount(HeaderRow(columns));
            var chunk = new List<RecordWrite>();
            long size = headerSize;
            foreach (RecordWrite write in writes)
            {
                long rowSize = Encoding.UTF8.GetByteCount(Row(write, columns, columnOf, cells));
                if (chunk.Count > 0 && size + rowSize > MaxUploadBytes)
                {
                    yield return (chunk, new Upload(chunk, columns, size));
                    chunk = new List<RecordWrite>();
                    size = headerSize;
                }
                chunk.Add(write);
                size += rowSize;
            }
            if (chunk.Count > 0) yield return (chunk, new Upload(chunk, columns, size));
        }

        /// <summary>The job's CSV: the header, then one row per record, every value quoted, LF line endings.</summary>
        public static string ToCsv(IReadOnlyList<RecordWrite> writes, IReadOnlyList<string> columns)
        {
            var csv = new StringBuilder(HeaderRow(columns));
            var columnOf = ColumnsByName(columns);
            var cells = new string[columns.Count];
            foreach (RecordWrite write in writes) csv.Append(Row(write, columns, columnOf, cells));
            return csv.ToString();
        }

        /// <summary>One write's row: its cells by column (<paramref name="cells"/> is the caller's, reused), empty where it has no value.</summary>
        private static string Row(RecordWrite write, IReadOnlyList<string> columns, Dictionary<string, int> columnOf, string[] cells)
        {
            Array.Clear(cells, 0, cells.Length);
            ForEachCsvField(write, (name, value) => { if (columnOf.TryGetValue(name, out int i)) cells[i] = value; });
            int id = columnOf.TryGetValue("Id", out int at) ? at : -1;
            if (id >= 0 && write.Id != null) cells[id] = write.Id;
            var row = new StringBuilder();
            BulkCsv.AppendRow(row, cells);
            return row.ToString();
        }

        /// <summary>
        /// A field's value as Bulk API 2.0 reads it: absent is empty (the field is left as it is), null or an
        /// empty text is #N/A (the field is cleared, as a JSON null does), dates and numbers invariant.
        /// </summary>
        public static string CsvValue(JToken value, string missing)
        {
            if (value == null) return missing;
            switch (value.Type)
            {
                case JTokenType.Null:
                case JTokenType.Undefined: return "#N/A";
                case JTokenType.String: return value.Value<string>().Length == 0 ? "#N/A" : value.Value<string>();
                case JTokenType.Boolean: return value.Value<bool>() ? "true" : "false";
                case JTokenType.Integer:
                case JTokenType.Float: return Convert.ToString(((JValue)value).Value, CultureInfo.InvariantCulture);
                case JTokenType.Date:
                    object date = ((JValue)value).Value;
                    return date is DateTimeOffset offset ? offset.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
                        : ((DateTime)date).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                default: return value.ToString(Newtonsoft.Json.Formatting.None);
            }
        }
    }

    /// <summary>
    /// CSV as Bulk API 2.0 takes and gives it ("Valid CSV Record Rows"): comma-delimited, values in double
    /// quotes when they hold a comma, a quote or a line break, a quote doubled inside them, LF or CRLF line ends.
    /// </summary>
    public static class BulkCsv
    {
        /// <summary>Appends one row, every value quoted (always valid, and leading or trailing spaces kept), ended with LF.</summary>
        public static void AppendRow(StringBuilder csv, IEnumerable<string> values)
        {
            bool first = true;
            foreach (string value in values)
            {
                if (!first) csv.Append(',');
                first = false;
                csv.Append('"').Append((value ?? "").Replace("\"", "\"\"")).Append('"');
            }
            csv.Append('\n');
        }

        /// <summary>The rows of a CSV text (quoted values may hold commas, doubled quotes and line breaks).</summary>
        public static List<string[]> Parse(string text)
        {
            var rows = new List<string[]>();
            ReadRows(text, rows.Add);
            return rows;
        }

        /// <summary>Hands each row of a CSV text to <paramref name="onRow"/> as it is read, so a large answer is never held as a list of rows.</summary>
        public static void ReadRows(string text, Action<string[]> onRow) => ReadRows(new StringReader(text ?? ""), onRow);

        /// <summary>Hands each row of CSV read from <paramref name="csv"/> (an answer as it arrives) to <paramref name="onRow"/>.</summary>
        public static void ReadRows(TextReader csv, Action<string[]> onRow)
        {
            foreach (string[] row in Rows(csv)) onRow(row);
        }

        /// <summary>The rows of a CSV text, each read when the enumeration reaches it.</summary>
        public static IEnumerable<string[]> Rows(string text) => Rows(new StringReader(text ?? ""));

        /// <summary>
        /// The rows of a CSV read from <paramref name="text"/>, each read when the enumeration reaches it. Read in
        /// blocks, never by Peek: a network answer's reader peeks nothing (-1) when a read came back short, which
        /// would end a quoted value at a doubled quote split across two reads.
        /// </summary>
        public static IEnumerable<string[]> Rows(TextReader text)
        {
            var row = new List<string>();
            var field = new StringBuilder();
            bool quoted = false, any = false;
            // In a quoted field, a quote ends it unless the next character is a quote too (an escaped one);
            // that next character may be in the next block.
            bool quoteInQuoted = false;
            var block = new char[8192];
            int read;
            while ((read = text.Read(block, 0, block.Length)) > 0)
            {
                for (int i = 0; i < read; i++)
                {
                    char c = block[i];
                    if (quoteInQuoted)
                    {
                        quoteInQuoted = false;
                        if (c == '"') { field.Append('"'); continue; }
                        quoted = false;
                    }
                    if (quoted)
                    {
                        if (c == '"') quoteInQuoted = true;
                        else field.Append(c);
                        continue;
                    }
                    switch (c)
                    {
                        case '"': quoted = true; any = true; break;
                        case ',': row.Add(field.ToString()); field.Clear(); any = true; break;
                        case '\r': break;
                        case '\n':
                            if (any || field.Length > 0) { row.Add(field.ToString()); yield return row.ToArray(); }
                            row.Clear(); field.Clear(); any = false;
                            break;
                        default: field.Append(c); any = true; break;
                    }
                }
            }
            if (any || field.Length > 0) { row.Add(field.ToString()); yield return row.ToArray(); }
        }
    }
}
