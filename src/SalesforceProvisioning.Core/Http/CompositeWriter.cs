using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using RestSharp;

namespace SalesforceProvisioning
{
    public enum WriteKind { Create, Update, Delete }

    /// <summary>One record to write: a create, an update (record carries Id) or a delete (by Id).</summary>
    public sealed class RecordWrite
    {
        public RecordWrite(WriteKind kind, string sObjectType, JObject record = null, string id = null, object tag = null)
        {
            Kind = kind;
            SObjectType = sObjectType;
            Record = record;
            Id = id;
            Tag = tag;
        }

        /// <summary>A write whose fields are packed (<see cref="PackedRecord"/>): <see cref="Record"/> unpacks them when a composite needs them (with Id, for an update).</summary>
        public RecordWrite(WriteKind kind, string sObjectType, PackedRecord packed, string id = null, object tag = null)
            : this(kind, sObjectType, (JObject)null, id, tag)
        {
            Packed = packed;
        }

        private JObject _record;

        public WriteKind Kind { get; }
        public string SObjectType { get; }

        public JObject Record
        {
            get
            {
                if (_record != null || Packed == null) return _record;
                JObject fields = Packed.Unpack();
                if (Id != null && Kind == WriteKind.Update && fields["Id"] == null) fields.AddFirst(new JProperty("Id", Id));
                return _record = fields;
            }
            private set { _record = value; }
        }

        /// <summary>
        /// Writes the record's fields (with Id first for an update that lacks it, as <see cref="Record"/> has them) as
        /// JSON properties; a packed write's fields are written from the buffer, never unpacked into a JSON tree.
        /// </summary>
        internal void WriteFields(JsonWriter json)
        {
            if (_record == null && Packed != null)
            {
                if (Id != null && Kind == WriteKind.Update && !Packed.Names().Contains("Id"))
                {
                    json.WritePropertyName("Id");
                    json.WriteValue(Id);
                }
                Packed.WriteJsonFields(json);
                return;
            }
            if (Record == null) return;
            foreach (JProperty property in Record.Properties()) property.WriteTo(json);
        }

        /// <summary>The fields packed, when the write was made from a packed plan (a Bulk API 2.0 job reads them from here).</summary>
        public PackedRecord Packed { get; }

        public string Id { get; }

        /// <summary>The caller's handle (for example the plan) to map the outcome back to its input.</summary>
        public object Tag { get; }

        /// <summary>
        /// An earlier send of this write may have been carried out (its answer was lost, or its request was
        /// sent again after a dropped connection): a duplicate met later may be this write's own doing.
        /// </summary>
        public bool MayHaveBeenWritten { get; internal set; }
    }

    /// <summary>The outcome of one record write, from the per-record answer of a collection.</summary>
    public sealed class RecordOutcome
    {
        public RecordOutcome(RecordWrite write, bool success, string id, string errorCode, string message, IReadOnlyList<string> fields, bool outcomeUnknown = false, bool notSent = false)
        {
            Write = write;
            Success = success;
            Id = id;
            ErrorCode = errorCode;
            Message = message;
            Fields = fields ?? Array.Empty<string>();
            OutcomeUnknown = outcomeUnknown;
            NotSent = notSent;
        }

        public RecordWrite Write { get; }
        public bool Success { get; }
        public string Id { get; }
        public string ErrorCode { get; }
        public string Message { get; }
        public IReadOnlyList<string> Fields { get; }

        /// <summary>The request may or may not have been committed (the connection dropped for good).</summary>
        public bool OutcomeUnknown { get; }

        /// <summary>
        /// A stop kept this write from being carried out, and no earlier send of it may have been: it was never
        /// sent, or its request was refused whole (REQUEST_LIMIT_EXCEEDED, revoked credentials). Nothing of it is in Salesforce.
        /// </summary>
        public bool NotSent { get; }

        /// <summary>
        /// This write may be in Salesforce whatever this outcome says: its answer was lost, or an earlier send's was
        /// (a resend answered DUPLICATE_USERNAME, say). Unless it is confirmed by reading it back, its result is
        /// <see cref="NotConfirmed"/>, never a definite failure and never "not sent".
        /// </summary>
        public bool MayHaveBeenWritten => OutcomeUnknown || Write.MayHaveBeenWritten;
    }

    /// <summary>
    /// Writes records the way Salesforce counts cheapest: sObject Collections of up to 200 records of one
    /// type and operation, packed five to a composite request (one counted API call), a few requests in
    /// flight. Every record gets exactly one outcome, in the order of the per-record answers.
    /// </summary>
    public sealed class CompositeWriter
    {
        public const int CollectionSize = 200;

        /// <summary>
        /// Requests in flight by default (-MaxConcurrentRequests), chosen from the benchmark (bench/README.md):
        /// a 1,000-record request takes seconds, about as long beside nine others as alone, so ten of them
        /// take the time of one. Salesforce limits only requests of 20 s or longer to 25 at once in
        /// production orgs and sandboxes (5 in Developer Edition and trial orgs); shorter ones have no limit
        /// (https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html).
        /// </summary>
        public const int DefaultMaxInFlight = 10;

        /// <summary>The most -MaxConcurrentRequests allows: Salesforce's limit of long requests in a production org.</summary>
        public const int MostInFlight = 25;
        public const int CollectionsPerComposite = 5;

        private static readonly HashSet<string> SetupObjects = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "User", "UserLogin", "Group", "GroupMember", "PermissionSet", "PermissionSetAssignment", "PermissionSetGroup", "UserRole",
        };

        private readonly SalesforceClient _client;
        private readonly int _maxInFlight;
        // One gate for the writer, not per call: writes of several batches in flight at once (a user sync keeps
        // sending while it plans later windows) still have at most MaxInFlight requests out together.
        private readonly SemaphoreSlim _gate;

        public CompositeWriter(SalesforceClient client, int maxInFlight)
        {
            _client = client;
            _maxInFlight = Math.Max(1, maxInFlight);
            _gate = new SemaphoreSlim(_maxInFlight);
        }

        /// <summary>Composite requests sent at once, by all the writes of this writer together.</summary>
        public int MaxInFlight => _maxInFlight;

        public static bool IsSetupObject(string sObjectType) => SetupObjects.Contains(sObjectType);

        /// <summary>
        /// Writes all records and returns one outcome per record. Setup and non-setup objects never
        /// share a composite request (Salesforce refuses that with MIXED_DML_OPERATION).
        /// A failure a person must fix (REQUEST_LIMIT_EXCEEDED, revoked credentials) stops further requests:
        /// the records not sent get that outcome too, and the exception is rethrown after every record has
        /// its outcome in <paramref name="outcomes"/>. A stop (<paramref name="ct"/>) sends nothing more: the
        /// records of requests not sent get a <see cref="NotSentCode"/> outcome, and then
        /// <see cref="OperationCanceledException"/> is thrown. Either way a record that may have gone through
        /// (this request's answer, or an earlier round's, was lost) gets an unknown <see cref="NotConfirmed"/> outcome instead.
        /// </summary>
        public async Task WriteAsync(IReadOnlyList<RecordWrite> writes, List<RecordOutcome> outcomes, CancellationToken ct)
        {
            var composites = Pack(writes);
            SemaphoreSlim gate = _gate;
            SalesforceException stop = null;
            int cancelled = 0;
            var results = new List<RecordOutcome>[composites.Count];
            var tasks = composites.Select(async (composite, index) =>
            {
                var trace = new RequestTrace();
                bool entered = false;
                try
                {
                    await gate.WaitAsync(ct).ConfigureAwait(false);
                    entered = true;
                    if (Volatile.Read(ref stop) != null)
                    {
                        results[index] = Refused(composite, stop, answerLost: false);
                        return;
                    }
                    results[index] = await SendCompositeAsync(composite, trace, ct).ConfigureAwait(false);
                }
                catch (SalesforceException ex)
                {
                    // Failures a person must fix (limits, credentials) stop the rest; the request was not carried out,
                    // though a record an earlier attempt or round may have written stays unknown.
                    // Transport failures that outlived the retries leave the outcome unknown.
                    if (ex.NeedsPerson)
                    {
                        Interlocked.CompareExchange(ref stop, ex, null);
                        results[index] = Refused(composite, ex, ex.AnswerLost);
                    }
                    else results[index] = Unknown(composite, ex);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // Stopped waiting for its turn, before an attempt, or between retries: not written, unless an
                    // earlier attempt went out and its answer was lost.
                    Interlocked.Exchange(ref cancelled, 1);
                    results[index] = Stopped(composite, trace.AnswerLost);
                }
                finally
                {
                    if (entered) gate.Release();
                }
            }).ToList();
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            finally
            {
                foreach (var r in results.Where(r => r != null)) outcomes.AddRange(r);
            }
            if (stop != null) throw stop;
            if (cancelled != 0) throw new OperationCanceledException(ct);
        }

        /// <summary>The error code of a record that was not sent because the run was stopped (Ctrl+C, a stop signal).</summary>
        public const string NotSentCode = "NotSent";

        private static SalesforceException StoppedFailure() => new SalesforceException(SalesforceFailure.Stopped,
            "The run was stopped (Ctrl+C or a stop signal) between requests.",
            "Run it again: what was written is recorded, and the rest is written then.");

        /// <summary>Counted calls (composite requests) that writing these records takes, packed as <see cref="WriteAsync"/> packs them.</summary>
        public static int CallsFor(IEnumerable<RecordWrite> writes) => Pack(writes.ToList()).Count;

        /// <summary>
        /// Counts, write by write, the counted calls that writing them takes, packed as <see cref="WriteAsync"/>
        /// packs them, and whether those calls are all full (every collection 200 records, every composite five
        /// collections). Writes sent by separate <see cref="WriteAsync"/> calls are told apart by a pack number.
        /// </summary>
        public sealed class CallTally
        {
            private readonly Dictionary<(int Pack, bool Setup, WriteKind Kind, string Type), int> _records = new Dictionary<(int, bool, WriteKind, string), int>();

            public void Add(int pack, WriteKind kind, string sObjectType)
            {
                var key = (pack, IsSetupObject(sObjectType), kind, sObjectType.ToLowerInvariant());
                _records[key] = _records.TryGetValue(key, out int count) ? count + 1 : 1;
            }

            public int Calls
            {
                get
                {
                    int calls = 0;
                    foreach (var composite in Collections()) calls += (composite.Value + CollectionsPerComposite - 1) / CollectionsPerComposite;
                    return calls;
                }
            }

            /// <summary>No call is part-filled: sending these now costs no call more than sending them with later writes.</summary>
            public bool AllFull => _records.Values.All(c => c % CollectionSize == 0) && Collections().All(c => c.Value % CollectionsPerComposite == 0);

            private Dictionary<(int Pack, bool Setup), int> Collections()
            {
                var collections = new Dictionary<(int, bool), int>();
                foreach (var pair in _records)
                {
                    var key = (pair.Key.Pack, pair.Key.Setup);
                    collections[key] = (collections.TryGetValue(key, out int n) ? n : 0) + (pair.Value + CollectionSize - 1) / CollectionSize;
                }
                return collections;
            }
        }

        /// <summary>Collections of one type and operation, at most 200 records; composites of at most five, setup objects apart.</summary>
        private static List<List<List<RecordWrite>>> Pack(IReadOnlyList<RecordWrite> writes)
        {
            var collections = new List<List<RecordWrite>>();
            foreach (var group in writes.GroupBy(w => (Setup: IsSetupObject(w.SObjectType), w.Kind, Type: w.SObjectType.ToLowerInvariant())).OrderBy(g => g.Key.Setup ? 0 : 1))
            {
                var list = group.ToList();
                for (int i = 0; i < list.Count; i += CollectionSize)
                    collections.Add(list.Skip(i).Take(CollectionSize).ToList());
            }

            var composites = new List<List<List<RecordWrite>>>();
            foreach (var bySetup in collections.GroupBy(c => IsSetupObject(c[0].SObjectType)))
            {
                var list = bySetup.ToList();
                for (int i = 0; i < list.Count; i += CollectionsPerComposite)
                    composites.Add(list.Skip(i).Take(CollectionsPerComposite).ToList());
            }
            return composites;
        }

        /// <summary>
        /// Writes records, sending those that failed transiently (UNABLE_TO_LOCK_ROW, lost answers) again,
        /// up to <paramref name="rounds"/> times; returns one final outcome per record. A failure a person
        /// must fix ends the rounds and is returned in <paramref name="stopped"/>.
        /// </summary>
        public async Task<(List<RecordOutcome> Outcomes, SalesforceException Stopped)> WriteWithRetriesAsync(IReadOnlyList<RecordWrite> writes, int rounds, TimeSpan delay, CancellationToken ct)
        {
            var final = new List<RecordOutcome>();
            IReadOnlyList<RecordWrite> pending = writes;
            // The outcomes of the records waiting to be sent again: theirs if the rounds end here.
            var waiting = new List<RecordOutcome>();
            for (int round = 0; round < rounds && pending.Count > 0; round++)
            {
                var outcomes = new List<RecordOutcome>();
                try
                {
                    if (round > 0) await Task.Delay(TimeSpan.FromMilliseconds(delay.TotalMilliseconds * round), ct).ConfigureAwait(false);
                    waiting.Clear();
                    await WriteAsync(pending, outcomes, ct).ConfigureAwait(false);
                }
                catch (SalesforceException ex)
                {
                    final.AddRange(outcomes);
                    return (final, ex);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // Stopped (Ctrl+C, SIGTERM): the requests already sent were answered and their outcomes count;
                    // the caller stops as for any failure that ends the run, so nothing more is sent.
                    final.AddRange(waiting);
                    final.AddRange(outcomes);
                    return (final, StoppedFailure());
                }
                var again = new List<RecordWrite>();
                foreach (RecordOutcome outcome in outcomes)
                {
                    bool transient = !outcome.Success && (TransientErrorCodes.Contains(outcome.ErrorCode) || outcome.OutcomeUnknown);
                    // A create nothing unique identifies (Contact, Lead) whose answer was lost may exist already:
                    // never resent blindly; it goes back to the caller, which reads it back by its match key.
                    bool blindResend = outcome.OutcomeUnknown && IsUnidentifiableCreate(outcome.Write);
                    if (transient && !blindResend && round < rounds - 1)
                    {
                        again.Add(outcome.Write);
                        waiting.Add(outcome);
                    }
                    else final.Add(outcome);
                }
                pending = again;
            }
            return (final, null);
        }

        /// <summary>A create of a non-setup object (Contact, Lead, Account): a resend cannot be told from a second record.</summary>
        public static bool IsUnidentifiableCreate(RecordWrite write) => write.Kind == WriteKind.Create && !IsSetupObject(write.SObjectType);

        /// <summary>Per-record errors worth sending again.</summary>
        public static readonly IReadOnlyCollection<string> TransientErrorCodes = new HashSet<string> { "UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE" };

        private async Task<List<RecordOutcome>> SendCompositeAsync(List<List<RecordWrite>> collections, RequestTrace trace, CancellationToken ct)
        {
            string body = CompositeBody(collections);

            // Repeatable unless it creates records nothing unique identifies (Contact, Lead, Account): a resent
            // request must not create them twice, so a lost answer is reported as unknown and reconciled by
            // the caller. Setup-object creates are recognised again (DUPLICATE_USERNAME, DUPLICATE_VALUE);
            // updates and deletes are idempotent.
            bool repeatable = !collections.Any(c => IsUnidentifiableCreate(c[0]));
            JToken answer;
            try
            {
                answer = await _client.SendJsonAsync(Method.Post, _client.DataPath("composite"), body, repeatable, ct, trace).ConfigureAwait(false);
            }
            finally
            {
                // This request's own lost answer (never another request's retry) means it may have been carried out before.
                if (trace.AnswerLost) foreach (var write in collections.SelectMany(c => c)) write.MayHaveBeenWritten = true;
            }
            // A 2xx answer (a 4xx or 5xx one was thrown) that is not the composite's shape says nothing of what was written.
            if (!((answer as JObject)?["compositeResponse"] is JArray responses))
                return Unreadable(collections.SelectMany(c => c), "the answer to the composite request was not the JSON Salesforce documents (no compositeResponse list)");

            var outcomes = new List<RecordOutcome>();
            for (int i = 0; i < collections.Count; i++)
            {
                JObject response = responses.OfType<JObject>().FirstOrDefault(r => r["referenceId"] is JValue reference && (reference.Value as string) == "c" + i);
                outcomes.AddRange(MapCollectionResponse(collections[i], response));
            }
            return outcomes;
        }

        /// <summary>
        /// The composite request's JSON, written straight from each write's fields: a 1,000-record request built as a
        /// JSON tree (every record's values copied into it) and then written took a tenth to half a second of CPU each,
        /// and the requests of a burst went out that far apart.
        /// </summary>
        private string CompositeBody(List<List<RecordWrite>> collections)
        {
            var text = new StringWriter(CultureInfo.InvariantCulture);
            using (var json = new JsonTextWriter(text) { Formatting = Formatting.None })
            {
                json.WriteStartObject();
                json.WritePropertyName("allOrNone");
                json.WriteValue(false);
                json.WritePropertyName("compositeRequest");
                json.WriteStartArray();
                for (int i = 0; i < collections.Count; i++) WriteSubrequest(json, collections[i], "c" + i);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            return text.ToString();
        }

        private void WriteSubrequest(JsonWriter json, List<RecordWrite> collection, string referenceId)
        {
            RecordWrite first = collection[0];
            json.WriteStartObject();
            if (first.Kind == WriteKind.Delete)
            {
                json.WritePropertyName("method");
                json.WriteValue("DELETE");
                json.WritePropertyName("url");
                json.WriteValue(_client.DataPath("composite/sobjects?allOrNone=false&ids=" + string.Join(",", collection.Select(w => w.Id))));
                json.WritePropertyName("referenceId");
                json.WriteValue(referenceId);
                json.WriteEndObject();
                return;
            }
            json.WritePropertyName("method");
            json.WriteValue(first.Kind == WriteKind.Create ? "POST" : "PATCH");
            json.WritePropertyName("url");
            json.WriteValue(_client.DataPath("composite/sobjects"));
            json.WritePropertyName("referenceId");
            json.WriteValue(referenceId);
            json.WritePropertyName("body");
            json.WriteStartObject();
            json.WritePropertyName("allOrNone");
            json.WriteValue(false);
            json.WritePropertyName("records");
            json.WriteStartArray();
            foreach (RecordWrite write in collection)
            {
                json.WriteStartObject();
                json.WritePropertyName("attributes");
                json.WriteStartObject();
                json.WritePropertyName("type");
                json.WriteValue(write.SObjectType);
                json.WriteEndObject();
                write.WriteFields(json);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        /// <summary>
        /// Per-record answers in input order; a whole-collection error (a status of 300 or more) fails each record with
        /// it. An answer that cannot be matched to the records (no subresponse for the collection, no status, not one
        /// result per record, a create's success without its Id) leaves each record's outcome unknown: it may have been written.
        /// </summary>
        private static IEnumerable<RecordOutcome> MapCollectionResponse(List<RecordWrite> collection, JObject response)
        {
            int? status = (response?["httpStatusCode"] as JValue)?.Value is long given && given >= 0 && given < 1000 ? (int)given : (int?)null;
            if (status >= 300)
            {
                var whole = (response["body"] as JArray)?.FirstOrDefault() as JObject;
                string code = (whole?["errorCode"] as JValue)?.Value as string ?? $"HTTP_{status}";
                string message = (whole?["message"] as JValue)?.Value as string ?? "Salesforce gave no per-record answer for this collection.";
                return collection.Select(write => new RecordOutcome(write, false, null, code, message, null)).ToList();
            }
            var items = response?["body"] as JArray;
            if (response == null) return Unreadable(collection, "Salesforce's answer had no subresponse for this collection");
            if (status == null || items == null || items.Count != collection.Count)
                return Unreadable(collection, $"Salesforce's answer for this collection was not one result per record ({(items == null ? "no result list" : $"{items.Count} results for {collection.Count} records")})");
            var outcomes = new List<RecordOutcome>(collection.Count);
            for (int i = 0; i < collection.Count; i++) outcomes.Add(RecordResult(collection[i], items[i]));
            return outcomes;
        }

        /// <summary>One record's result: success (with the created record's Id), its first error, or unknown when it is neither.</summary>
        private static RecordOutcome RecordResult(RecordWrite write, JToken result)
        {
            var item = result as JObject;
            var success = item?["success"] as JValue;
            string id = (item?["id"] as JValue)?.Value as string;
            if (success?.Value is bool ok && ok)
                return write.Kind == WriteKind.Create && id == null
                    ? Unreadable(new[] { write }, "Salesforce reported the create a success without the new record's Id").Single()
                    : new RecordOutcome(write, true, id ?? write.Id, null, null, null);
            if (!(success?.Value is bool)) return Unreadable(new[] { write }, "Salesforce's result for this record said neither success nor failure").Single();
            var error = (item["errors"] as JArray)?.FirstOrDefault() as JObject;
            string Text(string name) => (error?[name] as JValue)?.Value as string; // an object or array there is no text, not a crash
            return new RecordOutcome(write, false, id,
                Text("statusCode") ?? Text("errorCode") ?? "UNKNOWN_ERROR",
                Text("message") ?? "Salesforce reported a failure without a message.",
                (error?["fields"] as JArray)?.Select(f => f.ToString()).ToList());
        }

        /// <summary>The code of a write whose 2xx answer could not be read: its outcome is unknown, as for a lost answer.</summary>
        public const string UnreadableAnswerCode = "UnreadableAnswer";

        /// <summary>Writes whose answer came but could not be read: they may have been carried out, so the rounds reconcile them.</summary>
        private static List<RecordOutcome> Unreadable(IEnumerable<RecordWrite> writes, string why)
            => Unknown(writes, UnreadableAnswerCode, $"The change may have been carried out: {why}.");

        /// <summary>
        /// The records of a request a stop cut short: not sent, or not confirmed when this request's attempt or an
        /// earlier round's send of the record lost its answer (it may be in Salesforce; the next run reconciles it).
        /// </summary>
        private static List<RecordOutcome> Stopped(List<List<RecordWrite>> composite, bool answerLost)
        {
            SalesforceException stop = StoppedFailure();
            return composite.SelectMany(c => c).Select(w => answerLost || w.MayHaveBeenWritten ? NotConfirmedOutcome(w, stop)
                : new RecordOutcome(w, false, null, NotSentCode,
                    "Not written: the run was stopped (Ctrl+C or a stop signal) before this change was sent to Salesforce.", null, notSent: true)).ToList();
        }

        /// <summary>
        /// The records of a request a failure a person must fix refused whole, or kept from being sent: not written,
        /// unless this request's attempt or an earlier round's send of the record lost its answer (then not confirmed).
        /// </summary>
        private static List<RecordOutcome> Refused(List<List<RecordWrite>> composite, SalesforceException stop, bool answerLost)
            => composite.SelectMany(c => c).Select(w => answerLost ? NotConfirmedOutcome(w, stop) : StoppedOutcome(w, stop)).ToList();

        /// <summary>
        /// The outcome of a write a failure a person must fix kept from being carried out: not sent, or not confirmed
        /// when an earlier send of it lost its answer.
        /// </summary>
        public static RecordOutcome StoppedOutcome(RecordWrite write, SalesforceException stop)
        {
            if (write.MayHaveBeenWritten) return NotConfirmedOutcome(write, stop);
            string code = stop is SalesforceApiException api ? api.ErrorCode : stop.Failure.ToString();
            return new RecordOutcome(write, false, null, code, stop.Message, null, notSent: true);
        }

        private static RecordOutcome NotConfirmedOutcome(RecordWrite write, SalesforceException stop)
        {
            write.MayHaveBeenWritten = true;
            return new RecordOutcome(write, false, null, NotConfirmed.Code, NotConfirmed.Message(stop), null, outcomeUnknown: true);
        }

        /// <summary>The records of a request whose transport failed for good: its outcome is unknown, and the rounds send it again.</summary>
        private static List<RecordOutcome> Unknown(List<List<RecordWrite>> composite, SalesforceException ex)
            => Unknown(composite.SelectMany(c => c), ex is SalesforceApiException api ? api.ErrorCode : ex.Failure.ToString(), ex.Message);

        /// <summary>Writes that may have been carried out, without Salesforce's word on it: unknown, reconciled or sent again by the rounds.</summary>
        private static List<RecordOutcome> Unknown(IEnumerable<RecordWrite> writes, string code, string message)
            => writes.Select(w =>
            {
                w.MayHaveBeenWritten = true;
                return new RecordOutcome(w, false, null, code, message, null, outcomeUnknown: true);
            }).ToList();
    }
}
