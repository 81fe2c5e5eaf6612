using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>The planned change for one source user: what to write, and the action it amounts to.</summary>
    public sealed class UserPlan : ISyncPlan
    {
        internal UserPlan(SourceUser source) { Source = source; }

        public SourceUser Source { get; }
        public string Username => Source.Username;
        public string UserId { get; internal set; }

        /// <summary>The matched Salesforce user, as read.</summary>
        internal UserRecord Existing { get; set; }

        /// <summary>A community user's contact to create before the user (Communities target).</summary>
        internal JObject NewContact { get; set; }
        public SfSyncAction Action { get; internal set; }

        /// <summary>What the lifecycle policy decided for an existing user (null for new users and failed input).</summary>
        internal LifecycleDecision Decision { get; set; }

        private JObject _create, _update;
        private PackedRecord _packedCreate, _packedUpdate;

        /// <summary>Fields of a new user (POST), or the changed fields of an existing one (PATCH).</summary>
        /// <remarks>Unpacked again when asked for after <see cref="Pack"/>: the bulk path reads <see cref="PackedCreate"/> instead.</remarks>
        public JObject Create
        {
            get
            {
                if (_packedCreate != null) { _create = _packedCreate.Unpack(); _packedCreate = null; }
                return _create;
            }
            internal set { _create = value; _packedCreate = null; }
        }

        public JObject Update
        {
            get
            {
                if (_packedUpdate != null) { _update = _packedUpdate.Unpack(); _packedUpdate = null; }
                return _update;
            }
            internal set { _update = value; _packedUpdate = null; }
        }

        /// <summary>The plan creates a user (whether its fields are packed or not).</summary>
        internal bool CreatesUser => _create != null || _packedCreate != null;
        internal bool UpdatesUser => _update != null || _packedUpdate != null;

        /// <summary>The create's or update's fields while packed (null once unpacked or when there is none).</summary>
        internal PackedRecord PackedCreate => _packedCreate;
        internal PackedRecord PackedUpdate => _packedUpdate;

        /// <summary>The update deactivates the user (read without unpacking it).</summary>
        internal bool Deactivates
        {
            get
            {
                JToken active = _packedUpdate != null ? _packedUpdate.Value("IsActive") : _update?["IsActive"];
                return active?.Type == JTokenType.Boolean && !active.Value<bool>();
            }
        }

        /// <summary>
        /// For a write held long before it is sent (a bulk run carries up to a job's worth): the create's and
        /// update's fields go into compact buffers and the matched user's record, needed only to plan, is let go.
        /// </summary>
        internal void Pack()
        {
            if (_create != null) { _packedCreate = PackedRecord.Pack(_create); _create = null; }
            if (_update != null) { _packedUpdate = PackedRecord.Pack(_update); _update = null; }
            Existing = null;
        }

        /// <summary>A UserLogin change: true to freeze, false to unfreeze.</summary>
        public bool? Freeze { get; internal set; }
        internal string UserLoginId { get; set; }

        public List<string> ChangedFields { get; } = new List<string>();

        /// <summary>Permission set assignments and public group memberships to add or remove.</summary>
        public List<AccessChange> Access { get; } = new List<AccessChange>();
        public string ErrorCode { get; internal set; }
        public string Message { get; internal set; }
        public string Remedy { get; internal set; }

        internal bool PartiallyApplied { get; private set; }

        /// <summary>Licence seats this plan takes (given back when its write fails).</summary>
        internal List<SfLicence> SeatsTaken { get; } = new List<SfLicence>();

        /// <summary>The manager's key when the manager is created in this run: ManagerId is set in the second pass.</summary>
        internal string PendingManagerKey { get; set; }

        /// <summary>The manager's key that found no one when planned: set later in this run if a later input creates that manager.</summary>
        internal string UnfoundManagerKey { get; set; }

        /// <summary>
        /// The source names a manager this run could not set (not in Salesforce, ambiguous, not created): a rule
        /// keeps no fingerprint for the user, so its next run looks the manager up again instead of skipping it.
        /// </summary>
        internal bool ManagerNotSet { get; set; }

        /// <summary>What resolving the source's references said (a manager not in Salesforce), added to the message.</summary>
        internal List<string> Notes { get; } = new List<string>();

        public bool IsWrite => CreatesUser || UpdatesUser || Freeze.HasValue || Access.Count > 0 || PendingManagerKey != null;

        /// <summary>All of this plan's writes succeeded.</summary>
        internal bool Written { get; set; }

        /// <summary>An answer to one of this plan's writes was lost: unless confirmed later, the result is NotConfirmed.</summary>
        internal bool AnswerLost { get; set; }

        /// <summary>Every access change of this plan was sent and answered (set by the access writes).</summary>
        internal bool AccessAnswered { get; set; }

        /// <summary>Some access change of this plan is in Salesforce as asked, or may be (its answer was lost).</summary>
        internal bool AccessMayBeWritten { get; set; }

        /// <summary>Nothing of the user itself to create or write (no fields, freeze, manager or contact): at most access changes.</summary>
        internal bool OnlyAccess => Action != SfSyncAction.Created && !CreatesUser && !UpdatesUser && !Freeze.HasValue && PendingManagerKey == null && NewContact == null;
        internal int OutstandingWrites { get; set; }

        /// <summary>
        /// Takes over the plan made after reading back a user whose create was in doubt. If it needs no
        /// further write, our create did happen: the action stays Created.
        /// </summary>
        internal void AdoptReconciled(UserPlan replanned, bool createdByThisRun = true)
        {
            UserId = replanned.UserId;
            Create = null;
            Update = replanned.Update;
            Freeze = replanned.Freeze;
            UserLoginId = replanned.UserLoginId;
            ChangedFields.Clear();
            ChangedFields.AddRange(replanned.ChangedFields);
            if (replanned.Action == SfSyncAction.Failed) Fail(replanned.ErrorCode, replanned.Message, replanned.Remedy);
            else if (replanned.Action == SfSyncAction.Unchanged && !createdByThisRun)
            {
                Action = SfSyncAction.Unchanged;
                Message = "Already in Salesforce as the source says: created a moment ago by someone else (another run on this org, or an admin), found when Salesforce reported a duplicate Username.";
            }
            else if (replanned.Action == SfSyncAction.Unchanged) Message = "Created; confirmed by reading the user back after Salesforce's answer was lost or reported a duplicate.";
            else
            {
                Action = replanned.Action;
                Message = "The user already existed (found when Salesforce reported a duplicate Username); updated instead.";
            }
        }

        /// <summary>
        /// What a resumed Bulk API 2.0 job of a stopped run did to this user (Created or Updated), reported by this
        /// run in place of Unchanged or Updated, with <see cref="ReportedNote"/>; null when no resumed job wrote it.
        /// </summary>
        internal SfSyncAction? ReportedAs { get; set; }
        internal string ReportedNote { get; set; }

        /// <summary>The run stopped while a Bulk API 2.0 job was processing this user: why, for its result (the job's, reported later).</summary>
        internal string LeftInBulkJob { get; set; }

        /// <summary>The resumed job's note, saying whether this run still wrote something for the user (its access, a changed field).</summary>
        private string ResumedJobMessage()
        {
            string note = ReportedNote + (Action == SfSyncAction.Updated ? ", and wrote what was still to do." : ".");
            return string.IsNullOrEmpty(Message) ? note : note + " " + Message;
        }

        private bool ReportsResumedJob => ReportedAs != null && (Action == SfSyncAction.Unchanged || Action == SfSyncAction.Updated);

        /// <summary>The operation name and target text for ShouldProcess.</summary>
        public string Operation => Action.ToString().Replace("Created", "Create").Replace("Updated", "Update").Replace("Disabled", "Disable").Replace("Frozen", "Freeze").Replace("Reactivated", "Reactivate") + " Salesforce user";

        public string Target
        {
            get
            {
                var changes = Create ?? Update;
                string fields = changes == null ? "" : string.Join(", ", changes.Properties().Select(p => $"{p.Name}={Show(p.Value)}"));
                string login = Freeze.HasValue ? (Freeze.Value ? "UserLogin.IsFrozen=true" : "UserLogin.IsFrozen=false") : "";
                string access = string.Join(", ", Access.Select(a => a.ToString()));
                string manager = PendingManagerKey != null ? $"ManagerId=<'{PendingManagerKey}', once created>" : "";
                return $"{Username} ({string.Join("; ", new[] { fields, login, access, manager }.Where(s => s.Length > 0))})";
            }
        }

        private static string Show(JToken value) => value.Type == JTokenType.Null ? "<cleared>" : value.ToString();

        public void Decline() => Skip("Declined at the confirmation prompt.", null);

        SfUserSyncResult ISyncPlan.ToResult(bool whatIf) => ToResult(whatIf);

        /// <summary>
        /// The parts of this plan's write Salesforce confirmed (the user's create or update, the UserLogin freeze):
        /// a failure after one of them is partly applied, and its message says what was written and what not.
        /// </summary>
        private readonly List<string> _writtenParts = new List<string>();

        internal void PartWritten(RecordWrite write) => _writtenParts.Add(PartOf(write.SObjectType, write.Kind));

        private string PartOf(string sObjectType, WriteKind kind)
            => sObjectType == "UserLogin" ? $"the {(Freeze == false ? "unfreeze" : "freeze")} (UserLogin.IsFrozen)"
             : sObjectType == "Contact" ? "the community user's contact"
             : kind == WriteKind.Create ? "the user's create"
             : $"the user's update ({string.Join(", ", Update?.Properties().Select(p => p.Name) ?? Enumerable.Empty<string>())})";

        private IEnumerable<string> Parts()
        {
            if (Create != null) yield return PartOf("User", WriteKind.Create);
            if (Update != null) yield return PartOf("User", WriteKind.Update);
            if (Freeze.HasValue) yield return PartOf("UserLogin", WriteKind.Update);
            if (Access.Count > 0) yield return $"its access ({string.Join(", ", Access.Select(a => a.Kind).Distinct())})";
        }

        internal void Fail(string code, string message, string remedy)
        {
            if (_writtenParts.Count > 0)
            {
                PartiallyApplied = true;
                message = $"Written: {string.Join(", ", _writtenParts)}. Not written: {string.Join(", ", Parts().Except(_writtenParts))}: {message}";
            }
            Action = SfSyncAction.Failed;
            ErrorCode = code;
            Message = message;
            Remedy = remedy;
            Create = null;
            Update = null;
            Freeze = null;
            Access.Clear();
            PendingManagerKey = null;
        }

        /// <summary>
        /// A write that may have been carried out (its answer was lost) and that this run could not confirm: never a
        /// definite failure, no fingerprint, and the next run reads it back. <paramref name="message"/>: why it stays open.
        /// </summary>
        internal void FailNotConfirmed(string message) => Fail(NotConfirmed.Code, message, Remedies.For(NotConfirmed.Code));

        /// <summary>A failure after the user itself was written: the result says what did happen.</summary>
        internal void FailAfterWrite(string code, string message, string remedy)
        {
            PartiallyApplied = true;
            Action = SfSyncAction.Failed;
            ErrorCode = code;
            Message = message;
            Remedy = remedy;
        }

        internal void Skip(string reason, string remedy)
        {
            Action = SfSyncAction.Skipped;
            Message = reason;
            Remedy = remedy;
            Create = null;
            Update = null;
            Freeze = null;
            Access.Clear();
            PendingManagerKey = null;
        }

        internal SfUserSyncResult ToResult(bool whatIf) => new SfUserSyncResult
        {
            Username = Username,
            SalesforceId = UserId,
            Outcome = ReportsResumedJob ? ReportedAs.Value : Action,
            ChangedFields = new SfFieldList(ChangedFields.ToArray()),
            ErrorCode = ErrorCode,
            Message = ReportsResumedJob ? ResumedJobMessage() : Message,
            Remedy = Remedy,
            WhatIf = whatIf && IsWrite,
            InputIndex = Source.Index,
            InputObject = Source.Input,
            PartiallyApplied = PartiallyApplied,
            Unsettled = ManagerNotSet,
            LeftToBulkJob = Action == SfSyncAction.Failed && ErrorCode == BulkIngest.JobLeftRunningCode,
        };
    }
}
