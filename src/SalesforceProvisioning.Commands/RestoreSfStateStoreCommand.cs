using System.IO;
using System.Management.Automation;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Rolls the state store back to a copy kept beside it: the one taken when the last rule run started
    /// (after the store passed SQLite's check), or the one taken before a schema upgrade. The replaced
    /// file is moved aside, never deleted.
    /// </summary>
    [Cmdlet(VerbsData.Restore, "SfStateStore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(FileInfo))]
    public sealed class RestoreSfStateStoreCommand : SfCmdlet
    {
        /// <summary>The state store file (default: $env:SFPROVISIONING_STATE_PATH, else the user's local data folder).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string StatePath { get; set; }

        /// <summary>The copy to put back; by default the newest kept beside the store.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string BackupPath { get; set; }

        /// <summary>Restore without asking.</summary>
        [Parameter] public SwitchParameter Force { get; set; }

        protected override void EndProcessing()
        {
            string state = Path.GetFullPath(StatePath == null ? StateStore.DefaultPath : GetUnresolvedProviderPathFromPSPath(StatePath));
            string backup = BackupPath == null ? null : GetUnresolvedProviderPathFromPSPath(BackupPath);
            string from = backup ?? (SqliteStateStore.Backups(state).Count > 0 ? SqliteStateStore.Backups(state)[0] : null);
            string what = $"Replace the state store with the copy '{from ?? "(none found)"}' (the current file is moved aside)";
            if (!ShouldProcess(state, what) || !(Force || ShouldContinue(what + "?", "Restore state store"))) return;
            try
            {
                string aside = SqliteStateStore.Restore(state, from, out string restoredFrom);
                if (aside != null) WriteWarning($"The replaced store was moved to '{aside}'.");
                WriteVerbose($"Restored '{state}' from '{restoredFrom}'.");
                using (new SqliteStateStore(state)) { } // proves the restored copy opens (and upgrades it when it is older)
                WriteObject(new FileInfo(state));
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, state);
            }
        }
    }
}
