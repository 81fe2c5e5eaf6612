using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace SalesforceProvisioning
{
    /// <summary>
    /// One sync run of a provisioning rule: holds the connection's run lock, skips people unchanged since the
    /// last run (delta), records every result batch by batch, finds who left a complete scope, and
    /// writes the run's outcome.
    /// </summary>
    public sealed class RuleRun : IDisposable
    {
        private static readonly HashSet<SfSyncAction> Settled = new HashSet<SfSyncAction>
        {
            SfSyncAction.Created, SfSyncAction.Updated, SfSyncAction.Unchanged, SfSyncAction.Disabled, SfSyncAction.Frozen,
            SfSyncAction.Reactivated, SfSyncAction.Promoted, SfSyncAction.Demoted,
        };

        private readonly StateStore _store;
        private readonly RunLock _lock;
        private readonly List<string> _warnings = new List<string>();
        private readonly Dictionary<string, SfProvisionedRecord> _known;
        private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly SfSyncRun _counts = new SfSyncRun();
        private bool _finished;

        /// <param name="whatIf">A -WhatIf run reads the store (delta, who is absent) but records nothing: no run,
        /// no fingerprints, nobody forgotten, so the next real run still writes what this one only showed.</param>
        /// <param name="configuration">The map and preferences of this run (<see cref="RuleConfiguration"/>), part of every fingerprint.</param>
        public RuleRun(StateStore store, SfProvisioningRule rule, string scope, string keyField, bool full, string command, string configuration = null, bool whatIf = false)
        {
            Configuration = configuration ?? "";
            _store = store;
            Rule = rule;
            Scope = scope;
            KeyField = keyField;
            Full = full;
            WhatIf = whatIf;
            _lock = store.LockScope(scope);
            try
            {
                if (_lock.Warning != null) _warnings.Add(_lock.Warning);
                if (!whatIf)
                {
                    foreach (SfSyncRun gone in store.MarkInterrupted(scope))
                        _warnings.Add($"Run {gone.RunId} of rule '{gone.Rule}' (started {gone.StartedAt:u}) ended without finishing: it is marked Interrupted with what its recorded batches wrote " +
                            $"(Impacted {gone.Impacted}, Success {gone.Success}, Failed {gone.Failed}); this run reconciles the rest.");
                    store.CheckAndKeepCopy();
                }
                _known = store.Provisioned(scope, rule.Name).ToDictionary(r => r.SourceKey, StringComparer.OrdinalIgnoreCase);
                if (!whatIf) RunId = store.StartRun(scope, rule.Name, command?.Trim());
            }
            catch
            {
                _lock.Dispose();
                throw;
            }
        }

        public bool WhatIf { get; }

        /// <summary>The connection's run lock this run holds (renewed or checked in the background).</summary>
        internal RunLock Lock => _lock;

        /// <summary>What the start of the run found and repaired (a lock taken over, runs marked interrupted), for Write-Warning.</summary>
        public IReadOnlyList<string> Warnings => _warnings;

        public SfProvisioningRule Rule { get; }
        public string Scope { get; }
        public string KeyField { get; }
        public bool Full { get; }
        public long RunId { get; }
        public string Configuration { get; }

        public string KeyOf(SourceUser user) => user.Fields.TryGetValue(KeyField, out object key) ? Convert.ToString(key, CultureInfo.InvariantCulture)?.Trim() : null;

        /// <summary>
        /// The failed result of a row that lacks the rule's key (a renamed or missing column), else null. Such a
        /// row is never matched, never answered from the store, and counts as absent for the complete scope.
        /// </summary>
        public SfUserSyncResult WithoutKey(SourceUser user)
        {
            if (!string.IsNullOrEmpty(KeyOf(user))) return null;
            return new SfUserSyncResult
            {
                ObjectType = KeyField == "Username" ? "User" : null,
                Outcome = SfSyncAction.Failed,
                ErrorCode = "MissingKey",
                Message = $"The input has no {KeyField}, which rule '{Rule.Name}' matches and remembers people by; it was not synced and counts as absent from the scope.",
                Remedy = $"Check the export's columns (was the {KeyField} column renamed?), or map {KeyField} to the right source property in the rule's attribute map (Set-SfProvisioningRule -AttributeMap).",
                InputIndex = user.Index,
                InputObject = user.Input,
            };
        }

        /// <summary>
        /// True (with its result) when this person's source data is exactly what the last successful run
        /// wrote: nothing needs reading or writing. -Full turns this off.
        /// </summary>
        public bool UnchangedSinceLastRun(SourceUser user, out SfUserSyncResult result)
        {
            result = null;
            string key = KeyOf(user);
            if (key == null) return false;
            _seen.Add(key);
            if (Full || !_known.TryGetValue(key, out SfProvisionedRecord last)) return false;
            if (last.Fingerprint != FingerprintOf(user) || !Enum.TryParse(last.LastAction, out SfSyncAction action) || !Settled.Contains(action)) return false;
            result = new SfUserSyncResult
            {
                Username = key,
                ObjectType = last.ObjectType ?? "User",
                SalesforceId = last.SalesforceId,
                Outcome = SfSyncAction.Unchanged,
                Message = "Unchanged since the last run of this rule (delta); -Full reads Salesforce again.",
                InputIndex = user.Index,
                InputObject = user.Input,
            };
            return true;
        }

        /// <summary>The record type this rule recorded for the person last time (Leads and Contacts), or null.</summary>
        public SfRecordType? LastRecordType(SourceUser user)
        {
            string key = KeyOf(user);
            if (key == null || !_known.TryGetValue(key, out SfProvisionedRecord last)) return null;
            return Enum.TryParse(last.ObjectType, out SfRecordType type) ? type : (SfRecordType?)null;
        }

        /// <summary>Records a batch's results in one transaction and counts them for the run's status.</summary>
        public void Record(IReadOnlyList<SfUserSyncResult> results, IReadOnlyDictionary<int, SourceUser> sources)
        {
            var records = new List<SfProvisionedRecord>();
            foreach (SfUserSyncResult result in results)
            {
                if (result.LeftToBulkJob) continue; // the job's: the run that follows it to its end records and counts it
                Count(result);
                if (!sources.TryGetValue(result.InputIndex, out SourceUser source) || result.Username == null) continue;
                bool provisioned = result.SalesforceId != null || _known.ContainsKey(result.Username);
                if (!provisioned) continue; // skipped before it ever existed: the rule did not provision it
                records.Add(new SfProvisionedRecord
                {
                    SourceKey = result.Username,
                    SalesforceId = result.SalesforceId,
                    // Leads and Contacts: the type the source asked for, so a later run can tell whether the
                    // source changed it (a lead converted in Salesforce is not the source changing its mind).
                    // A failed result leaves it as recorded before (none yet: unknown), so a promotion or demotion
                    // that failed or stopped half done is still a change of type to the next run, which finishes it.
                    ObjectType = result.RecordTypeAsked == null ? result.ObjectType
                        : result.Outcome != SfSyncAction.Failed ? result.RecordTypeAsked
                        : _known.TryGetValue(result.Username, out SfProvisionedRecord before) ? before.ObjectType : null,
                    Fingerprint = result.Outcome == SfSyncAction.Failed || result.Unsettled ? null : FingerprintOf(source),
                    LastAction = result.Action.ToString(),
                    LastErrorCode = result.ErrorCode,
                    LastMessage = result.Message,
                });
            }
            if (!WhatIf) _store.Record(Scope, Rule.Name, RunId, records, _counts);
            if (_lock.Lost) throw _lock.LostError;
        }

        /// <summary>Keys this rule provisioned that the run's input did not contain.</summary>
        public IReadOnlyList<string> Absent() => _known.Keys.Where(k => !_seen.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();

        public int ProvisionedCount => _known.Count;

        /// <summary>
        /// How many inputs this run will send to Salesforce in all, estimated from the rule's last known scope
        /// (the people it provisioned) and the share of the input seen so far that was not answered from the store.
        /// </summary>
        /// <param name="inputsSeen">Inputs the run has taken so far.</param>
        /// <param name="inputsToSalesforce">Of those, the ones sent (or about to be sent) to Salesforce.</param>
        /// <param name="endOfInput">The input has ended: the count is exact.</param>
        public long ExpectedInputsToSalesforce(long inputsSeen, long inputsToSalesforce, bool endOfInput)
        {
            if (endOfInput || inputsSeen <= 0) return inputsToSalesforce;
            long scope = Math.Max(_known.Count, inputsSeen);
            return Math.Max(inputsToSalesforce, inputsToSalesforce * scope / inputsSeen);
        }

        /// <summary>Deprovisioned records leave the rule's scope; if they come back, they are provisioned again.</summary>
        public void Forget(IEnumerable<string> keys)
        {
            if (!WhatIf) _store.Forget(Scope, Rule.Name, keys);
        }

        public void Finish(string error = null)
        {
            if (_finished) return;
            _finished = true;
            if (WhatIf) return;
            string status = error != null ? "Stopped" : _counts.Failed > 0 ? "CompletedWithErrors" : "Succeeded";
            _store.FinishRun(RunId, _counts, status, error);
        }

        private void Count(SfUserSyncResult result)
        {
            bool wrote = result.Outcome != SfSyncAction.Unchanged && result.Outcome != SfSyncAction.Skipped;
            if (wrote) _counts.Impacted++;
            if (result.Outcome == SfSyncAction.Skipped) _counts.Unsynced++;
            else if (result.Outcome == SfSyncAction.Failed)
            {
                if (result.PartiallyApplied) _counts.Partial++;
                else _counts.Failed++;
            }
            else _counts.Success++;
        }

        /// <summary>The source row and this run's configuration, reduced to one hash.</summary>
        public string FingerprintOf(SourceUser user) => Fingerprint(user, Configuration);

        /// <summary>What the source asked for, reduced to a hash: fields, state, access lists.</summary>
        /// <param name="configuration">The run's map and preferences (<see cref="RuleConfiguration"/>): one hash covers row and rule.</param>
        public static string Fingerprint(SourceUser user, string configuration = null)
        {
            var text = new StringBuilder();
            if (!string.IsNullOrEmpty(configuration)) text.Append("rule=").Append(configuration).Append('\n');
            foreach (var pair in user.Fields.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
                text.Append(pair.Key.ToLowerInvariant()).Append('=').Append(Flatten(pair.Value)).Append('\n');
            text.Append("enabled=").Append(user.Enabled?.ToString() ?? "").Append("\ndeleted=").Append(user.Deleted)
                .Append("\nprofile=").Append(user.ProfileName).Append("\naccount=").Append(user.AccountId).Append("\ntype=").Append(user.RecordType)
                .Append("\nsets=").Append(user.PermissionSets == null ? "<none>" : string.Join(";", user.PermissionSets.OrderBy(s => s, StringComparer.OrdinalIgnoreCase)))
                .Append("\ngroups=").Append(user.Groups == null ? "<none>" : string.Join(";", user.Groups.OrderBy(s => s, StringComparer.OrdinalIgnoreCase)));
            using (var sha = SHA256.Create())
                return Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString())));
        }

        private static string Flatten(object value)
        {
            if (value == null) return "<null>";
            if (value is string s) return s;
            if (value is System.Collections.IEnumerable list) return string.Join(";", list.Cast<object>().Select(Flatten));
            if (value is DateTime dt) return Instant.Format(Instant.From(dt));
            if (value is DateTimeOffset dto) return Instant.Format(dto);
            return Convert.ToString(value, CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
            // When the store cannot be written (the run already stopped for that), the next run marks this
            // one Interrupted and takes its lock over.
            try { Finish("The run ended before it finished (stopped or failed)."); }
            catch (SalesforceException) { }
            try { _lock.Dispose(); }
            catch (SalesforceException) { }
        }
    }
}
