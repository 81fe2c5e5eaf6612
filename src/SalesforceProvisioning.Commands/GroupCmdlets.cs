using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Syncs public groups from any source: matched by remembered source id, then by name; created,
    /// renamed, and deleted when deletion is on; members overwritten when the input carries them.
    /// </summary>
    [Cmdlet(VerbsData.Sync, "SfGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SfGroupSyncResult))]
    public sealed class SyncSfGroupCommand : SfConnectedCmdlet
    {
        private readonly List<SourceGroup> _groups = new List<SourceGroup>();

        /// <summary>A group (Name, SourceId, Description, Members, Deleted) from any source, or a group name.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public PSObject InputObject { get; set; }

        /// <summary>The input is the whole scope: groups this module created earlier and now absent are deleted (when deletion is on).</summary>
        [Parameter] public SwitchParameter CompleteScope { get; set; }

        /// <summary>How members given in the input apply: Overwrite (default), Add or Remove.</summary>
        [Parameter] public SfMembershipMode MembershipMode { get; set; } = SfMembershipMode.Overwrite;

        /// <summary>Change and delete groups without asking (deletions are permanent); -WhatIf still previews.</summary>
        [Parameter] public SwitchParameter Force { get; set; }

        /// <summary>The state store that remembers source group ids (default: $env:SFPROVISIONING_STATE_PATH, else the user's local data folder).</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string StatePath { get; set; }

        /// <summary>A PostgreSQL state store several workers share (an Npgsql connection string without a password).</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string StateConnectionString { get; set; }

        /// <summary>The PostgreSQL state store's user and password.</summary>
        [Parameter] [Credential] public PSCredential StateCredential { get; set; }

        [Parameter] [ValidateRange(1, CompositeWriter.MostInFlight)] public int MaxConcurrentRequests { get; set; } = CompositeWriter.DefaultMaxInFlight;

        /// <summary>The input property that holds each group's stable id, instead of SourceId, ObjectGUID, ObjectId, ... or Graph's Id.</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string SourceIdProperty { get; set; }

        /// <summary>Directory users (Get-ADUser) that AD member distinguished names resolve to, by their DistinguishedName.</summary>
        [Parameter] [Alias("DirectoryUsers")] public PSObject[] DirectoryUser { get; set; }

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            _groups.Add(SourceGroupReader.Read(InputObject.BaseObject is string s ? (object)s : InputObject, _groups.Count, SourceObjects.ReadProperty,
                SourceIdProperty, SourceObjects.PropertyNames));
        }

        protected override void EndProcessing()
        {
            SourceGroupReader.ResolveReferences(_groups, DirectoryUser, SourceObjects.ReadProperty);
            SfProvisioningConnection connection = ResolveAuthenticatedConnection();
            StateStore store;
            try
            {
                store = RuleCmdletSupport.Open(this, StatePath, StateConnectionString, StateCredential);
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, StatePath);
                return;
            }
            using var _ = store;
            var engine = new GroupSyncEngine(connection, store, MaxConcurrentRequests);
            var options = new GroupSyncOptions { DeleteGroups = connection.DeleteGroups, CompleteScope = CompleteScope, MembershipMode = MembershipMode };
            List<GroupPlan> plans;
            try
            {
                Run(connection, ct => engine.PrepareAsync(ct));
                plans = Run(connection, ct => engine.PlanAsync(_groups, options, ct));
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, connection);
                return;
            }

            bool whatIf = IsWhatIf();
            var accepted = new List<GroupPlan>();
            var results = new List<SfGroupSyncResult>();
            foreach (GroupPlan plan in plans)
            {
                if (!plan.IsWrite) { results.Add(plan.ToResult(false)); continue; }
                bool go = ShouldChange(plan.Target, plan.Operation, Force)
                    && (!plan.Delete || ShouldContinueUnlessForced($"Delete the Salesforce public group '{plan.Name}'? Deletions are permanent.", "Delete group", Force));
                if (go) accepted.Add(plan);
                else if (whatIf) results.Add(plan.ToResult(true));
                else { plan.Skip("Declined at the confirmation prompt.", null); results.Add(plan.ToResult(false)); }
            }
            SalesforceException failure = null;
            try
            {
                Run(connection, ct => engine.ExecuteAsync(accepted, ct));
            }
            catch (SalesforceException ex)
            {
                failure = ex;
                foreach (GroupPlan plan in accepted) plan.FailUnwritten(ex);
            }
            finally
            {
                // Stopped (by a SIGTERM PowerShell's own stop may not follow: StopSignals): what was written is
                // recorded, and nothing goes out, as when PowerShell stops the pipeline.
                ThrowIfStopped();
                results.AddRange(accepted.Select(p => p.ToResult(false)));
                // Every result before any error: under -ErrorAction Stop the first error ends the command.
                var ordered = results.OrderBy(r => r.InputIndex < 0 ? int.MaxValue : r.InputIndex).ToList();
                foreach (SfGroupSyncResult result in ordered) WriteObject(result);
                foreach (SfGroupSyncResult result in ordered.Where(r => r.Action == SfGroupAction.Failed))
                    WriteError(GroupCmdletSupport.Error(result.Name, result.ErrorCode, result.Message, result.Remedy, result.InputObject));
                foreach (GroupPlan plan in accepted)
                    foreach (SfMembershipResult member in plan.ToMembershipResults(false).Where(m => m.Action == SfMembershipAction.Failed))
                        WriteError(GroupCmdletSupport.Error($"{member.Group} <- {member.Member}", member.ErrorCode, member.Message, member.Remedy, member.InputObject));
                string counts = string.Join(", ", results.GroupBy(r => r.Action).Select(g => $"{g.Key} {g.Count()}"));
                WriteInformation(new InformationRecord($"Sync-SfGroup: {_groups.Count} group(s): {counts}; members added {results.Sum(r => r.MembersAdded)}, removed {results.Sum(r => r.MembersRemoved)}.", "Sync-SfGroup") { Tags = { "Summary" } });
            }
            if ((failure ?? engine.Stopped) != null) ThrowFor(failure ?? engine.Stopped, connection);
        }
    }

    /// <summary>
    /// Makes a public group's members match the given users and groups (or only adds, or only removes):
    /// missing members added, extra ones removed, unchanged ones untouched.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "SfGroupMembership", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Overwrite")]
    [OutputType(typeof(SfMembershipResult))]
    public sealed class SetSfGroupMembershipCommand : SfConnectedCmdlet
    {
        private readonly List<MemberRef> _members = new List<MemberRef>();

        /// <summary>The public group: its name, or a group object (Get-SfGroup).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(GroupNameCompleter))]
        public PSObject Group { get; set; }

        /// <summary>Users (by Username, or user objects) and groups (by name, or group objects).</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
        [AllowEmptyCollection]
        public PSObject[] Member { get; set; }

        /// <summary>Only add the given members; never remove.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Add")] public SwitchParameter Add { get; set; }

        /// <summary>Only remove the given members.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Remove")] public SwitchParameter Remove { get; set; }

        [Parameter] [ValidateRange(1, CompositeWriter.MostInFlight)] public int MaxConcurrentRequests { get; set; } = CompositeWriter.DefaultMaxInFlight;

        /// <summary>Directory users (Get-ADUser) that members given as AD distinguished names resolve to.</summary>
        [Parameter] [Alias("DirectoryUsers")] public PSObject[] DirectoryUser { get; set; }

        protected override void ProcessRecord()
        {
            foreach (PSObject member in Member ?? Array.Empty<PSObject>())
                if (member != null) _members.AddRange(SourceGroupReader.ToMembers(member.BaseObject is string s ? (object)s : member, SourceObjects.ReadProperty));
        }

        protected override void EndProcessing()
        {
            SfProvisioningConnection connection = ResolveAuthenticatedConnection();
            LifecycleDecision membership = LifecyclePolicy.ForMembership(connection.Target);
            if (membership.IsSkip)
            {
                ThrowTerminatingError(new ErrorRecord(new NotSupportedException(membership.Reason), "MembershipNotSupportedFor" + connection.Target, ErrorCategory.NotImplemented, connection)
                { ErrorDetails = new ErrorDetails(membership.Reason) { RecommendedAction = membership.Remedy } });
            }
            string groupName = Convert.ToString(SourceGroupReader.Read(Group.BaseObject is string s ? (object)s : Group, 0, SourceObjects.ReadProperty).Name);
            var engine = new GroupSyncEngine(connection, store: null, MaxConcurrentRequests);
            var mode = Add ? SfMembershipMode.Add : Remove ? SfMembershipMode.Remove : SfMembershipMode.Overwrite;
            var source = new SourceGroup { Name = groupName, Members = _members, Input = Group };
            SourceGroupReader.ResolveReferences(new[] { source }, DirectoryUser, SourceObjects.ReadProperty);
            GroupPlan plan;
            try
            {
                Run(connection, ct => engine.PrepareAsync(ct));
                plan = Run(connection, ct => engine.PlanAsync(new[] { source }, new GroupSyncOptions { CreateMissing = false, MembershipMode = mode }, ct)).Single();
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, connection);
                return;
            }
            if (plan.Action == SfGroupAction.Failed)
            {
                WriteError(GroupCmdletSupport.Error(groupName, plan.ErrorCode, plan.Message, plan.Remedy, Group));
                return;
            }

            bool whatIf = IsWhatIf();
            var declined = new List<MemberChange>();
            foreach (MemberChange change in plan.MemberWrites.ToList())
            {
                string operation = change.Action == SfMembershipAction.Added ? "Add member to Salesforce public group" : "Remove member from Salesforce public group";
                if (!ShouldProcess($"{groupName} <- {change.Member.Key}", operation)) declined.Add(change);
            }
            if (whatIf)
            {
                foreach (SfMembershipResult result in plan.ToMembershipResults(true)) WriteObject(result);
                return;
            }
            foreach (MemberChange change in declined)
            {
                change.Action = SfMembershipAction.Unchanged;
                change.Message = "Declined at the confirmation prompt.";
            }
            SalesforceException failure = null;
            try
            {
                Run(connection, ct => engine.ExecuteAsync(new[] { plan }, ct));
            }
            catch (SalesforceException ex)
            {
                failure = ex;
                plan.FailUnwritten(ex);
            }
            finally
            {
                ThrowIfStopped(); // as Sync-SfGroup's
                var memberResults = plan.ToMembershipResults(false).ToList();
                foreach (SfMembershipResult result in memberResults) WriteObject(result);
                foreach (SfMembershipResult result in memberResults.Where(r => r.Action == SfMembershipAction.Failed))
                    WriteError(GroupCmdletSupport.Error($"{result.Group} <- {result.Member}", result.ErrorCode, result.Message, result.Remedy, result.InputObject));
                string counts = string.Join(", ", memberResults.GroupBy(r => r.Action).Select(g => $"{g.Key} {g.Count()}"));
                WriteInformation(new InformationRecord($"Set-SfGroupMembership: group '{groupName}': {counts}.", "Set-SfGroupMembership") { Tags = { "Summary" } });
            }
            if ((failure ?? engine.Stopped) != null) ThrowFor(failure ?? engine.Stopped, connection);
        }
    }

    internal static class GroupCmdletSupport
    {
        internal static ErrorRecord Error(string what, string code, string message, string remedy, object target)
        {
            var exception = new InvalidOperationException($"{what}: {message}");
            return new ErrorRecord(exception, SourceObjects.ErrorId(code), ErrorCategory.InvalidData, target)
            {
                ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = remedy },
            };
        }
    }
}
