using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// The loop every user-changing cmdlet shares: buffer piped users into windows, plan each window,
    /// ask ShouldProcess once per change, write, and emit exactly one result per input (plus one
    /// ErrorRecord per failure), with progress and a closing summary on the information stream.
    /// </summary>
    public abstract class UserSyncCmdlet : SfConnectedCmdlet
    {
        private readonly List<SourceUser> _window = new List<SourceUser>();
        // Inputs refused before any call (null, no key): they count in the window and come out with it, so
        // their error (terminating under -ErrorAction Stop) follows the results of every write before them.
        private readonly List<SfUserSyncResult> _refused = new List<SfUserSyncResult>();
        // Inputs planned but without a result yet (their writes may be carried to a later window).
        private readonly Dictionary<int, SourceUser> _unreported = new Dictionary<int, SourceUser>();
        private readonly Dictionary<SfSyncAction, int> _counts = Enum.GetValues(typeof(SfSyncAction)).Cast<SfSyncAction>().ToDictionary(a => a, a => 0);
        private SfProvisioningConnection _connection;
        private ISyncEngine _engine;
        private int _inputCount;
        private long _inputsPlanned;
        private long _apiCallsAtStart;
        private SyncProgress _progress;

        /// <summary>Users per window: matched and written together (at most 1,000 records per counted call).</summary>
        [Parameter]
        [ValidateRange(1, 10000)]
        public int BatchSize { get; set; } = 2000;

        /// <summary>Composite requests in flight at once (Salesforce limits requests of 20 s or longer to 25 at once in production orgs, 5 in Developer Edition orgs).</summary>
        [Parameter]
        [ValidateRange(1, CompositeWriter.MostInFlight)]
        public int MaxConcurrentRequests { get; set; } = CompositeWriter.DefaultMaxInFlight;

        protected abstract UserSyncPolicy CreatePolicy(SfProvisioningConnection connection);

        protected abstract SfAttributeMap CreateMap();

        /// <summary>Users for the Salesforce and Communities targets; the Leads and Contacts target overrides.</summary>
        protected virtual ISyncEngine CreateEngine(SfProvisioningConnection connection, SfAttributeMap map, UserSyncPolicy policy)
        {
            if (connection.Target == SfTarget.LeadsAndContacts)
            {
                ThrowTerminatingError(new ErrorRecord(new NotSupportedException($"{MyInvocation.MyCommand.Name} acts on Salesforce users; the connection's target is Leads and Contacts."), "TargetNotSupported", ErrorCategory.InvalidOperation, connection)
                { ErrorDetails = new ErrorDetails($"{MyInvocation.MyCommand.Name} acts on Salesforce users; the connection's target is Leads and Contacts.") { RecommendedAction = "Use Sync-SfUser with a Deleted or Enabled property to remove Leads and Contacts, or a connection with -Target Salesforce." } });
            }
            return new UserSyncEngine(connection, map, policy, MaxConcurrentRequests);
        }

        protected int NextInputIndex() => _inputCount++;

        /// <summary>The provisioning rule's run, when the sync runs under a rule (state, delta, complete scope).</summary>
        protected RuleRun RuleRun { get; set; }

        /// <summary>The input is the rule's whole scope: users it provisioned earlier and now absent are deprovisioned.</summary>
        protected bool DeprovisionAbsent { get; set; }

        /// <summary>Deprovision beyond the rule's guard.</summary>
        protected bool ForceDeprovision { get; set; }

        /// <summary>-Force: no confirmation prompt for the changes (-WhatIf still previews them).</summary>
        protected virtual bool SkipConfirmation => false;
        /// <summary>-Force: the connection's own user may be deactivated or frozen like anyone else.</summary>
        protected virtual bool MaySignOutIntegrationUser => false;

        /// <summary>The attribute map of this run, made once in BeginProcessing.</summary>
        protected SfAttributeMap Map { get; private set; }

        /// <summary>Source properties of a custom map that no input has: warned about once, before the first batch is written.</summary>
        private SourcePropertyCheck _propertyCheck;

        internal void ObserveInput(InputProperties properties)
        {
            if (_propertyCheck != null && _propertyCheck.Watching) _propertyCheck.Observe(properties.Names);
        }

        protected override void BeginProcessing()
        {
            _progress = new SyncProgress(this, MyInvocation.MyCommand.Name);
            _connection = ResolveAuthenticatedConnection();
            _apiCallsAtStart = _connection.Client.ApiCallCount;
            Map = CreateMap();
            _propertyCheck = new SourcePropertyCheck(Map);
            UserSyncPolicy policy = CreatePolicy(_connection);
            policy.MaySignOutIntegrationUser = MaySignOutIntegrationUser;
            _engine = CreateEngine(_connection, Map, policy);
            try
            {
                _progress.Phase("Reading the org");
                policy.IntegrationUserId = Run(_connection, ct => _connection.Client.GetUserIdAsync(ct));
                Run(_connection, ct => _engine.PrepareAsync(ct));
                foreach (ResumedBulkJob job in (_engine as UserSyncEngine)?.ResumedBulkJobs ?? Array.Empty<ResumedBulkJob>())
                    WriteWarning($"Resumed the Bulk API 2.0 {job.Info} that {job.SubmittedBy} left running: this run reports its records as the job left them (created, updated or failed), not written again, and writes those it never processed.");
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, _connection);
            }
        }

        protected void Add(SourceUser user)
        {
            ThrowIfStopped(); // SIGTERM while the input was read (Import-Csv): no more of it is taken
            SfUserSyncResult keyless = RuleRun?.WithoutKey(user);
            if (keyless != null)
            {
                Refuse(keyless);
                return;
            }
            if (RuleRun != null) user.LastRecordType = RuleRun.LastRecordType(user);
            if (RuleRun != null && RuleRun.UnchangedSinceLastRun(user, out SfUserSyncResult unchanged))
            {
                _unreported[user.Index] = user;
                Deliver(new List<SfUserSyncResult> { unchanged });
                return;
            }
            _window.Add(user);
            if (_window.Count + _refused.Count >= BatchSize) Flush();
        }

        /// <summary>An input refused before any call: its result and error come with its window's.</summary>
        protected void Refuse(SfUserSyncResult refused)
        {
            ThrowIfStopped();
            _refused.Add(refused);
            if (_window.Count + _refused.Count >= BatchSize) Flush();
        }

        protected override void EndProcessing()
        {
            _progress.Total = _inputCount; // the pipeline has ended: from here on progress has a percentage
            FlushAndCollect(endOfInput: true);
            FinishResumedJobs(); // every input's result is recorded: a stop during the deprovisioning below no longer leaves the job to be reported again
            if (RuleRun != null && DeprovisionAbsent) DeprovisionAbsentUsers();
            RuleRun?.Finish();
            _progress.Complete();
            // An object whose text is the one-line summary: -InformationVariable keeps it for Export-SfSyncReport.
            var summary = new SfSyncSummary
            {
                Command = MyInvocation.MyCommand.Name,
                Inputs = _inputCount,
                Actions = _counts.ToDictionary(c => c.Key.ToString(), c => c.Value),
                ApiCallsUsed = _connection.Client.ApiCallCount - _apiCallsAtStart,
                Matching = _engine.MatchingStrategy?.ToString(),
                // Deactivating frees a licence seat; freezing keeps it.
                LicenceSeatsFreed = (_engine as UserSyncEngine)?.Licences.SeatsFreed ?? 0,
                FrozenKeepingSeats = _counts[SfSyncAction.Frozen],
                LicenceSeats = (_engine as UserSyncEngine)?.Licences.Planned.Select(l => l.ToString()).ToList() ?? new List<string>(),
                Writes = WritePathText(),
                Reads = ReadPathText(),
            };
            WriteInformation(new InformationRecord(summary, MyInvocation.MyCommand.Name) { Tags = { "Summary" } });
        }

        /// <summary>The write path of a bulk run, or (under -WhatIf) the one the changes would take, also said as a What if line.</summary>
        private string WritePathText()
        {
            bool whatIf = IsWhatIf();
            WritePathDecision path = (_engine as UserSyncEngine)?.DescribeWritePath(whatIf);
            if (path == null) return null;
            if (whatIf)
            {
                ShouldProcess($"User creates and updates would be written as {path}", null, null);
                return "would use " + path;
            }
            IReadOnlyList<string> jobs = ((UserSyncEngine)_engine).BulkJobIds;
            return path + (jobs.Count > 0 ? $" (job{(jobs.Count > 1 ? "s" : "")} {string.Join(", ", jobs)})" : "");
        }

        /// <summary>The read path of the scan of every user when it used a query job, or (under -WhatIf) whichever it used, also said as a What if line.</summary>
        private string ReadPathText()
        {
            var engine = _engine as UserSyncEngine;
            ReadPathDecision path = engine?.DescribeReadPath();
            if (path == null) return null;
            if (IsWhatIf())
            {
                ShouldProcess($"All users of the org were read through {path}", null, null);
                return path.ToString();
            }
            if (!path.IsBulk) return null;
            IReadOnlyList<string> jobs = engine.BulkQueryJobIds;
            return path + (jobs.Count > 0 ? $" (job{(jobs.Count > 1 ? "s" : "")} {string.Join(", ", jobs)})" : "");
        }

        private void Flush() => FlushAndCollect(endOfInput: false);

        /// <summary>
        /// Plans and writes the window; the results are the window's and those of earlier inputs whose
        /// carried writes went out now. At the end of the input, every carried write is sent.
        /// </summary>
        private List<SfUserSyncResult> FlushAndCollect(bool endOfInput)
        {
            foreach (string warning in _propertyCheck?.TakeWarnings() ?? Array.Empty<string>()) WriteWarning(warning);
            if (_window.Count == 0 && _refused.Count == 0 && !endOfInput) return new List<SfUserSyncResult>();
            var window = _window.ToList();
            _window.Clear();
            foreach (SourceUser user in window) _unreported[user.Index] = user;
            var results = new List<SfUserSyncResult>(_refused);
            var delivered = new List<SfUserSyncResult>();
            _refused.Clear();
            try
            {
                _inputsPlanned += window.Count;
                // A rule knows its last scope: the engine may read the whole org at once rather than query per window.
                if (RuleRun != null && _engine is UserSyncEngine users)
                    users.ExpectedInputs = RuleRun.ExpectedInputsToSalesforce(_inputCount, _inputsPlanned, endOfInput);
                if (window.Count > 0) PlanAndExecute(window, results);
                // An error may end the command (-ErrorAction Stop): the writes planned before it (carried from
                // earlier windows too) go out first, so the error never strands them unwritten or unreported.
                // Where errors do not stop it, the writes stay carried (a few bad rows must not split a load
                // into small writes, nor keep it off Bulk API 2.0).
                if (endOfInput || (results.Any(r => r.Outcome == SfSyncAction.Failed) && ErrorsMayStopTheCommand()))
                {
                    _progress.Phase("Writing the remaining changes");
                    // What the writes still in flight did is recorded before the rest is sent (a store that cannot
                    // record stops the run before its next write), unless one of them failed where an error may
                    // end the command: then they come out with the rest, after every carried write.
                    int mark = results.Count;
                    Run(_connection, ct => _engine.CollectSentAsync(results));
                    var sent = results.GetRange(mark, results.Count - mark);
                    if (sent.Count > 0 && !(sent.Any(r => r.Outcome == SfSyncAction.Failed) && ErrorsMayStopTheCommand()))
                    {
                        results.RemoveRange(mark, sent.Count);
                        Deliver(sent);
                        delivered.AddRange(sent);
                    }
                    Run(_connection, ct => _engine.FinishAsync(results, ct));
                }
            }
            catch (SalesforceException ex)
            {
                // Nothing lost: writes already sent give their results; inputs the failure left without one
                // (this window's or carried) get one saying why.
                CollectSent(results);
                var reported = new HashSet<int>(results.Select(r => r.InputIndex));
                results.AddRange(_unreported.Values.Where(u => !reported.Contains(u.Index)).OrderBy(u => u.Index).Select(u => SfUserSyncResult.NotSynced(u, ex)));
                Deliver(results);
                RuleRun?.Finish(ex.Message);
                ThrowFor(ex, _connection);
            }
            catch (PipelineStoppedException)
            {
                // Ctrl+C or SIGTERM: the pipeline takes no more output, but what the sent writes did is
                // recorded (the engine waited for their answers), so the store and the run's counts hold it.
                // Writes still carried were never sent: nothing to record for them.
                CollectSent(results);
                if (RuleRun != null)
                {
                    try
                    {
                        RuleRun.Record(results, TakeSources(results));
                        RuleRun.Finish("Stopped (Ctrl+C or a stop signal) between requests; what was written before is recorded.");
                    }
                    catch (SalesforceException) { } // the next run marks it Interrupted and reconciles
                }
                throw;
            }
            Deliver(results);
            delivered.AddRange(results);
            return delivered;
        }

        /// <summary>-ErrorAction (or $ErrorActionPreference) is Stop, Inquire or the like: an error result may end the command.</summary>
        private bool ErrorsMayStopTheCommand()
        {
            object preference = MyInvocation.BoundParameters.TryGetValue("ErrorAction", out object bound) ? bound : SessionState.PSVariable.GetValue("ErrorActionPreference");
            if (!LanguagePrimitives.TryConvertTo(preference, out ActionPreference action)) return true;
            return action != ActionPreference.Continue && action != ActionPreference.SilentlyContinue && action != ActionPreference.Ignore;
        }

        private void PlanAndExecute(List<SourceUser> window, List<SfUserSyncResult> results)
        {
            _progress.Phase($"Planning {window.Count} user(s)");
            IReadOnlyList<ISyncPlan> plans = Run(_connection, ct => _engine.PlanWindowAsync(window, ct));
            bool whatIf = IsWhatIf();
            var accepted = new List<ISyncPlan>();
            foreach (ISyncPlan plan in plans)
            {
                if (!plan.IsWrite) { accepted.Add(plan); continue; }
                if (ShouldChange(plan.Target, plan.Operation, SkipConfirmation)) accepted.Add(plan);
                else if (whatIf) results.Add(plan.ToResult(whatIf: true));
                else { plan.Decline(); accepted.Add(plan); }
            }
            _progress.Phase($"Writing {accepted.Count(p => p.IsWrite)} change(s)");
            Run(_connection, ct => _engine.ExecuteAsync(accepted, results, ct));
        }

        /// <summary>Takes the results' inputs off the unreported list (this window's or carried from earlier ones).</summary>
        private Dictionary<int, SourceUser> TakeSources(List<SfUserSyncResult> results)
        {
            var sources = new Dictionary<int, SourceUser>();
            foreach (SfUserSyncResult result in results)
            {
                if (_unreported.TryGetValue(result.InputIndex, out SourceUser source)) sources[result.InputIndex] = source;
                _unreported.Remove(result.InputIndex);
            }
            return sources;
        }

        /// <summary>
        /// Records a batch's results, then writes them out: recorded first, so a stop that ends the output
        /// (Ctrl+C during WriteObject) cannot lose what was written. When the store cannot record, the results
        /// are still shown, and the run stops before its next Salesforce write.
        /// </summary>
        private void Deliver(List<SfUserSyncResult> results)
        {
            Dictionary<int, SourceUser> sources = TakeSources(results);
            SalesforceException unrecorded = null;
            try
            {
                RuleRun?.Record(results, sources);
            }
            catch (SalesforceException ex)
            {
                unrecorded = ex;
                // The run stops before its next write: writes already sent give their results; inputs still without
                // one (their writes carried to a later call, or their window not planned yet) are never sent, and say so.
                CollectSent(results);
                var sent = new HashSet<int>(results.Select(r => r.InputIndex));
                foreach (int index in sent) _unreported.Remove(index);
                results = results.Concat(_refused)
                    .Concat(_unreported.Values.Concat(_window).OrderBy(u => u.Index).Select(u => SfUserSyncResult.NotSynced(u, ex))).ToList();
                _refused.Clear();
                _unreported.Clear();
                _window.Clear();
            }
            Emit(results);
            if (unrecorded != null) ThrowFor(unrecorded, RuleRun.Rule.Name);
        }

        /// <summary>Starts the rule's run (lock, checks, copy) and relays what the start repaired as warnings.</summary>
        protected void StartRuleRun(StateStore state, SfProvisioningRule rule, string scope, string keyField, bool full, string configuration = null)
        {
            try
            {
                RuleRun = new RuleRun(state, rule, scope, keyField, full, CommandLineRedaction.Redact(MyInvocation.Line), configuration, whatIf: IsWhatIf());
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, rule.Name);
            }
            foreach (string warning in RuleRun.Warnings) WriteWarning(warning);
        }

        /// <summary>
        /// The Bulk API 2.0 jobs this rule run followed leave the journal only now, when every result is recorded:
        /// a run stopped before (or one under -WhatIf) leaves them to the next run.
        /// </summary>
        private void FinishResumedJobs()
        {
            if (RuleRun == null || RuleRun.WhatIf || !(_engine is UserSyncEngine users)) return;
            try
            {
                foreach (string warning in users.FinishResumedJobs(RuleRun.RunId)) WriteWarning(warning);
            }
            catch (SalesforceException ex)
            {
                WriteWarning($"The Bulk API 2.0 jobs this run followed could not be marked done in the state store ({ex.Message}); the next run follows them again and reports their records as they are then.");
            }
        }

        /// <summary>
        /// The run stops early: writes still in flight (sent while later windows were planned) are waited for,
        /// and their results added; nothing more is sent.
        /// </summary>
        private void CollectSent(List<SfUserSyncResult> results) => _engine?.StopAsync(results).GetAwaiter().GetResult();

        public override void Dispose()
        {
            try
            {
                // Stopped between inputs (Ctrl+C while the pipeline waited for the next one): what the writes in
                // flight did is still recorded, as for a stop during a request.
                var sent = new List<SfUserSyncResult>();
                CollectSent(sent);
                if (sent.Count > 0 && RuleRun != null)
                {
                    try
                    {
                        RuleRun.Record(sent, TakeSources(sent));
                        RuleRun.Finish("Stopped (Ctrl+C or a stop signal) between requests; what was written before is recorded.");
                    }
                    catch (SalesforceException) { } // the next run marks it Interrupted and reconciles
                }
                RuleRun?.Dispose();
                RuleRun = null;
            }
            finally
            {
                base.Dispose(); // always: a command left among the running ones would keep SIGTERM from ending an idle process (StopSignals)
            }
        }

        /// <summary>
        /// Complete scope: the rule's users absent from this input are deprovisioned with the connection's
        /// action, through the same planning and writes; a guard refuses a share above the rule's limit (an
        /// empty or truncated export) unless -Force. Users the module never provisioned are never touched.
        /// </summary>
        private void DeprovisionAbsentUsers()
        {
            IReadOnlyList<string> absent = RuleRun.Absent();
            if (absent.Count == 0) return;
            LifecycleDecision guard = LifecyclePolicy.ForAbsentPeople(RuleRun.Rule.Name, absent.Count, RuleRun.ProvisionedCount, RuleRun.Rule.MaxDeprovisionPercent, ForceDeprovision);
            if (guard.IsSkip)
            {
                RuleRun.Finish(guard.Reason);
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(guard.Reason), "DeprovisionGuard", ErrorCategory.LimitsExceeded, absent)
                { ErrorDetails = new ErrorDetails(guard.Reason) { RecommendedAction = guard.Remedy } });
            }
            foreach (string key in absent) _window.Add(SourceUser.Gone(NextInputIndex(), RuleRun.KeyField, key));
            _progress.Total = _inputCount;
            var results = FlushAndCollect(endOfInput: true);
            try
            {
                RuleRun.Forget(results.Where(r => r.Outcome != SfSyncAction.Failed && r.Outcome != SfSyncAction.Skipped).Select(r => r.Username));
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, RuleRun.Rule.Name);
            }
        }

        /// <summary>
        /// Every result of a batch goes out before any of its errors (Deliver has recorded them already): under
        /// -ErrorAction Stop the first error ends the command, and no record that was written may lose its
        /// result (the rest of the input, in later batches, is then never sent).
        /// </summary>
        private void Emit(List<SfUserSyncResult> results)
        {
            // Stopped (a SIGTERM that PowerShell's own stop may not follow, StopSignals): the results are recorded,
            // and none goes out, as when PowerShell stops the pipeline; no error for each change not sent.
            ThrowIfStopped();
            var ordered = results.OrderBy(r => r.InputIndex).ToList();
            foreach (SfUserSyncResult result in ordered)
            {
                _counts[result.Outcome]++;
                WriteObject(result);
            }
            foreach (SfUserSyncResult result in ordered)
            {
                if (result.Outcome == SfSyncAction.Failed)
                {
                    var exception = new InvalidOperationException($"{result.Username ?? "(no username)"}: {result.Message}");
                    var record = new ErrorRecord(exception, SourceObjects.ErrorId(result.ErrorCode), CategoryFor(result.ErrorCode), result.InputObject)
                    {
                        ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = result.Remedy },
                    };
                    WriteError(record);
                }
            }
            _progress.Done(_counts.Values.Sum());
        }

        private static ErrorCategory CategoryFor(string code)
        {
            switch (code)
            {
                case "DUPLICATE_USERNAME":
                case "DuplicateInput": return ErrorCategory.ResourceExists;
                case "UserNotFound":
                case "UserLoginNotFound":
                case "UnknownProfile":
                case "UnknownRole":
                case "UnknownPermissionSetGroup":
                case "UnknownPermissionSetLicense": return ErrorCategory.ObjectNotFound;
                case "NullInput": return ErrorCategory.InvalidArgument;
                case "FederationIdInUse":
                case "MatchConflict":
                case "AmbiguousMatch":
                case "AmbiguousRole": return ErrorCategory.ResourceExists;
                case "RequestLimitExceeded":
                case "LICENSE_LIMIT_EXCEEDED": return ErrorCategory.LimitsExceeded;
                case "INSUFFICIENT_ACCESS_OR_READONLY": return ErrorCategory.PermissionDenied;
                case "ConnectionDropped":
                case "Timeout": return ErrorCategory.ConnectionError;
                default: return ErrorCategory.InvalidData;
            }
        }
    }

    /// <summary>
    /// Provisions piped users into Salesforce: creates, updates only what changed, disables or freezes,
    /// reactivates, with one result per input.
    /// </summary>
    [Cmdlet(VerbsData.Sync, "SfUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Connection")]
    [OutputType(typeof(SfUserSyncResult))]
    public sealed class SyncSfUserCommand : UserSyncCmdlet
    {
        /// <summary>A user from any source (AD, Entra, CSV, database) or a hashtable.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        /// <summary>How Salesforce fields come from the input (New-SfAttributeMap); by default common property names.</summary>
        [Parameter]
        [ValidateNotNull]
        public SfAttributeMap AttributeMap { get; set; }

        /// <summary>Profile (name or Id) for new users whose input names none.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ProfileNameCompleter))]
        public string Profile { get; set; }

        /// <summary>User fields existing users are matched by, in order of precedence, for example FederationIdentifier, Username (default: the map's, else Username).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] MatchBy { get; set; }

        /// <summary>The User field the input's Manager values name: Username, FederationIdentifier or EmployeeNumber (default: the map's, else Username).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ManagerKeyCompleter))]
        public string ManagerKey { get; set; }

        /// <summary>Public groups from the input's Groups list: Merge (default) adds; Overwrite also removes the user from public groups not listed.</summary>
        [Parameter]
        public SfPermissionSetManagement GroupMembership { get; set; } = SfPermissionSetManagement.Merge;

        /// <summary>Permission sets from the input's PermissionSets list, for this run: Merge adds; Overwrite also removes those not listed. Default: the connection's -PermissionSetManagement.</summary>
        [Parameter]
        public SfPermissionSetManagement PermissionSetManagement { get; set; }

        protected override UserSyncPolicy CreatePolicy(SfProvisioningConnection connection)
        {
            UserSyncPolicy policy = UserSyncPolicy.From(connection);
            policy.GroupMembership = GroupMembership;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(PermissionSetManagement))) policy.PermissionSetManagement = PermissionSetManagement;
            return policy;
        }

        /// <summary>Run under a provisioning rule: its saved connection and map, state recorded, delta detection.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Rule")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RuleNameCompleter))]
        public string Rule { get; set; }

        /// <summary>With -Rule: the input is the whole scope; users the rule provisioned and now absent are deprovisioned.</summary>
        [Parameter(ParameterSetName = "Rule")] public SwitchParameter CompleteScope { get; set; }

        /// <summary>With -Rule: ignore the delta fingerprints and read everything from Salesforce again.</summary>
        [Parameter(ParameterSetName = "Rule")] public SwitchParameter Full { get; set; }

        /// <summary>No confirmation prompts (-WhatIf still previews); deactivate or freeze the connection's own integration user too, when the source says so; with -CompleteScope, also deprovision beyond the rule's guard.</summary>
        [Parameter] public SwitchParameter Force { get; set; }

        protected override bool SkipConfirmation => Force;

        protected override bool MaySignOutIntegrationUser => Force;

        /// <summary>The state store file (default: $env:SFPROVISIONING_STATE_PATH, else the user's local data folder); saved connections sit beside it.</summary>
        [Parameter(ParameterSetName = "Rule")]
        [ValidateNotNullOrEmpty]
        public string StatePath { get; set; }

        /// <summary>With -Rule: a PostgreSQL state store several workers share (an Npgsql connection string without a password).</summary>
        [Parameter(ParameterSetName = "Rule")]
        [ValidateNotNullOrEmpty]
        public string StateConnectionString { get; set; }

        /// <summary>With -Rule: the PostgreSQL state store's user and password.</summary>
        [Parameter(ParameterSetName = "Rule")]
        [Credential]
        public PSCredential StateCredential { get; set; }

        private StateStore _state;
        private SfProvisioningRule _rule;

        public override void Dispose()
        {
            base.Dispose();
            _state?.Dispose();
        }

        protected override void BeginProcessing()
        {
            if (Rule == null)
            {
                base.BeginProcessing();
                return;
            }
            try
            {
                _state = RuleCmdletSupport.Open(this, StatePath, StateConnectionString, StateCredential);
                _rule = _state.GetRule(Rule) ?? throw new SalesforceConfigurationException("Rule", $"No provisioning rule named '{Rule}' exists in {_state.Location}.", "Get-SfProvisioningRule lists them; New-SfProvisioningRule creates one.");
                if (Connection == null) Connection = RuleCmdletSupport.Connections(_state).Load(_rule.ConnectionName, null);
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, Rule);
            }
            base.BeginProcessing();
            string keyField = Connection.Target == SfTarget.LeadsAndContacts ? MatchField : "Username";
            StartRuleRun(_state, _rule, Connection.Name ?? Connection.Domain.Host, keyField, Full, RuleConfiguration.Of(Connection, Map, "groups=" + GroupMembership, "match=" + keyField));
            DeprovisionAbsent = CompleteScope;
            ForceDeprovision = Force;
        }

        /// <summary>The field Leads and Contacts are matched on (Leads and Contacts target only).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string MatchField { get; set; } = "Email";

        /// <summary>Bulk API 2.0 for user creates and updates (and the scan of every user, as a query job): Auto (default) from -BulkApiThreshold on, Always, or Never.</summary>
        [Parameter]
        public SfBulkApiMode UseBulkApi { get; set; } = SfBulkApiMode.Auto;

        /// <summary>With -UseBulkApi Auto: the pending creates and updates from which the run writes through Bulk API 2.0 (default 20,000).</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int BulkApiThreshold { get; set; } = LifecyclePolicy.DefaultBulkApiThreshold;

        protected override ISyncEngine CreateEngine(SfProvisioningConnection connection, SfAttributeMap map, UserSyncPolicy policy)
        {
            if (connection.Target == SfTarget.LeadsAndContacts) return new LeadContactSyncEngine(connection, map, policy, MatchField, MaxConcurrentRequests);
            ISyncEngine engine = base.CreateEngine(connection, map, policy);
            (engine as UserSyncEngine)?.UseBulkApi(UseBulkApi, BulkApiThreshold, _state?.BulkJobs(connection.Name ?? connection.Domain.Host));
            return engine;
        }

        protected override SfAttributeMap CreateMap()
        {
            SfAttributeMap map = AttributeMap
                ?? (_rule?.AttributeMapJson != null ? SfAttributeMap.FromJson(_rule.AttributeMapJson, text => SourceObjects.ToFunction(ScriptBlock.Create(text))) : null)
                ?? (ResolveConnection().Target == SfTarget.LeadsAndContacts ? SfAttributeMap.CreateDefaultForPeople() : SfAttributeMap.CreateDefault());
            if (Profile == null && _rule?.DefaultProfile != null) map = map.WithDefaultProfile(_rule.DefaultProfile);
            if (Profile != null) map = map.WithDefaultProfile(Profile);
            if (MatchBy != null || ManagerKey != null) map = map.WithMatching(MatchBy, ManagerKey);
            return map;
        }

        protected override void ProcessRecord()
        {
            int index = NextInputIndex();
            if (InputObject == null)
            {
                // Even a null input gets its result, so counts of inputs and results always agree.
                Refuse(new SfUserSyncResult { Outcome = SfSyncAction.Failed, ErrorCode = "NullInput", Message = $"Input #{index} is null.", Remedy = "Remove empty rows from the source.", InputIndex = index });
                return;
            }
            var properties = InputProperties.Of(InputObject);
            ObserveInput(properties);
            Add(Map.Evaluate(InputObject, index, properties.Read));
        }
    }
}
