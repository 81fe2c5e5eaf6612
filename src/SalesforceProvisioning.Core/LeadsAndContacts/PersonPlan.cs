using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>The planned change for one person as a Lead or a Contact.</summary>
    public sealed class PersonPlan : ISyncPlan
    {
        internal PersonPlan(SourceUser source, string key, SfRecordType type)
        {
            Source = source;
            Key = key;
            Type = type;
        }

        public SourceUser Source { get; }
        public string Key { get; }
        public SfRecordType Type { get; }
        public string ObjectType { get; internal set; }
        public string RecordId { get; internal set; }
        public SfSyncAction Action { get; internal set; } = SfSyncAction.Unchanged;
        internal JObject Create { get; set; }
        internal JObject Update { get; set; }
        internal bool Delete { get; set; }

        /// <summary>Promotion: the Lead to convert into a Contact (under this account, or a new one from Company).</summary>
        internal string ConvertLeadId { get; set; }
        internal string ConvertAccountId { get; set; }

        /// <summary>Demotion: the Contact the new Lead replaces, deleted when records may be deleted.</summary>
        internal string DemotedContactId { get; set; }
        internal bool DeleteDemotedContact { get; set; }

        internal bool Written { get; set; }

        /// <summary>
        /// What of this person's change is already in Salesforce when the rest may still fail (a lead converted before
        /// its contact's update, a demotion's lead created before the contact's delete), and the rest: a failure
        /// then says both and is <see cref="SfUserSyncResult.PartiallyApplied"/>.
        /// </summary>
        internal string Applied { get; private set; }
        internal string Unapplied { get; private set; }

        internal void Wrote(string applied, string unapplied)
        {
            Applied = applied;
            Unapplied = unapplied;
        }

        /// <summary>Demotion: the replaced contact's delete was confirmed (or the contact was gone).</summary>
        internal bool DemotedContactDeleted { get; set; }

        /// <summary>An answer to one of this plan's writes was lost: unless confirmed later, the result is NotConfirmed.</summary>
        internal bool AnswerLost { get; set; }
        public List<string> ChangedFields { get; } = new List<string>();
        public string ErrorCode { get; private set; }
        public string Message { get; internal set; }
        public string Remedy { get; private set; }

        public bool IsWrite => Create != null || Update != null || Delete || ConvertLeadId != null || DeleteDemotedContact;

        public string Operation => Action == SfSyncAction.Promoted ? "Convert Salesforce lead to contact"
            : Action == SfSyncAction.Demoted ? "Turn Salesforce contact into a lead"
            : $"{(Delete ? "Delete" : Create != null ? "Create" : "Update")} Salesforce {ObjectType?.ToLowerInvariant() ?? "record"}";

        public string Target
        {
            get
            {
                var fields = Create ?? Update;
                string text = fields == null ? "" : string.Join(", ", fields.Properties().Select(p => $"{p.Name}={(p.Value.Type == JTokenType.Null ? "<cleared>" : p.Value.ToString())}"));
                return $"{Key}{(text.Length > 0 ? " (" + text + ")" : "")}";
            }
        }

        public void Decline() => Skip("Declined at the confirmation prompt.", null);

        internal void Fail(string code, string message, string remedy)
        {
            Action = SfSyncAction.Failed;
            ErrorCode = code;
            Message = Applied == null ? message : $"{Applied} Not written: {Unapplied}: {message}";
            Remedy = remedy;
            Create = null;
            Update = null;
            Delete = false;
            ConvertLeadId = null;
            DeleteDemotedContact = false;
        }

        /// <summary>A write that may have been carried out (its answer was lost) and that this run could not confirm: the next run reads it back.</summary>
        internal void FailNotConfirmed(string message) => Fail(NotConfirmed.Code, message, Remedies.For(NotConfirmed.Code));

        internal void Skip(string reason, string remedy)
        {
            Action = SfSyncAction.Skipped;
            Message = reason;
            Remedy = remedy;
            Create = null;
            Update = null;
            Delete = false;
            ConvertLeadId = null;
            DeleteDemotedContact = false;
        }

        public SfUserSyncResult ToResult(bool whatIf) => new SfUserSyncResult
        {
            Username = Key,
            ObjectType = ObjectType ?? Type.ToString(),
            RecordTypeAsked = Type.ToString(),
            SalesforceId = RecordId,
            Outcome = Action,
            ChangedFields = new SfFieldList(ChangedFields.ToArray()),
            ErrorCode = ErrorCode,
            Message = Message,
            Remedy = Remedy,
            WhatIf = whatIf && IsWrite,
            InputIndex = Source.Index,
            InputObject = Source.Input,
            PartiallyApplied = Action == SfSyncAction.Failed && Applied != null,
        };
    }
}
