using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace SalesforceProvisioning
{
    /// <summary>
    /// What happened to one input. Users: Created, Updated, Unchanged, Disabled, Frozen, Reactivated;
    /// Leads and Contacts also: Deleted, Promoted (a Lead converted into a Contact), Demoted (a Contact
    /// turned back into a Lead); any: Skipped (with the reason) or Failed (with the error).
    /// </summary>
    public enum SfSyncAction { Created, Updated, Unchanged, Disabled, Frozen, Reactivated, Skipped, Failed, Deleted, Promoted, Demoted }

    /// <summary>
    /// Field names, as a list to code and JSON (ConvertTo-Json writes an array) and as readable text where
    /// only text fits: Export-Csv and string conversion write "Email, Title" rather than the type's name.
    /// </summary>
    public sealed class SfFieldList : ReadOnlyCollection<string>
    {
        public static readonly SfFieldList Empty = new SfFieldList(Array.Empty<string>());

        public SfFieldList(IList<string> fields) : base(fields) { }

        public override string ToString() => string.Join(", ", this);
    }

    /// <summary>What happened to one input: exactly one of these per input object.</summary>
    public sealed class SfUserSyncResult
    {
        /// <summary>Something the source asks for is still to do (a manager not set yet): a rule's next run looks again.</summary>
        internal bool Unsettled { get; set; }

        /// <summary>
        /// The run stopped while a Bulk API 2.0 job it closed was processing this record: the outcome is the job's,
        /// reported and counted by the rule run that follows the job to its end, never by this one.
        /// </summary>
        internal bool LeftToBulkJob { get; set; }

        /// <summary>Leads and Contacts: the record type the source asked for, which a rule remembers.</summary>
        internal string RecordTypeAsked { get; set; }

        /// <summary>The match key: the Username for users, the Email (or -MatchField) for Leads and Contacts.</summary>
        public string Username { get; internal set; }

        /// <summary>User, Contact or Lead.</summary>
        public string ObjectType { get; internal set; } = "User";
        public string SalesforceId { get; internal set; }
        /// <summary>What happened, typed (for code and filters).</summary>
        public SfSyncAction Outcome { get; internal set; }

        /// <summary>What happened, as its name: what PowerShell shows, Export-Csv and ConvertTo-Json write (both would write an enum as a number).</summary>
        public string Action => Outcome.ToString();
        public SfFieldList ChangedFields { get; internal set; } = SfFieldList.Empty;
        public string ErrorCode { get; internal set; }
        public string Message { get; internal set; }
        public string Remedy { get; internal set; }

        /// <summary>True when this is the plan of a -WhatIf run: nothing was written.</summary>
        public bool WhatIf { get; internal set; }

        /// <summary>Position of the input object in the pipeline (0-based).</summary>
        public int InputIndex { get; internal set; }

        /// <summary>The object the admin piped in.</summary>
        public object InputObject { get; internal set; }

        public bool Succeeded => Outcome != SfSyncAction.Failed;

        /// <summary>Failed after part of the change was written (the user, but not an assignment).</summary>
        public bool PartiallyApplied { get; internal set; }

        public override string ToString() => $"{Username}: {Action}{(ErrorCode != null ? " " + ErrorCode : "")}";

        /// <summary>The result of an input the run could not get to because of a failure that stopped it.</summary>
        public static SfUserSyncResult NotSynced(SourceUser source, SalesforceException failure) => new SfUserSyncResult
        {
            Username = source.Username ?? Convert.ToString(source.Fields.TryGetValue("Email", out object email) ? email : null),
            Outcome = SfSyncAction.Failed,
            ErrorCode = failure.Failure.ToString(),
            Message = "Not synced: " + failure.Message,
            Remedy = failure.Remedy,
            InputIndex = source.Index,
            InputObject = source.Input,
        };
    }
}
