using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>Progress of a long sync: phases, a percentage once the input count is known, and a bounded number of records.</summary>
    [Collection("Process environment")]
    public class ProgressTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-progress-" + Guid.NewGuid().ToString("N"));

        public ProgressTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        public void Dispose()
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private static string People(int count) =>
            $"$people = 1..{count} | ForEach-Object {{ [pscustomobject]@{{ Username = \"p$_@progress.example.com\"; LastName = \"P$_\"; Email = \"p$_@progress.example.com\" }} }}; ";

        [Fact]
        public void A_sync_reports_its_phases_and_a_percentage_once_the_inputs_are_counted()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run(People(1200) + "$people | Sync-SfUser -Profile 'Standard User' -BatchSize 500 | Out-Null");
            Assert.Empty(result.Errors);
            var statuses = result.Progress.Where(p => p.RecordType == ProgressRecordType.Processing).Select(p => p.StatusDescription).ToList();
            Assert.Contains(statuses, s => s.StartsWith("Reading the org"));
            Assert.Contains(statuses, s => s.StartsWith("Planning 500 user(s)"));
            Assert.Contains(statuses, s => s.StartsWith("Writing 500 change(s)"));
            // The last window is planned after the pipeline ended: its records know the total.
            var counted = result.Progress.Where(p => p.PercentComplete >= 0 && p.RecordType == ProgressRecordType.Processing).ToList();
            Assert.NotEmpty(counted);
            Assert.Contains(counted, p => p.StatusDescription.Contains("of 1200 input(s)"));
            Assert.Equal(100, counted.Last().PercentComplete);
            Assert.Equal(ProgressRecordType.Completed, result.Progress.Last().RecordType);
        }

        [Fact]
        public void The_summary_counts_the_API_calls_the_run_spent_even_on_a_new_connection()
        {
            using var ps = _emulator.NewSession(); // no call made yet on this connection
            long before = _emulator.ApiCalls;
            var result = ps.Run(People(450) + "$people | Sync-SfUser -Profile 'Standard User' -InformationVariable run | Out-Null; $run[-1].MessageData.ApiCallsUsed");
            Assert.Empty(result.Errors);
            Assert.Equal((_emulator.ApiCalls - before).ToString(), result.Output.Single().ToString());
            Assert.Contains(result.Information, i => i.Contains("API calls used: " + (_emulator.ApiCalls - before)));
        }

        [Fact]
        public void People_answered_one_by_one_from_the_state_store_do_not_flood_the_host_with_progress()
        {
            using var ps = _emulator.NewSession();
            string state = Path.Combine(_folder, "state.db");
            var setup = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{state}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; $null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -StatePath $state");
            Assert.Empty(setup.Errors);
            Assert.Empty(ps.Run(People(1200) + "$people | Sync-SfUser -Rule hr -StatePath $state | Out-Null").Errors);

            // Every person is unchanged since the last run: each result comes out on its own, as it is read.
            var again = ps.Run(People(1200) + "$people | Sync-SfUser -Rule hr -StatePath $state | Out-Null");
            Assert.Empty(again.Errors);
            Assert.True(again.Progress.Count <= 12, $"{again.Progress.Count} progress records for 1200 inputs");
        }
    }
}
