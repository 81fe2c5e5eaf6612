using System;
using System.Management.Automation;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// A sync's Write-Progress: the phase (reading the org, planning, writing) and how many inputs are done,
    /// with a percentage once the number of inputs is known (when the pipeline has ended). Records are
    /// written on a phase change and then only when the count moves a step (1% of a known total, else 500
    /// inputs), so a long run gives a bounded number of records however its results arrive: no flood in a
    /// log or a non-interactive host.
    /// </summary>
    internal sealed class SyncProgress
    {
        private const int StepWithoutTotal = 500;
        private readonly Cmdlet _cmdlet;
        private readonly string _activity;
        private string _phase;
        private int _done;
        private int _lastWritten = -1;

        internal SyncProgress(Cmdlet cmdlet, string activity)
        {
            _cmdlet = cmdlet;
            _activity = activity;
        }

        /// <summary>How many inputs there are, once known.</summary>
        internal int? Total { get; set; }

        /// <summary>Records written so far (tests count them).</summary>
        internal int Written { get; private set; }

        internal void Phase(string phase)
        {
            if (phase == _phase) return;
            _phase = phase;
            Write();
        }

        internal void Done(int done)
        {
            _done = done;
            int step = Total.HasValue ? Math.Max(1, Total.Value / 100) : StepWithoutTotal;
            if (_lastWritten < 0 || done - _lastWritten >= step || (Total.HasValue && done >= Total.Value && _lastWritten < done)) Write();
        }

        internal void Complete()
        {
            _cmdlet.WriteProgress(new ProgressRecord(1, _activity, "Done") { RecordType = ProgressRecordType.Completed });
            Written++;
        }

        private void Write()
        {
            string status = Total.HasValue ? $"{_phase}: {_done} of {Total} input(s) done" : $"{_phase}: {_done} input(s) done";
            var record = new ProgressRecord(1, _activity, status);
            if (Total.HasValue && Total.Value > 0) record.PercentComplete = Math.Min(100, (int)(100L * _done / Total.Value));
            _cmdlet.WriteProgress(record);
            _lastWritten = _done;
            Written++;
        }
    }
}
