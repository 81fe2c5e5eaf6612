using System;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// A stop (Ctrl+C, SIGTERM) never lets a change that was not sent count as written: every record handed to
    /// the writer gets an outcome, and one never sent is not recorded in the state store, so the next run writes it.
    /// </summary>
    [Collection("Process environment")]
    public class StoppedWriteTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-stopped-" + Guid.NewGuid().ToString("N"));

        public StoppedWriteTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        public void Dispose()
        {
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":0}");
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private const string People = "$people = 1..40 | ForEach-Object { [pscustomobject]@{ Username = \"s$_@stopped-access.example.com\"; LastName = \"S$_\"; Email = \"s$_@stopped-access.example.com\"; PermissionSets = 'Sales_Ops' } }; ";

        private long Assigned() => _emulator.QueryTotal("SELECT COUNT() FROM PermissionSetAssignment WHERE Assignee.Username LIKE '%@stopped-access.example.com' AND PermissionSet.Name = 'Sales_Ops'");

        [Fact]
        public void A_stop_after_the_users_were_written_leaves_their_unsent_permission_sets_for_the_next_run()
        {
            using var ps = _emulator.NewSession();
            Assert.Empty(ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{Path.Combine(_folder, "state.db")}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -StatePath $state").Errors);

            // The users' create commits, and its answer takes a while: the stop lands then, before the permission
            // sets (written after the users, whose Ids they need) are sent.
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":40}");
            long before = _emulator.RecordsWritten;
            bool stopped = ps.RunAndStop(People + "$people | Sync-SfUser -Rule hr -StatePath $state", () => _emulator.RecordsWritten - before >= 40, TimeSpan.FromMinutes(1));
            Assert.True(stopped, "the run ended before the stop");
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":0}");
            Assert.Equal(40, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@stopped-access.example.com'"));
            Assert.Equal(0, Assigned());
            // Recorded as failed with NotSent (their access was never sent), never as done.
            var recorded = ps.Run("Get-SfSyncStatus -Rule hr -ByUser -StatePath $state").Output;
            Assert.Equal(40, recorded.Count);
            Assert.All(recorded, r => Assert.Equal("NotSent", r.Prop("LastErrorCode")));

            // Not recorded as synced: the next run (a delta) is not answered from the store, and assigns the sets.
            var next = ps.Run(People + "$people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.Empty(next.Errors);
            Assert.Equal(40, next.Output.Count);
            Assert.Equal(40, Assigned());
        }
    }
}
