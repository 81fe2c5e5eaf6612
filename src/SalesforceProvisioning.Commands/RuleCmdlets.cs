using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace SalesforceProvisioning.Commands
{
    internal static class RuleCmdletSupport
    {
        /// <summary>
        /// Saved connections live beside a state store file; with a PostgreSQL store they stay on this worker,
        /// where Save-SfProvisioningConnection puts them without -StatePath ($env:SFPROVISIONING_STATE_PATH's folder,
        /// else the user's data folder): their secrets are protected for this machine and user.
        /// </summary>
        internal static SavedConnectionStore Connections(StateStore state)
        {
            string beside = (state as SqliteStateStore)?.FilePath ?? Environment.GetEnvironmentVariable("SFPROVISIONING_STATE_PATH");
            return SavedConnectionStore.BesideStateFile(beside);
        }

        /// <summary>
        /// The state store a command names: -StateConnectionString (PostgreSQL), else -StatePath (a file), else
        /// $env:SFPROVISIONING_STATE_CONNECTION (PostgreSQL), else the file at $env:SFPROVISIONING_STATE_PATH or in the user's data folder.
        /// </summary>
        internal static StateStore Open(PSCmdlet cmdlet, string statePath, string connectionString, PSCredential credential)
        {
            if (statePath != null && connectionString != null)
                throw new SalesforceConfigurationException("StateConnectionString", "-StatePath and -StateConnectionString name two different state stores.",
                    "Give one of them: -StatePath for a file on this machine, -StateConnectionString for a PostgreSQL server that several workers share.");
            string fromEnvironment = Environment.GetEnvironmentVariable(PostgreSqlStateStore.EnvironmentVariable);
            if (connectionString == null && statePath == null && !string.IsNullOrWhiteSpace(fromEnvironment))
                return new PostgreSqlStateStore(fromEnvironment, credential?.GetNetworkCredential(), PostgreSqlStateStore.EnvironmentVariable);
            if (connectionString != null) return new PostgreSqlStateStore(connectionString, credential?.GetNetworkCredential());
            if (credential != null)
                throw new SalesforceConfigurationException("StateCredential", "-StateCredential is the login of a PostgreSQL state store, and no such store is named.",
                    "Add -StateConnectionString (or set $env:SFPROVISIONING_STATE_CONNECTION), or leave -StateCredential out for a state store file.");
            return new SqliteStateStore(statePath == null ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(statePath));
        }
    }

    /// <summary>
    /// Cmdlets that use the state store: -StatePath, -StateConnectionString (with -StateCredential), else
    /// $env:SFPROVISIONING_STATE_CONNECTION, else $env:SFPROVISIONING_STATE_PATH, else the user's data folder.
    /// </summary>
    public abstract class StateCmdlet : SfCmdlet
    {
        private StateStore _state;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string StatePath { get; set; }

        /// <summary>A PostgreSQL state store several workers share (an Npgsql connection string without a password).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string StateConnectionString { get; set; }

        /// <summary>The PostgreSQL state store's user and password.</summary>
        [Parameter]
        [Credential]
        public PSCredential StateCredential { get; set; }

        protected StateStore State
        {
            get
            {
                if (_state != null) return _state;
                try
                {
                    return _state = RuleCmdletSupport.Open(this, StatePath, StateConnectionString, StateCredential);
                }
                catch (SalesforceException ex)
                {
                    ThrowFor(ex, StatePath ?? (object)"state store");
                    return null;
                }
            }
        }

        public override void Dispose()
        {
            base.Dispose();
            _state?.Dispose();
        }
    }

    /// <summary>Creates a provisioning rule: a named scope bound to a saved connection and an attribute map.</summary>
    [Cmdlet(VerbsCommon.New, "SfProvisioningRule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SfProvisioningRule))]
    public sealed class NewSfProvisioningRuleCommand : StateCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)] [ValidateNotNullOrEmpty] public string Name { get; set; }
        [Parameter(Mandatory = true)] [ValidateNotNullOrEmpty] [ArgumentCompleter(typeof(SavedConnectionNameCompleter))] public string ConnectionName { get; set; }
        [Parameter] public SfAttributeMap AttributeMap { get; set; }
        [Parameter] public string Profile { get; set; }
        [Parameter] public string Description { get; set; }
        [Parameter] [ValidateRange(0, 100)] public int MaxDeprovisionPercent { get; set; } = 10;

        protected override void ProcessRecord()
        {
            if (!RuleCmdletSupport.Connections(State).List().Any(c => string.Equals(c.Name, ConnectionName, StringComparison.OrdinalIgnoreCase)))
                ThrowFor(new SalesforceConfigurationException("ConnectionName", $"No connection named '{ConnectionName}' is saved in {RuleCmdletSupport.Connections(State).FilePath}.", "Save it first: Save-SfProvisioningConnection -Name <name> -Connection $c (with the same -StatePath)."), ConnectionName);
            var rule = new SfProvisioningRule
            {
                Name = Name, ConnectionName = ConnectionName, Description = Description, AttributeMapJson = AttributeMap?.ToJson(),
                DefaultProfile = Profile, MaxDeprovisionPercent = MaxDeprovisionPercent,
            };
            if (!ShouldProcess(Name, "Create provisioning rule")) return;
            try
            {
                State.SaveRule(rule, isNew: true);
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, Name);
            }
            WriteObject(State.GetRule(Name));
        }
    }

    /// <summary>Lists provisioning rules, or one by name, with how many users each provisioned.</summary>
    [Cmdlet(VerbsCommon.Get, "SfProvisioningRule")]
    [OutputType(typeof(SfProvisioningRule))]
    public sealed class GetSfProvisioningRuleCommand : StateCmdlet
    {
        [Parameter(Position = 0)] [ArgumentCompleter(typeof(RuleNameCompleter))] public string Name { get; set; }

        protected override void ProcessRecord()
        {
            var pattern = Name == null ? null : new WildcardPattern(Name, WildcardOptions.IgnoreCase);
            var rules = State.Rules().Where(r => pattern == null || pattern.IsMatch(r.Name)).ToList();
            if (rules.Count == 0 && Name != null && !WildcardPattern.ContainsWildcardCharacters(Name))
                WriteError(new ErrorRecord(new ItemNotFoundException($"No provisioning rule named '{Name}'."), "RuleNotFound", ErrorCategory.ObjectNotFound, Name));
            foreach (SfProvisioningRule rule in rules) WriteObject(rule);
        }
    }

    /// <summary>Changes a provisioning rule's connection, map, profile, description or guard.</summary>
    [Cmdlet(VerbsCommon.Set, "SfProvisioningRule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SfProvisioningRule))]
    public sealed class SetSfProvisioningRuleCommand : StateCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)] [ValidateNotNullOrEmpty] [ArgumentCompleter(typeof(RuleNameCompleter))] public string Name { get; set; }
        [Parameter] [ArgumentCompleter(typeof(SavedConnectionNameCompleter))] public string ConnectionName { get; set; }
        [Parameter] public SfAttributeMap AttributeMap { get; set; }
        [Parameter] public string Profile { get; set; }
        [Parameter] public string Description { get; set; }
        [Parameter] [ValidateRange(0, 100)] public int MaxDeprovisionPercent { get; set; }

        protected override void ProcessRecord()
        {
            SfProvisioningRule rule = State.GetRule(Name);
            if (rule == null)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"No provisioning rule named '{Name}'."), "RuleNotFound", ErrorCategory.ObjectNotFound, Name));
                return;
            }
            if (ConnectionName != null) rule.ConnectionName = ConnectionName;
            if (AttributeMap != null) rule.AttributeMapJson = AttributeMap.ToJson();
            if (Profile != null) rule.DefaultProfile = Profile;
            if (Description != null) rule.Description = Description;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(MaxDeprovisionPercent))) rule.MaxDeprovisionPercent = MaxDeprovisionPercent;
            if (!ShouldProcess(Name, "Change provisioning rule")) return;
            State.SaveRule(rule, isNew: false);
            WriteObject(State.GetRule(Name));
        }
    }

    /// <summary>
    /// Removes a provisioning rule. When its connection has -DeprovisionOnRuleDeletion, the users the
    /// rule provisioned are deprovisioned first (disabled or frozen as the connection says).
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "SfProvisioningRule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(SfUserSyncResult))]
    public sealed class RemoveSfProvisioningRuleCommand : UserSyncCmdlet
    {
        private StateStore _state;
        private SfProvisioningRule _rule;
        private bool _deprovision;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)] [ValidateNotNullOrEmpty] [ArgumentCompleter(typeof(RuleNameCompleter))] public string Name { get; set; }
        [Parameter] [ValidateNotNullOrEmpty] public string StatePath { get; set; }

        /// <summary>A PostgreSQL state store several workers share (an Npgsql connection string without a password).</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string StateConnectionString { get; set; }

        /// <summary>The PostgreSQL state store's user and password.</summary>
        [Parameter] [Credential] public PSCredential StateCredential { get; set; }

        /// <summary>Remove (and deprovision) without asking: no prompt at all, even under -NonInteractive; -WhatIf still previews.</summary>
        [Parameter] public SwitchParameter Force { get; set; }

        protected override bool SkipConfirmation => Force;

        protected override UserSyncPolicy CreatePolicy(SfProvisioningConnection connection) => UserSyncPolicy.From(connection);

        protected override SfAttributeMap CreateMap() => Connection.Target == SfTarget.LeadsAndContacts ? SfAttributeMap.CreateDefaultForPeople() : SfAttributeMap.CreateDefault();

        protected override ISyncEngine CreateEngine(SfProvisioningConnection connection, SfAttributeMap map, UserSyncPolicy policy)
            => connection.Target == SfTarget.LeadsAndContacts ? new LeadContactSyncEngine(connection, map, policy, "Email", MaxConcurrentRequests) : base.CreateEngine(connection, map, policy);

        protected override void BeginProcessing()
        {
            try
            {
                _state = RuleCmdletSupport.Open(this, StatePath, StateConnectionString, StateCredential);
                _rule = _state.GetRule(Name) ?? throw new SalesforceConfigurationException("Name", $"No provisioning rule named '{Name}'.", "Get-SfProvisioningRule lists them.");
                Connection = RuleCmdletSupport.Connections(_state).Load(_rule.ConnectionName, null);
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, Name);
            }
            _deprovision = LifecyclePolicy.DeprovisionsOnRuleDeletion(Connection, _state.Provisioned(null, _rule.Name).Count);
            if (!_deprovision) return;
            base.BeginProcessing();
            StartRuleRun(_state, _rule, Connection.Name ?? Connection.Domain.Host, Connection.Target == SfTarget.LeadsAndContacts ? "Email" : "Username", full: true);
        }

        protected override void ProcessRecord() { }

        protected override void EndProcessing()
        {
            string what = _deprovision ? $"Remove provisioning rule and deprovision its {RuleRun.ProvisionedCount} user(s)" : "Remove provisioning rule";
            if (!ShouldChange(Name, what, Force) || !ShouldContinueUnlessForced($"{what} '{Name}'?", "Remove rule", Force)) return;
            if (_deprovision)
            {
                DeprovisionAbsent = true;   // the empty input leaves every user of the rule absent
                ForceDeprovision = true;    // removing the rule is the admin's explicit decision
                base.EndProcessing();
            }
            _state.RemoveRule(Name);
        }

        public override void Dispose()
        {
            base.Dispose();
            _state?.Dispose();
        }
    }

    /// <summary>The seeds' sync status: recent runs with Impacted, Success, Unsynced, Partial and Failed; or each user's last result.</summary>
    [Cmdlet(VerbsCommon.Get, "SfSyncStatus", DefaultParameterSetName = "Runs")]
    [OutputType(typeof(SfSyncRun), ParameterSetName = new[] { "Runs" })]
    [OutputType(typeof(SfProvisionedRecord), ParameterSetName = new[] { "Users" })]
    public sealed class GetSfSyncStatusCommand : StateCmdlet
    {
        [Parameter(Position = 0, ParameterSetName = "Runs")]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Users")]
        [ArgumentCompleter(typeof(RuleNameCompleter))]
        public string Rule { get; set; }

        /// <summary>Runs of one connection (its saved name, or its domain host).</summary>
        [Parameter(ParameterSetName = "Runs")] public string ConnectionName { get; set; }

        [Parameter(ParameterSetName = "Runs")] [ValidateRange(1, 10000)] public int Last { get; set; } = 10;

        /// <summary>Each user's last result under the rule, with its error.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Users")] public SwitchParameter ByUser { get; set; }

        /// <summary>With -ByUser: only users whose last result failed.</summary>
        [Parameter(ParameterSetName = "Users")] public SwitchParameter FailedOnly { get; set; }

        protected override void ProcessRecord()
        {
            if (ByUser)
            {
                foreach (SfProvisionedRecord record in State.Provisioned(null, Rule).Where(r => !FailedOnly || r.LastAction == nameof(SfSyncAction.Failed)))
                    WriteObject(record);
                return;
            }
            foreach (SfSyncRun run in State.Runs(Rule, ConnectionName, Last)) WriteObject(run);
        }
    }
}
