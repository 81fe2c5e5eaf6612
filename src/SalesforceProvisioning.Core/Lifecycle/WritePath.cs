namespace SalesforceProvisioning
{
    /// <summary>-UseBulkApi: whether user creates and updates may go through Bulk API 2.0 ingest jobs, and a scan of every user through a query job.</summary>
    public enum SfBulkApiMode
    {
        /// <summary>Bulk API 2.0 once the run's pending creates and updates reach the threshold; composite collections below it.</summary>
        Auto,

        /// <summary>Every user create and update goes through Bulk API 2.0 ingest jobs.</summary>
        Always,

        /// <summary>Never: composite collections only (1,000 records per counted call).</summary>
        Never,
    }

    /// <summary>How a batch of user creates and updates is written.</summary>
    public enum WritePath { Composite, Bulk }

    /// <summary>The write path the policy chose, and why (shown by -WhatIf and in the summary).</summary>
    public sealed class WritePathDecision
    {
        public WritePathDecision(WritePath path, string reason)
        {
            Path = path;
            Reason = reason;
        }

        public WritePath Path { get; }
        public string Reason { get; }
        public bool IsBulk => Path == WritePath.Bulk;

        public override string ToString() => (IsBulk ? "Bulk API 2.0" : "composite collections") + ": " + Reason;
    }

    /// <summary>How a scan of every user of the org is read (shown by -WhatIf and in the summary's Reads).</summary>
    public sealed class ReadPathDecision
    {
        public ReadPathDecision(bool bulk, string reason)
        {
            IsBulk = bulk;
            Reason = reason;
        }

        /// <summary>A Bulk API 2.0 query job; otherwise composite reads of five 2,000-record pages per counted call.</summary>
        public bool IsBulk { get; }
        public string Reason { get; }

        public override string ToString() => (IsBulk ? "a Bulk API 2.0 query job" : "composite reads") + ": " + Reason;
    }
}
