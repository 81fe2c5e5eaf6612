using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>The planned change for one group: the group itself, then its members.</summary>
    public sealed class GroupPlan
    {
        internal GroupPlan(SourceGroup source) { Source = source; }

        public SourceGroup Source { get; }
        public string Name => Source.Name;
        public string GroupId { get; internal set; }
        public string PreviousName { get; internal set; }
        public SfGroupAction Action { get; internal set; } = SfGroupAction.Unchanged;
        internal JObject Create { get; set; }
        internal JObject Update { get; set; }
        internal bool Delete { get; set; }
        internal bool GroupWritten { get; set; }
        internal List<MemberChange> Members { get; } = new List<MemberChange>();
        public string ErrorCode { get; private set; }
        public string Message { get; internal set; }
        public string Remedy { get; private set; }

        public bool IsGroupWrite => Create != null || Update != null || Delete;
        internal IEnumerable<MemberChange> MemberWrites => Members.Where(m => m.Action == SfMembershipAction.Added || m.Action == SfMembershipAction.Removed);
        public bool IsWrite => IsGroupWrite || MemberWrites.Any();

        /// <summary>What ShouldProcess shows: the group change and the member changes, exactly.</summary>
        public string Operation => Delete ? "Delete Salesforce public group" : Create != null ? "Create Salesforce public group" : Update != null ? "Update Salesforce public group" : "Change Salesforce group membership";

        public string Target
        {
            get
            {
                var parts = new List<string>();
                var fields = Create ?? Update;
                if (fields != null) parts.Add(string.Join(", ", fields.Properties().Where(p => p.Name != "Type").Select(p => $"{p.Name}={p.Value}")));
                var added = MemberWrites.Where(m => m.Action == SfMembershipAction.Added).Select(m => m.Member.Key).ToList();
                var removed = MemberWrites.Where(m => m.Action == SfMembershipAction.Removed).Select(m => m.Member.Key).ToList();
                if (added.Count > 0) parts.Add("add " + Summarize(added));
                if (removed.Count > 0) parts.Add("remove " + Summarize(removed));
                return $"{Name}{(parts.Count > 0 ? " (" + string.Join("; ", parts) + ")" : "")}";
            }
        }

        private static string Summarize(List<string> names) => names.Count <= 5 ? string.Join(", ", names) : string.Join(", ", names.Take(5)) + $" and {names.Count - 5} more";

        internal void Fail(string code, string message, string remedy)
        {
            Action = SfGroupAction.Failed;
            ErrorCode = code;
            Message = message;
            Remedy = remedy;
            Create = null;
            Update = null;
            Delete = false;
            Members.Clear();
        }

        /// <summary>
        /// After a failure that stopped the writes: what was not written says so, nothing claims success. Member
        /// changes go out after every group write, so a stop that ends the group writes meets them unsent; a group
        /// write not marked written was sent, and its outcome is not confirmed.
        /// </summary>
        public void FailUnwritten(SalesforceException failure)
        {
            string code = failure.Failure.ToString();
            foreach (MemberChange change in MemberWrites.Where(m => !m.Written).ToList())
            {
                change.Action = SfMembershipAction.Failed;
                change.ErrorCode = NotSent.Code(failure);
                change.Message = NotSent.Message(failure);
                change.Remedy = NotSent.Remedy(failure);
            }
            if (IsGroupWrite && !GroupWritten)
            {
                Action = SfGroupAction.Failed;
                ErrorCode = code;
                Message = "Not confirmed as written: " + failure.Message;
                Remedy = failure.Remedy;
            }
        }

        internal void Skip(string reason, string remedy)
        {
            Action = SfGroupAction.Skipped;
            Message = reason;
            Remedy = remedy;
            Create = null;
            Update = null;
            Delete = false;
            Members.Clear();
        }

        public SfGroupSyncResult ToResult(bool whatIf)
        {
            bool applied = !whatIf;
            return new SfGroupSyncResult
            {
                Name = Name,
                SourceId = Source.SourceId,
                SalesforceId = GroupId,
                Action = Action,
                PreviousName = PreviousName,
                MembersAdded = Members.Count(m => m.Action == SfMembershipAction.Added && (m.Written || whatIf)),
                MembersRemoved = Members.Count(m => m.Action == SfMembershipAction.Removed && (m.Written || whatIf)),
                MemberFailures = Members.Where(m => m.Action == SfMembershipAction.Failed).Select(m => $"{m.Member.Key}: {m.ErrorCode}").ToArray(),
                ErrorCode = ErrorCode,
                Message = Message,
                Remedy = Remedy,
                WhatIf = whatIf && IsWrite,
                InputIndex = Source.Index,
                InputObject = Source.Input,
            };
        }

        internal IEnumerable<SfMembershipResult> ToMembershipResults(bool whatIf) => Members.Select(m => new SfMembershipResult
        {
            Group = Name,
            Member = m.Member.Key,
            MemberType = m.Member.Type,
            MemberId = m.MemberId,
            Action = m.Action,
            ErrorCode = m.ErrorCode,
            Message = m.Message,
            Remedy = m.Remedy,
            WhatIf = whatIf && m.Action != SfMembershipAction.Unchanged && m.Action != SfMembershipAction.Failed,
            InputObject = m.Member.Input,
        });
    }
}
