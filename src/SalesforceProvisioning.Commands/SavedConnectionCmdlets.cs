using System;
using System.Management.Automation;
using System.Security;

namespace SalesforceProvisioning.Commands
{
    /// <summary>Shared by the saved-connection cmdlets: which store file.</summary>
    public abstract class SavedConnectionCmdlet : SfCmdlet
    {
        /// <summary>The state store file; saved connections are kept beside it, in connections.json (default: the user's local data folder).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string StatePath { get; set; }

        protected SavedConnectionStore Store()
        {
            string state = StatePath != null ? GetUnresolvedProviderPathFromPSPath(StatePath) : Environment.GetEnvironmentVariable("SFPROVISIONING_STATE_PATH");
            return SavedConnectionStore.BesideStateFile(state);
        }

        protected void Fail(SalesforceException ex, object target) => ThrowFor(ex, target);
    }

    /// <summary>
    /// Saves a connection by name for unattended runs, with no secret in plain text at rest: DPAPI on
    /// Windows, elsewhere a key file only the user can read (both chosen by -Protection Auto), a
    /// passphrase, or the names of environment variables that hold the secrets.
    /// </summary>
    [Cmdlet(VerbsData.Save, "SfProvisioningConnection", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    public sealed class SaveSfProvisioningConnectionCommand : SavedConnectionCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; }

        /// <summary>The connection to save; defaults to the runspace's default connection.</summary>
        [Parameter(Position = 1, ValueFromPipeline = true)]
        public SfProvisioningConnection Connection { get; set; }

        [Parameter] public SfSecretProtection Protection { get; set; } = SfSecretProtection.Auto;
        [Parameter] public SecureString Passphrase { get; set; }
        [Parameter] public string ClientSecretVariable { get; set; }
        [Parameter] public string RefreshTokenVariable { get; set; }
        [Parameter] public string CertificatePasswordVariable { get; set; }

        /// <summary>Replace a connection already saved under this name, without asking.</summary>
        [Parameter] public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            SfProvisioningConnection connection = ResolveConnection(Connection);
            if (!ShouldChange(Name, "Save Salesforce connection", Force)) return;
            try
            {
                var store = Store();
                store.Save(Name, connection, Protection, Passphrase, ClientSecretVariable, RefreshTokenVariable, Force, CertificatePasswordVariable);
                if (store.Damage != null) WriteWarning(store.Damage);
                connection.Name = Name;
                WriteVerbose($"Saved '{Name}' in {store.FilePath} ({SecretProtectorName()}).");
            }
            catch (SalesforceException ex)
            {
                Fail(ex, Name);
            }
        }

        private string SecretProtectorName() => Protection == SfSecretProtection.Auto ? "secrets protected for this user" : "secrets protected by " + Protection;
    }

    /// <summary>Lists saved connections, or opens one by name (it becomes the runspace's default).</summary>
    [Cmdlet(VerbsCommon.Get, "SfProvisioningConnection", DefaultParameterSetName = "List")]
    [OutputType(typeof(SfSavedConnectionInfo), ParameterSetName = new[] { "List" })]
    [OutputType(typeof(SfProvisioningConnection), ParameterSetName = new[] { "Open" })]
    public sealed class GetSfProvisioningConnectionCommand : SavedConnectionCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Open", ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SavedConnectionNameCompleter))]
        public string Name { get; set; }

        [Parameter(ParameterSetName = "Open")] public SecureString Passphrase { get; set; }

        /// <summary>Do not make the opened connection the runspace's default.</summary>
        [Parameter(ParameterSetName = "Open")] public SwitchParameter NoDefault { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                var store = Store();
                if (Name == null)
                {
                    foreach (SfSavedConnectionInfo info in store.List()) WriteObject(info);
                    if (store.Damage != null) WriteWarning(store.Damage);
                    return;
                }
                SfProvisioningConnection connection = store.Load(Name, Passphrase);
                if (store.Damage != null) WriteWarning(store.Damage);
                if (!NoDefault) DefaultConnection.Set(SessionState, connection);
                WriteObject(connection);
            }
            catch (SalesforceException ex)
            {
                Fail(ex, Name);
            }
        }
    }

    /// <summary>Forgets a saved connection (its secrets are removed from the store).</summary>
    [Cmdlet(VerbsCommon.Remove, "SfProvisioningConnection", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    public sealed class RemoveSfProvisioningConnectionCommand : SavedConnectionCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SavedConnectionNameCompleter))]
        public string Name { get; set; }

        protected override void ProcessRecord()
        {
            if (!ShouldProcess(Name, "Remove saved Salesforce connection")) return;
            bool removed = false;
            try
            {
                removed = Store().Remove(Name);
            }
            catch (SalesforceException ex)
            {
                Fail(ex, Name);
            }
            if (!removed)
                WriteError(new ErrorRecord(new ItemNotFoundException($"No connection named '{Name}' is saved."), "SavedConnectionNotFound", ErrorCategory.ObjectNotFound, Name));
        }
    }
}
