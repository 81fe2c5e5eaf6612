using System;
using System.Collections.Generic;

namespace SalesforceProvisioning
{
    public enum SfSyncAction { Created, Updated, Unchanged, Disabled, Frozen, Reactivated, Skipped, Failed }

    /// <summary>What happened to one input: exactly one of these per input object.</summary>
    public sealed class SfUserSyncResult
    {
        public string Username { get; internal set; }
        public string SalesforceId { get; internal set; }
        public SfSyncAction Action { get; internal set; }
        public IReadOnlyList<string> ChangedFields { get; internal set; } = Array.Empty<string>();
        public string ErrorCode { get; internal set; }
        public string Message { get; internal set; }
        public string Remedy { get; internal set; }

        /// <summary>True when this is the plan of a -WhatIf run: nothing was written.</summary>
        public bool WhatIf { get; internal set; }

        /// <summary>Position of the input object in the pipeline (0-based).</summary>
        public int InputIndex { get; internal set; }

        /// <summary>The object the admin piped in.</summary>
        public object InputObject { get; internal set; }

        public bool Succeeded => Action != SfSyncAction.Failed;

        public override string ToString() => $"{Username}: {Action}{(ErrorCode != null ? " " + ErrorCode : "")}";
    }
}
