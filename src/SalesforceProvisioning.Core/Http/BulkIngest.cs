using System;
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
        private async Task<(List<RecordOutcome>, SalesforceException)> RunJobAsync(string sObjectType, WriteKind kind, List<RecordWrite> writes, string csv, string keyField, CancellationToken ct)
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
                await _client.SendTextAsync(Method.Put, jobPath + "/batches", csv, "text/csv", "application/json", repeatable: true, ct).ConfigureAwait(false);
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
            catch (SalesforceException ex)
            {
                // The job may be processing: its outcome is unknown to this run (it stays in the journal, and the
                // next run resumes it); the caller reads the creates back rather than guessing.
                return (Failed(writes, ex is SalesforceApiException api ? api.ErrorCode : ex.Failure.ToString(), $"Bulk API 2.0 job {jobId} was closed, but following it failed ({ex.Message}).", unknown: true), ex.NeedsPerson ? ex : null);
            }
        }

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
        internal static async Task<BulkJobInfo> PollJobAsync(SalesforceClient client, string jobPath, TimeSpan firstDelay, Action onPoll, CancellationToken ct)
        {
            TimeSpan delay = firstDelay;
            while (true)
            {
                if (delay > TimeSpan.Zero) await Task.Delay(delay, ct).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                onPoll?.Invoke();
                var info = new BulkJobInfo((JObject)await client.GetAsync(jobPath, ct).ConfigureAwait(false));
                if (info.IsFinished) return info;
                if (info.State == "Open")
                    throw new SalesforceException(SalesforceFailure.ApiError, $"Bulk API 2.0 job {info.Id} is still Open: its upload was never completed.", "Run again: the module aborts the open job and writes its records anew.");
                delay = TimeSpan.FromTicks(Math.Min(MaxPollDelay.Ticks, Math.Max(delay.Ticks * 2, TimeSpan.FromMilliseconds(1).Ticks)));
            }
        }

        /// <summary>
        /// A job a stopped run left behind: an Open one (never closed, so nothing processed) is aborted; a closed
        /// one is polled until it is finished. Either way it leaves the journal, and its info is returned.
        /// </summary>
        public async Task<BulkJobInfo> ResumeAsync(string jobId, CancellationToken ct)
        {
            var info = new BulkJobInfo((JObject)await _client.GetAsync(_client.DataPath("jobs/ingest/" + jobId), ct).ConfigureAwait(false));
            if (info.State == "Open")
            {
                await AbortQuietlyAsync(jobId, ct).ConfigureAwait(false);
                info = new BulkJobInfo((JObject)await _client.GetAsync(_client.DataPath("jobs/ingest/" + jobId), ct).ConfigureAwait(false));
            }
            else if (!info.IsFinished)
            {
                info = await PollAsync(jobId, ct).ConfigureAwait(false);
            }
            _journal?.JobFinished(jobId);
            return info;
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
                ResultRows successful = await ReadCsvAsync(jobPath + "/successfulResults/", ct).ConfigureAwait(false);
                foreach (string[] row in successful.Rows)
                    if (Take(byKey, successful, row, keyField, out RecordWrite write))
                        outcomes[write] = new RecordOutcome(write, true, successful.Value(row, "sf__Id") ?? write.Id, null, null, null);
            }
            if (info.RecordsFailed > 0 || !allProcessed)
            {
                ResultRows failed = await ReadCsvAsync(jobPath + "/failedResults/", ct).ConfigureAwait(false);
                foreach (string[] row in failed.Rows)
                {
                    if (!Take(byKey, failed, row, keyField, out RecordWrite write)) continue;
                    var (code, message, fields) = ParseError(failed.Value(row, "sf__Error"));
                    outcomes[write] = new RecordOutcome(write, false, failed.Value(row, "sf__Id"), code, message, fields);
                }
            }
            if (!allProcessed)
            {
                string why = info.ErrorMessage != null ? $"ended {info.State}: {info.ErrorMessage}" : $"ended {info.State}";
                ResultRows unprocessed = await ReadCsvAsync(jobPath + "/unprocessedrecords/", ct).ConfigureAwait(false);
                foreach (string[] row in unprocessed.Rows)
                    if (Take(byKey, unprocessed, row, keyField, out RecordWrite write))
                        outcomes[write] = new RecordOutcome(write, false, null, "NotProcessed", $"Bulk API 2.0 job {info.Id} {why} before processing this record; it was not written.", null);
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

        private async Task<ResultRows> ReadCsvAsync(string path, CancellationToken ct)
        {
            ApiResponse response = await _client.SendTextAsync(Method.Get, path, null, null, "text/csv", repeatable: true, ct).ConfigureAwait(false);
            return new ResultRows(BulkCsv.Parse(response.Body));
        }

        /// <summary>A result CSV: its columns by name (sf__Id, sf__Error, the uploaded fields) and its rows.</summary>
        private sealed class ResultRows
        {
            private readonly Dictionary<string, int> _columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);

            public ResultRows(List<string[]> rows)
            {
                if (rows.Count == 0) return;
                for (int i = 0; i < rows[0].Length; i++) _columns[rows[0][i]] = i;
                Rows = rows.Skip(1).ToList();
            }

            public List<string[]> Rows { get; } = new List<string[]>();

            public string Value(string[] row, string name) => _columns.TryGetValue(name, out int i) && i < row.Length && row[i].Length > 0 ? row[i] : null;
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
                foreach (JProperty property in write.Record.Properties())
                    if (seen.Add(property.Name)) columns.Add(property.Name);
            return columns;
        }

        private static string KeyOf(RecordWrite write, string keyField)
            => keyField == "Id" ? write.Id ?? write.Record.Value<string>("Id") : CsvValue(write.Record.GetValue(keyField, StringComparison.OrdinalIgnoreCase), missing: "");

        /// <summary>The writes and their CSV, split so that no upload passes <see cref="MaxUploadBytes"/>.</summary>
        private static IEnumerable<(List<RecordWrite>, string)> Chunks(List<RecordWrite> writes, string keyField)
        {
            List<string> columns = Columns(writes, keyField);
            var headerRow = new StringBuilder();
            BulkCsv.AppendRow(headerRow, columns);
            string header = headerRow.ToString();
            var chunk = new List<RecordWrite>();
            var csv = new StringBuilder(header);
            long size = Encoding.UTF8.GetByteCount(header);
            foreach (RecordWrite write in writes)
            {
                string row = Row(write, columns);
                long rowSize = Encoding.UTF8.GetByteCount(row);
                if (chunk.Count > 0 && size + rowSize > MaxUploadBytes)
                {
                    yield return (chunk, csv.ToString());
                    chunk = new List<RecordWrite>();
                    csv = new StringBuilder(header);
                    size = Encoding.UTF8.GetByteCount(header);
                }
                chunk.Add(write);
                csv.Append(row);
                size += rowSize;
            }
            if (chunk.Count > 0) yield return (chunk, csv.ToString());
        }

        /// <summary>The job's CSV: the header, then one row per record, every value quoted, LF line endings.</summary>
        public static string ToCsv(IReadOnlyList<RecordWrite> writes, IReadOnlyList<string> columns)
        {
            var csv = new StringBuilder();
            BulkCsv.AppendRow(csv, columns);
            foreach (RecordWrite write in writes) csv.Append(Row(write, columns));
            return csv.ToString();
        }

        private static string Row(RecordWrite write, IReadOnlyList<string> columns)
        {
            var row = new StringBuilder();
            BulkCsv.AppendRow(row, columns.Select(c => c == "Id" && write.Id != null ? write.Id : CsvValue(write.Record.GetValue(c, StringComparison.OrdinalIgnoreCase), missing: "")));
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
        public static void ReadRows(string text, Action<string[]> onRow)
        {
            var row = new List<string>();
            var field = new StringBuilder();
            bool quoted = false, any = false;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (quoted)
                {
                    if (c != '"') field.Append(c);
                    else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                    continue;
                }
                switch (c)
                {
                    case '"': quoted = true; any = true; break;
                    case ',': row.Add(field.ToString()); field.Clear(); any = true; break;
                    case '\r': break;
                    case '\n':
                        if (any || field.Length > 0) { row.Add(field.ToString()); onRow(row.ToArray()); }
                        row.Clear(); field.Clear(); any = false;
                        break;
                    default: field.Append(c); any = true; break;
                }
            }
            if (any || field.Length > 0) { row.Add(field.ToString()); onRow(row.ToArray()); }
        }
    }
}
