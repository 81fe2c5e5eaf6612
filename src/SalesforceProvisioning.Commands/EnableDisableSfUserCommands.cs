using System.Management.Automation;

namespace SalesforceProvisioning.Commands
{
    /// <summary>Shared by Disable-SfUser and Enable-SfUser: users named by Username, or piped results and users.</summary>
    public abstract class ExplicitUserActionCmdlet : UserSyncCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("UserPrincipalName", "UPN")]
        [ValidateNotNullOrEmpty]
        public string[] Username { get; set; }

        /// <summary>Disable (IsActive) or Freeze (UserLogin.IsFrozen); defaults to the connection's DisableAction.</summary>
        [Parameter]
        public SfDisableAction Action { get; set; }

        protected SfDisableAction ChosenAction(SfProvisioningConnection connection)
            => MyInvocation.BoundParameters.ContainsKey(nameof(Action)) ? Action : connection.DisableAction;

        protected abstract bool Enable { get; }

        protected override SfAttributeMap CreateMap()
        {
            var map = new SfAttributeMap();
            map.Add(new SfFieldMapping("Username", new[] { "Username" }));
            return map;
        }

        protected override void ProcessRecord()
        {
            foreach (string username in Username)
                Add(SourceUser.ForUsername(username, NextInputIndex(), username, Enable));
        }
    }

    /// <summary>Deactivates (or freezes) Salesforce users by Username.</summary>
    [Cmdlet(VerbsLifecycle.Disable, "SfUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(SfUserSyncResult))]
    public sealed class DisableSfUserCommand : ExplicitUserActionCmdlet
    {
        protected override bool Enable => false;

        /// <summary>Also deactivate or freeze the connection's own integration user (refused otherwise: every later call would fail).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override bool MaySignOutIntegrationUser => Force;

        protected override UserSyncPolicy CreatePolicy(SfProvisioningConnection connection) => UserSyncPolicy.ExplicitDisable(ChosenAction(connection), connection.Target);
    }

    /// <summary>Reactivates (or unfreezes) Salesforce users by Username.</summary>
    [Cmdlet(VerbsLifecycle.Enable, "SfUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SfUserSyncResult))]
    public sealed class EnableSfUserCommand : ExplicitUserActionCmdlet
    {
        protected override bool Enable => true;

        protected override UserSyncPolicy CreatePolicy(SfProvisioningConnection connection) => UserSyncPolicy.ExplicitEnable(ChosenAction(connection), connection.Target);
    }
}
