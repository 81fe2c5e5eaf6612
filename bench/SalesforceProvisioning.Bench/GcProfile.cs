using System;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Linq;
using System.Text;

namespace SalesforceProvisioning.Bench
{
    /// <summary>
    /// A memory profile without tools (BENCH_GC_PROFILE=1): the runtime's own GC events, read in the process
    /// itself. Allocation ticks (one about every 100 KB allocated, naming the type that crossed it) say which
    /// types the allocations went to; each collection's generation, reason, pause and promoted bytes say what
    /// the pauses cost and why. Printed to stderr at the end of a sync.
    /// </summary>
    internal sealed class GcProfile : EventListener
    {
        private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
        private const EventKeywords GcKeyword = (EventKeywords)0x1;

        private readonly object _sync = new object();
        private readonly Dictionary<string, ulong> _allocatedByType = new Dictionary<string, ulong>();
        private readonly List<string> _collections = new List<string>();
        private readonly Dictionary<string, (int Count, double PauseMs)> _pausesByKind = new Dictionary<string, (int, double)>();
        private DateTime _suspended;
        private string _current = "?";
        private ulong _promoted;

        public static GcProfile StartIfAsked()
            => Environment.GetEnvironmentVariable("BENCH_GC_PROFILE") == "1" ? new GcProfile() : null;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == RuntimeSource) EnableEvents(source, EventLevel.Verbose, GcKeyword);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            lock (_sync)
            {
                switch (e.EventName)
                {
                    case string name when name.StartsWith("GCAllocationTick", StringComparison.Ordinal):
                        string type = Payload(e, "TypeName") as string ?? "?";
                        ulong amount = Convert.ToUInt64(Payload(e, "AllocationAmount64") ?? Payload(e, "AllocationAmount") ?? 0, CultureInfo.InvariantCulture);
                        if (Convert.ToInt32(Payload(e, "AllocationKind") ?? 0, CultureInfo.InvariantCulture) == 1) type += " (LOH)";
                        _allocatedByType[type] = _allocatedByType.GetValueOrDefault(type) + amount;
                        break;
                    case string name when name.StartsWith("GCStart", StringComparison.Ordinal):
                        int depth = Convert.ToInt32(Payload(e, "Depth"), CultureInfo.InvariantCulture);
                        int kind = Convert.ToInt32(Payload(e, "Type") ?? 0, CultureInfo.InvariantCulture);
                        _current = $"gen{depth}{(kind == 1 ? " background" : kind == 2 ? " foreground" : "")} ({Payload(e, "Reason")})";
                        break;
                    case string name when name.StartsWith("GCHeapStats", StringComparison.Ordinal):
                        _promoted = Convert.ToUInt64(Payload(e, "TotalPromotedSize0"), CultureInfo.InvariantCulture)
                            + Convert.ToUInt64(Payload(e, "TotalPromotedSize1"), CultureInfo.InvariantCulture);
                        _collections.Add(string.Create(CultureInfo.InvariantCulture,
                            $"{_current}: gen0 {Mb(Payload(e, "GenerationSize0"))} gen1 {Mb(Payload(e, "GenerationSize1"))} gen2 {Mb(Payload(e, "GenerationSize2"))} loh {Mb(Payload(e, "GenerationSize3"))} MB, promoted from gen0+1 {_promoted / 1048576.0:0.0} MB"));
                        break;
                    case string name when name.StartsWith("GCSuspendEEBegin", StringComparison.Ordinal):
                        _suspended = e.TimeStamp;
                        break;
                    case string name when name.StartsWith("GCRestartEEEnd", StringComparison.Ordinal):
                        if (_suspended == default) break;
                        double ms = (e.TimeStamp - _suspended).TotalMilliseconds;
                        string key = _current.Split(' ')[0];
                        var sum = _pausesByKind.GetValueOrDefault(key);
                        _pausesByKind[key] = (sum.Count + 1, sum.PauseMs + ms);
                        if (_collections.Count > 0) _collections[_collections.Count - 1] += string.Create(CultureInfo.InvariantCulture, $", pause {ms:0.0} ms");
                        _suspended = default;
                        break;
                }
            }
        }

        public string Report(int topTypes = 25)
        {
            lock (_sync)
            {
                var text = new StringBuilder();
                ulong total = _allocatedByType.Values.Aggregate(0UL, (a, b) => a + b);
                text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"allocation ticks: {total / 1048576.0:0} MB sampled; by type:"));
                foreach (var pair in _allocatedByType.OrderByDescending(p => p.Value).Take(topTypes))
                    text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {pair.Value / 1048576.0,8:0.0} MB  {pair.Key}"));
                text.AppendLine("pauses by collection kind:");
                foreach (var pair in _pausesByKind.OrderBy(p => p.Key))
                    text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {pair.Key}: {pair.Value.Count} pauses, {pair.Value.PauseMs:0} ms"));
                text.AppendLine("collections:");
                foreach (string line in _collections) text.AppendLine("  " + line);
                return text.ToString();
            }
        }

        private static object Payload(EventWrittenEventArgs e, string name)
        {
            int i = e.PayloadNames?.IndexOf(name) ?? -1;
            return i >= 0 ? e.Payload[i] : null;
        }

        private static string Mb(object bytes) => (Convert.ToUInt64(bytes ?? 0, CultureInfo.InvariantCulture) / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
    }
}
