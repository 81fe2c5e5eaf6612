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
        public List<string> ChangedFields { get; } = new List<string>();
        public string ErrorCode { get; private set; }
        public string Message { get; internal set; }
        public string Remedy { get; private set; }

        public bool IsWrite => Create != null || Update != null || Delete || ConvertLeadId != null;

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
            Message = message;
            Remedy = remedy;
            Create = null;
            Update = null;
            Delete = false;
            ConvertLeadId = null;
        }

        internal void Skip(string reason, string remedy)
        {
            Action = SfSyncAction.Skipped;
            Message = reason;
            Remedy = remedy;
            Create = null;
            Update = null;
            Delete = false;
            ConvertLeadId = null;
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
        };
    }
}
