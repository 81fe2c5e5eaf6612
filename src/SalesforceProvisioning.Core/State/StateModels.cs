using System;

namespace SalesforceProvisioning
{
    /// <summary>A named provisioning scope: a saved connection, an attribute map and the deprovisioning guard.</summary>
    public sealed class SfProvisioningRule
    {
        public string Name { get; set; }
        public string ConnectionName { get; set; }
        public string Description { get; set; }

        /// <summary>The attribute map as saved (JSON); null for the built-in map.</summary>
        public string AttributeMapJson { get; set; }
        public string DefaultProfile { get; set; }

        /// <summary>A complete-scope run refuses to deprovision more than this share of the rule's users without -Force.</summary>
        public int MaxDeprovisionPercent { get; set; } = 10;
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset? LastRunAt { get; set; }
        public int ProvisionedCount { get; set; }
        public override string ToString() => Name;
    }

    /// <summary>One sync run's outcome, with the seeds' sync-status counts.</summary>
    public sealed class SfSyncRun
    {
        public long RunId { get; set; }
        public string Scope { get; set; }
        public string Rule { get; set; }
        public string Command { get; set; }
        public DateTimeOffset StartedAt { get; set; }
        public DateTimeOffset? FinishedAt { get; set; }
        public string Status { get; set; }

        /// <summary>Inputs that needed a change in Salesforce.</summary>
        public int Impacted { get; set; }
        public int Success { get; set; }

        /// <summary>Inputs skipped (an off toggle, nothing to do) or left out by delta detection.</summary>
        public int Unsynced { get; set; }

        /// <summary>Inputs whose change was written only in part (for example the user but not a permission set).</summary>
        public int Partial { get; set; }
        public int Failed { get; set; }
        public string Error { get; set; }
    }

    /// <summary>The last known state of one record the module provisioned for a rule.</summary>
    public sealed class SfProvisionedRecord
    {
        public string Rule { get; set; }
        public string SourceKey { get; set; }
        public string SalesforceId { get; set; }
        public string ObjectType { get; set; }
        public string Fingerprint { get; set; }
        public string LastAction { get; set; }
        public string LastErrorCode { get; set; }
        public string LastMessage { get; set; }
        public long LastRunId { get; set; }
        public DateTimeOffset UpdatedAt { get; set; }
    }
}
