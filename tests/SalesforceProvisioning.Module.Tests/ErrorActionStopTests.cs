using System;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// -ErrorAction Stop never hides a write (issue 11 #18): with $ErrorActionPreference = 'Stop' (the quickstart's
    /// style) the first error ends the command, so every result of the batch already written is emitted before
    /// it, and no later batch is sent.
    /// </summary>
    public class ErrorActionStopTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public ErrorActionStopTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        private const string Collect = "$ErrorActionPreference = 'Stop'; $seen = [System.Collections.Generic.List[object]]::new(); $caught = $null; ";

        [Fact]
        public void Every_written_user_of_the_batch_yields_its_result_before_the_error_and_no_later_batch_is_sent()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run(Collect +
                "$people = 1..25 | ForEach-Object { [pscustomobject]@{ Username = $(if ($_ -eq 5) { 'not-an-email' } else { \"s$_@stop.example.com\" }); LastName = \"S$_\"; Email = \"s$_@stop.example.com\" } }; " +
                "try { $people | Sync-SfUser -Profile 'Standard User' -BatchSize 10 | ForEach-Object { $seen.Add($_) } } catch { $caught = $_ }; " +
                "$seen | ForEach-Object { \"$($_.InputIndex):$($_.Action)\" }; 'error=' + $caught.FullyQualifiedErrorId");
            Assert.Empty(result.Errors);
            var lines = result.Output.Select(o => o.ToString()).ToList();
            Assert.Equal(Enumerable.Range(0, 10).Select(i => i == 4 ? "4:Failed" : $"{i}:Created"), lines.Take(10));
            Assert.StartsWith("error=InvalidUsername,", lines.Last());
            Assert.Equal(9, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@stop.example.com'"));
            Assert.Empty(_emulator.Query("SELECT Id FROM User WHERE Username = 's11@stop.example.com'")); // the next batch was never sent
        }

        [Fact]
        public void Every_group_result_comes_before_the_error()
        {
            using var ps = _emulator.NewSession();
            string state = Path.Combine(Path.GetTempPath(), "sfprov-stop-" + Guid.NewGuid().ToString("N") + ".db");
            try
            {
                var result = ps.Run(Collect +
                    "try { @([pscustomobject]@{ Name = 'Stop One' }, [pscustomobject]@{ Name = 'Stop Two'; Deleted = 'perhaps' }, [pscustomobject]@{ Name = 'Stop Three' }) | " +
                    $"Sync-SfGroup -StatePath '{state}' | ForEach-Object {{ $seen.Add($_) }} }} catch {{ $caught = $_ }}; " +
                    "$seen | ForEach-Object { \"$($_.Name):$($_.Action)\" }; 'error=' + $caught.FullyQualifiedErrorId");
                Assert.Equal(new[] { "Stop One:Created", "Stop Two:Failed", "Stop Three:Created" }, result.Output.Take(3).Select(o => o.ToString()).ToArray());
                Assert.StartsWith("error=InvalidSourceValue,", result.Output.Last().ToString());
            }
            finally
            {
                if (File.Exists(state)) File.Delete(state);
            }
        }
    }
}
