using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.Data.Sqlite;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The module's memory between runs, in one SQLite file: what each rule provisioned (source key ->
    /// Salesforce id, and a fingerprint of what was last written), rules, group identities and every run's
    /// outcome. The schema is versioned and upgraded in place; every change is a transaction, so a crash
    /// leaves the store as it was after the last finished batch; runs of one connection are serialized.
    /// </summary>
    public sealed class StateStore : IGroupIdentityStore, IDisposable
    {
        public const int SchemaVersion = 4;

        /// <summary>How long a run lock stays valid without renewal (a run renews it while it lives).</summary>
        internal static TimeSpan LeaseDuration = TimeSpan.FromMinutes(5);

        private const int OwnerOnlyFile = 0x180;   // 0600
        private const int OwnerOnlyFolder = 0x1C0; // 0700
        private readonly SqliteConnection _db;

        /// <summary>
        /// Opens (or creates) the store. A file that is empty, not a SQLite database, truncated, or (after
        /// an unclean stop) fails SQLite's own check is refused with a <see cref="SalesforceFailure.StateStoreDamaged"/>
        /// error naming it, before anything is written anywhere; a folder or disk that cannot be written
        /// gives <see cref="SalesforceFailure.StateStoreUnwritable"/>.
        /// </summary>
        public StateStore(string path = null)
        {
            FilePath = Path.GetFullPath(path ?? DefaultPath);
            bool isNew = !File.Exists(FilePath);
            PrepareFolder(isNew);
            if (!isNew) CheckFile();
            bool uncleanStop = !isNew && HasContent(FilePath + "-wal");
            SqliteNativeLoader.EnsureLoaded();
            _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString());
            try
            {
                if (isNew) CreateOwnerOnly(FilePath);
                _db.Open();
                Execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;");
                // WAL: a crash never leaves a half-applied transaction, and readers do not block the run.
                string mode = Convert.ToString(Scalar("PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture);
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                    throw Unwritable("cannot switch to write-ahead logging", null);
                if (uncleanStop) Check("it was not closed cleanly last time (a run was killed or the machine stopped)");
                Upgrade();
                RestrictFiles();
            }
            catch (SqliteException ex)
            {
                _db.Dispose();
                throw Translate(ex, "open");
            }
            catch
            {
                _db.Dispose();
                throw;
            }
        }

        /// <summary>SFPROVISIONING_STATE_PATH, else the user's local data folder, SalesforceProvisioning/state.db.</summary>
        public static string DefaultPath
        {
            get
            {
                string fromEnvironment = Environment.GetEnvironmentVariable("SFPROVISIONING_STATE_PATH");
                if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
                return Path.Combine(Path.GetDirectoryName(SavedConnectionStore.DefaultPath), "state.db");
            }
        }

        public string FilePath { get; }

        public int Version => Convert.ToInt32(Scalar("SELECT value FROM meta WHERE key = 'schema_version'"));

        /// <summary>The copy kept before the schema of version <paramref name="fromVersion"/> was upgraded.</summary>
        public static string UpgradeBackupPath(string statePath, int fromVersion) => statePath + ".before-schema-" + fromVersion.ToString(CultureInfo.InvariantCulture) + ".bak";

        /// <summary>The copy kept when the last rule run started, after the store passed SQLite's check.</summary>
        public static string RunBackupPath(string statePath) => statePath + ".before-last-run.bak";

        // ---- Opening: folder, file, check, upgrade ------------------------------------------------------

        private void PrepareFolder(bool isNew)
        {
            string folder = Path.GetDirectoryName(FilePath);
            try
            {
                if (!Directory.Exists(folder))
                {
                    Directory.CreateDirectory(folder);
                    SecretProtector.OwnerOnly(folder, OwnerOnlyFolder);
                }
                else if (string.Equals(folder, Path.GetDirectoryName(Path.GetFullPath(SavedConnectionStore.DefaultPath)), StringComparison.Ordinal))
                {
                    SecretProtector.OwnerOnly(folder, OwnerOnlyFolder); // the module's own folder, also when an older version made it 0755
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw Unwritable($"its folder '{folder}' cannot be created or written ({ex.Message})", ex);
            }
            catch (SalesforceConfigurationException ex)
            {
                throw Unwritable(ex.Message, ex);
            }
        }

        /// <summary>Refuses an empty, foreign or truncated file before SQLite sees it (SQLite would re-initialize an empty one).</summary>
        private void CheckFile()
        {
            byte[] header = new byte[100];
            long length;
            try
            {
                using (var file = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                {
                    length = file.Length;
                    int read = 0;
                    while (read < header.Length)
                    {
                        int n = file.Read(header, read, header.Length - read);
                        if (n == 0) break;
                        read += n;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new SalesforceException(SalesforceFailure.StateStoreDamaged, $"The state store '{FilePath}' cannot be read ({ex.Message}).", "Check the file's owner and permissions.", ex);
            }
            if (length == 0)
                throw Damaged("is empty (0 bytes): it was truncated or never written completely", null);
            if (length < 100 || Encoding.ASCII.GetString(header, 0, 16) != "SQLite format 3\0")
                throw Damaged("is not a SQLite database (it was overwritten by another file or only partly written)", null);
            int pageSize = (header[16] << 8) | header[17];
            if (pageSize == 1) pageSize = 65536;
            long pages = ((long)header[28] << 24) | ((long)header[29] << 16) | ((long)header[30] << 8) | header[31];
            bool pageCountValid = header[24] == header[92] && header[25] == header[93] && header[26] == header[94] && header[27] == header[95];
            // With pages still in the write-ahead log the file may lag its header; SQLite's check runs then instead.
            if (pageCountValid && pages > 0 && !HasContent(FilePath + "-wal") && length < pages * pageSize)
                throw Damaged($"is truncated ({length} of {pages * pageSize} bytes): it was only partly written or copied", null);
        }

        /// <summary>SQLite's own consistency check (quick_check: every page and index entry, without cross-checking content).</summary>
        private void Check(string why)
        {
            var problems = new List<string>();
            try
            {
                using (var command = Command("PRAGMA quick_check", null))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read()) problems.Add(reader.GetString(0));
                }
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 11 || ex.SqliteErrorCode == 26)
            {
                problems.Add(ex.Message);
            }
            if (problems.Count != 1 || problems[0] != "ok")
                throw Damaged($"failed SQLite's integrity check, run because {why} ({string.Join("; ", problems.Take(3))})", null);
        }

        private static bool HasContent(string path)
        {
            try { return File.Exists(path) && new FileInfo(path).Length > 0; }
            catch (IOException) { return false; }
        }

        private static void CreateOwnerOnly(string path)
        {
            // Created empty and restricted before SQLite writes into it (SQLite gives its -wal and -shm files the same mode).
            using (new FileStream(path, FileMode.CreateNew, FileAccess.Write)) { }
            SecretProtector.OwnerOnly(path, OwnerOnlyFile);
        }

        private void RestrictFiles()
        {
            try
            {
                foreach (string file in new[] { FilePath, FilePath + "-wal", FilePath + "-shm" })
                    if (File.Exists(file)) SecretProtector.OwnerOnly(file, OwnerOnlyFile);
            }
            catch (SalesforceConfigurationException ex)
            {
                throw Unwritable(ex.Message, ex);
            }
        }

        private void Upgrade()
        {
            Execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            int version = Convert.ToInt32(Scalar("SELECT value FROM meta WHERE key = 'schema_version'") ?? 0);
            if (version > SchemaVersion)
                throw new SalesforceConfigurationException("StatePath", $"The state store '{FilePath}' was written by a newer version of the module (schema {version}).", "Update the module, or use another -StatePath.");
            if (version == SchemaVersion) return;
            if (version > 0) BackupTo(UpgradeBackupPath(FilePath, version));
            using (var tx = _db.BeginTransaction())
            {
                if (version < 1)
                {
                    Execute(@"CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL, rule TEXT, command TEXT, started_at TEXT NOT NULL, finished_at TEXT,
                                status TEXT NOT NULL, impacted INTEGER NOT NULL DEFAULT 0, success INTEGER NOT NULL DEFAULT 0, unsynced INTEGER NOT NULL DEFAULT 0,
                                failed INTEGER NOT NULL DEFAULT 0, error TEXT);
                              CREATE TABLE provisioned (scope TEXT NOT NULL, rule TEXT NOT NULL, source_key TEXT NOT NULL, salesforce_id TEXT, object_type TEXT,
                                last_action TEXT, last_error_code TEXT, last_message TEXT, last_run_id INTEGER, updated_at TEXT NOT NULL,
                                PRIMARY KEY (scope, rule, source_key));
                              CREATE TABLE run_locks (scope TEXT PRIMARY KEY, owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, acquired_at TEXT NOT NULL);", tx);
                }
                if (version < 2)
                {
                    // v2: delta fingerprints, partial counts, rules and group identities (taken over from the JSON file).
                    Execute(@"ALTER TABLE provisioned ADD COLUMN fingerprint TEXT;
                              ALTER TABLE runs ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
                              CREATE TABLE rules (name TEXT PRIMARY KEY COLLATE NOCASE, connection_name TEXT NOT NULL, description TEXT, attribute_map TEXT,
                                default_profile TEXT, max_deprovision_percent INTEGER NOT NULL DEFAULT 10, created_at TEXT NOT NULL);
                              CREATE TABLE group_identities (org_id TEXT NOT NULL, source_id TEXT NOT NULL, salesforce_id TEXT NOT NULL, name TEXT, last_synced TEXT NOT NULL,
                                PRIMARY KEY (org_id, source_id));", tx);
                }
                if (version < 3)
                {
                    // v3: run locks are leases (renewed while the run lives) that know their process by its start time too.
                    Execute(@"ALTER TABLE run_locks ADD COLUMN process_started TEXT;
                              ALTER TABLE run_locks ADD COLUMN expires_at TEXT;", tx);
                }
                if (version < 4)
                {
                    // v4: Bulk API 2.0 jobs a run submitted, written down before they are polled, so a stopped run's job is resumed.
                    Execute(@"CREATE TABLE IF NOT EXISTS bulk_jobs (job_id TEXT PRIMARY KEY, scope TEXT NOT NULL, object_type TEXT NOT NULL, operation TEXT NOT NULL, started_at TEXT NOT NULL);", tx);
                }
                Execute($"INSERT INTO meta (key, value) VALUES ('schema_version', '{SchemaVersion}') ON CONFLICT(key) DO UPDATE SET value = excluded.value", tx);
                tx.Commit();
            }
        }

        /// <summary>A consistent copy of the whole store (SQLite's online backup), readable only by the user.</summary>
        private void BackupTo(string backupPath)
        {
            // A temporary name of its own: runs of other connections may copy the same store at the same time.
            string temporary = backupPath + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                CreateOwnerOnly(temporary);
                using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false }.ToString()))
                {
                    copy.Open();
                    _db.BackupDatabase(copy);
                }
                if (File.Exists(backupPath)) File.Replace(temporary, backupPath, null);
                else File.Move(temporary, backupPath);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is SqliteException)
            {
                try { if (File.Exists(temporary)) File.Delete(temporary); } catch (IOException) { }
                throw Unwritable($"the copy '{backupPath}' cannot be written ({ex.Message})", ex);
            }
        }

        /// <summary>
        /// Before a rule run writes anything: checks the store with SQLite and keeps a copy of it, so a file
        /// damaged later can be rolled back (Restore-SfStateStore). A store that cannot be written stops here.
        /// </summary>
        public void CheckAndKeepCopy()
        {
            Guarded("check", () =>
            {
                Check("a run is about to start");
                BackupTo(RunBackupPath(FilePath));
            });
        }

        /// <summary>
        /// Puts a copy back in place of the store (the newest one kept beside it when none is given); the
        /// replaced file is moved aside, never deleted. Returns the path it was moved to (null when there was none).
        /// </summary>
        public static string Restore(string statePath, string backupPath, out string restoredFrom)
        {
            statePath = Path.GetFullPath(statePath);
            restoredFrom = backupPath != null ? Path.GetFullPath(backupPath) : Backups(statePath).FirstOrDefault();
            if (restoredFrom == null || !File.Exists(restoredFrom))
                throw new SalesforceConfigurationException("BackupPath", $"No copy of '{statePath}' to restore was found{(restoredFrom != null ? $" at '{restoredFrom}'" : "")}.",
                    "Copies are kept beside the store as state.db.before-last-run.bak and state.db.before-schema-N.bak; give one with -BackupPath.");
            string aside = null;
            string stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            try
            {
                if (File.Exists(statePath))
                {
                    aside = statePath + ".replaced-" + stamp;
                    File.Move(statePath, aside);
                }
                foreach (string sidecar in new[] { "-wal", "-shm" })
                    if (File.Exists(statePath + sidecar)) File.Move(statePath + sidecar, (aside ?? statePath + ".replaced-" + stamp) + sidecar);
                File.Copy(restoredFrom, statePath);
                SecretProtector.OwnerOnly(statePath, OwnerOnlyFile);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new SalesforceException(SalesforceFailure.StateStoreUnwritable, $"The state store '{statePath}' could not be restored from '{restoredFrom}' ({ex.Message}).", "Check that the folder is writable and no run is using the store, then try again.", ex);
            }
            return aside;
        }

        /// <summary>The copies kept beside a store, newest first.</summary>
        public static IReadOnlyList<string> Backups(string statePath)
        {
            string folder = Path.GetDirectoryName(Path.GetFullPath(statePath));
            if (!Directory.Exists(folder)) return Array.Empty<string>();
            return Directory.GetFiles(folder, Path.GetFileName(statePath) + ".before-*.bak").OrderByDescending(File.GetLastWriteTimeUtc).ToList();
        }

        // ---- Runs and their serialization per connection ----------------------------------------------

        /// <summary>
        /// Takes the connection's run lock (a lease the returned object renews until it is disposed), or says
        /// who holds it. A lock whose holder is gone is taken over, with <see cref="RunLock.Warning"/> saying
        /// so: on this host when its process no longer runs (or its PID now belongs to a process started at
        /// another time), elsewhere when its lease expired.
        /// </summary>
        public RunLock LockScope(string scope)
        {
            string owner = Guid.NewGuid().ToString("N");
            string warning = null;
            Process self = Process.GetCurrentProcess();
            Guarded("lock", () =>
            {
                using (var tx = _db.BeginTransaction(deferred: false))
                {
                    using (var read = Command("SELECT pid, host, acquired_at, process_started, expires_at, owner FROM run_locks WHERE scope = $scope", tx, ("$scope", scope)))
                    using (var reader = read.ExecuteReader())
                    {
                        if (reader.Read())
                        {
                            var held = new HeldLock(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), Text(reader, 3), Text(reader, 4), reader.GetString(5));
                            string gone = WhyGone(held);
                            if (gone == null)
                                throw new SalesforceException(SalesforceFailure.StateStoreBusy,
                                    $"Another run for '{scope}' holds the state store since {held.AcquiredAt} (process {held.Pid} on {held.Host}).",
                                    "Wait for that run to finish (scheduled runs of one connection must not overlap), or stop it; a lock whose run is gone is taken over automatically.");
                            warning = $"Took over the run lock of '{scope}' held since {held.AcquiredAt} by process {held.Pid} on {held.Host}: {gone}.";
                        }
                    }
                    Execute(@"INSERT INTO run_locks (scope, owner, pid, host, acquired_at, process_started, expires_at) VALUES ($scope, $owner, $pid, $host, $at, $started, $expires)
                              ON CONFLICT(scope) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host, acquired_at = excluded.acquired_at,
                                process_started = excluded.process_started, expires_at = excluded.expires_at",
                        tx, ("$scope", scope), ("$owner", owner), ("$pid", self.Id), ("$host", Environment.MachineName), ("$at", Now()),
                        ("$started", StartTimeOf(self)), ("$expires", LeaseEnd()));
                    tx.Commit();
                }
            });
            return new RunLock(this, scope, owner, warning);
        }

        private sealed class HeldLock
        {
            public HeldLock(int pid, string host, string acquiredAt, string processStarted, string expiresAt, string owner)
            {
                Pid = pid; Host = host; AcquiredAt = acquiredAt; ProcessStarted = processStarted; ExpiresAt = expiresAt; Owner = owner;
            }
            public string Owner { get; }
            public int Pid { get; }
            public string Host { get; }
            public string AcquiredAt { get; }
            public string ProcessStarted { get; }
            public string ExpiresAt { get; }
        }

        /// <summary>Null while the lock's holder may still run; else why it is gone.</summary>
        private static string WhyGone(HeldLock held)
        {
            if (string.Equals(held.Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
            {
                Process process;
                try { process = Process.GetProcessById(held.Pid); }
                catch (ArgumentException) { return "that process no longer runs"; }
                try
                {
                    if (process.HasExited) return "that process no longer runs";
                    string started = StartTimeOf(process);
                    if (held.ProcessStarted != null && started != null && started != held.ProcessStarted)
                        return $"process {held.Pid} is now another program (started {started}, the lock's at {held.ProcessStarted})";
                    if (process.Id == Process.GetCurrentProcess().Id && !RunLock.IsLive(held.Owner))
                        return "its run in this process ended without releasing it (the store could not be written then)";
                }
                catch (Exception ex) when (ex is InvalidOperationException || ex is System.ComponentModel.Win32Exception) { }
                return null;
            }
            // Another host or container: its processes cannot be seen, only whether it kept renewing its lease.
            if (held.ExpiresAt == null) return "its lease is unknown (a lock from an older version of the module) and it is on another host";
            return DateTimeOffset.Parse(held.ExpiresAt, CultureInfo.InvariantCulture) < DateTimeOffset.UtcNow ? $"its lease expired at {held.ExpiresAt}" : null;
        }

        private static string StartTimeOf(Process process)
        {
            try { return process.StartTime.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture); }
            catch (Exception ex) when (ex is InvalidOperationException || ex is System.ComponentModel.Win32Exception || ex is NotSupportedException) { return null; }
        }

        private static string LeaseEnd() => DateTimeOffset.UtcNow.Add(LeaseDuration).ToString("o", CultureInfo.InvariantCulture);

        /// <summary>
        /// Renews a lease from the renewal timer's thread, on a connection of its own. False when the lock is
        /// no longer this owner's (taken over after its lease expired); null when the store could not be reached.
        /// </summary>
        internal bool? RenewLease(string scope, string owner)
        {
            try
            {
                using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString()))
                {
                    db.Open();
                    var command = db.CreateCommand();
                    command.CommandText = "PRAGMA busy_timeout = 10000; UPDATE run_locks SET expires_at = $expires WHERE scope = $scope AND owner = $owner";
                    command.Parameters.AddWithValue("$expires", LeaseEnd());
                    command.Parameters.AddWithValue("$scope", scope);
                    command.Parameters.AddWithValue("$owner", owner);
                    return command.ExecuteNonQuery() == 1;
                }
            }
            catch (SqliteException)
            {
                return null; // the run itself finds the store unwritable at its next record
            }
        }

        internal void ReleaseLock(string scope, string owner) => Guarded("write", () =>
            Execute("DELETE FROM run_locks WHERE scope = $scope AND owner = $owner", null, ("$scope", scope), ("$owner", owner)));

        /// <summary>
        /// Marks the scope's runs still 'Running' as Interrupted: only the holder of the scope's lock may call
        /// this, so no such run is alive. Their counts are what their recorded batches wrote.
        /// </summary>
        public IReadOnlyList<SfSyncRun> MarkInterrupted(string scope)
        {
            IReadOnlyList<SfSyncRun> interrupted = Runs(null, scope, 1000).Where(r => r.Status == "Running").ToList();
            if (interrupted.Count > 0)
                Guarded("record", () => Execute("UPDATE runs SET status = 'Interrupted', finished_at = $at, error = $error WHERE scope = $scope AND status = 'Running'", null,
                    ("$at", Now()), ("$error", "The run ended without finishing (its process was killed, or the machine or disk stopped); the counts are what its recorded batches wrote, and the next run reconciled the rest."), ("$scope", scope)));
            return interrupted;
        }

        public long StartRun(string scope, string rule, string command)
        {
            long id = 0;
            Guarded("record", () =>
            {
                Execute("INSERT INTO runs (scope, rule, command, started_at, status) VALUES ($scope, $rule, $command, $at, 'Running')", null, ("$scope", scope), ("$rule", rule), ("$command", command), ("$at", Now()));
                id = (long)Scalar("SELECT last_insert_rowid()");
            });
            return id;
        }

        public void FinishRun(long runId, SfSyncRun counts, string status, string error = null)
        {
            Guarded("record", () => Execute("UPDATE runs SET finished_at = $at, status = $status, impacted = $impacted, success = $success, unsynced = $unsynced, partial = $partial, failed = $failed, error = $error WHERE id = $id",
                null, ("$at", Now()), ("$status", status), ("$impacted", counts.Impacted), ("$success", counts.Success), ("$unsynced", counts.Unsynced),
                ("$partial", counts.Partial), ("$failed", counts.Failed), ("$error", error), ("$id", runId)));
        }

        public IReadOnlyList<SfSyncRun> Runs(string rule = null, string scope = null, int last = 10)
        {
            var runs = new List<SfSyncRun>();
            using (var command = Command("SELECT id, scope, rule, command, started_at, finished_at, status, impacted, success, unsynced, partial, failed, error FROM runs " +
                "WHERE ($rule IS NULL OR rule = $rule COLLATE NOCASE) AND ($scope IS NULL OR scope = $scope) ORDER BY id DESC LIMIT $last", null, ("$rule", rule), ("$scope", scope), ("$last", last)))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    runs.Add(new SfSyncRun
                    {
                        RunId = reader.GetInt64(0), Scope = reader.GetString(1), Rule = Text(reader, 2), Command = Text(reader, 3),
                        StartedAt = Instant.ParseStored(reader.GetString(4)), FinishedAt = reader.IsDBNull(5) ? (DateTimeOffset?)null : Instant.ParseStored(reader.GetString(5)),
                        Status = reader.GetString(6), Impacted = reader.GetInt32(7), Success = reader.GetInt32(8), Unsynced = reader.GetInt32(9),
                        Partial = reader.GetInt32(10), Failed = reader.GetInt32(11), Error = Text(reader, 12),
                    });
                }
            }
            return runs;
        }

        // ---- What each rule provisioned ----------------------------------------------------------------

        /// <summary>
        /// Records a batch of results and the run's counts so far in one transaction (a crash keeps whole
        /// batches or nothing). A store that cannot record (disk full, read-only) throws
        /// <see cref="SalesforceFailure.StateStoreUnwritable"/>: the caller must stop writing to Salesforce.
        /// </summary>
        public void Record(string scope, string rule, long runId, IEnumerable<SfProvisionedRecord> records, SfSyncRun counts = null)
        {
            Guarded("record", () =>
            {
                using (var tx = _db.BeginTransaction())
                {
                    foreach (SfProvisionedRecord r in records)
                    {
                        Execute(@"INSERT INTO provisioned (scope, rule, source_key, salesforce_id, object_type, fingerprint, last_action, last_error_code, last_message, last_run_id, updated_at)
                                  VALUES ($scope, $rule, $key, $id, $type, $fingerprint, $action, $code, $message, $run, $at)
                                  ON CONFLICT(scope, rule, source_key) DO UPDATE SET salesforce_id = COALESCE(excluded.salesforce_id, provisioned.salesforce_id),
                                    object_type = COALESCE(excluded.object_type, provisioned.object_type), fingerprint = excluded.fingerprint, last_action = excluded.last_action,
                                    last_error_code = excluded.last_error_code, last_message = excluded.last_message, last_run_id = excluded.last_run_id, updated_at = excluded.updated_at",
                            tx, ("$scope", scope), ("$rule", rule), ("$key", r.SourceKey.ToLowerInvariant()), ("$id", r.SalesforceId), ("$type", r.ObjectType), ("$fingerprint", r.Fingerprint),
                            ("$action", r.LastAction), ("$code", r.LastErrorCode), ("$message", r.LastMessage), ("$run", runId), ("$at", Now()));
                    }
                    if (counts != null)
                        Execute("UPDATE runs SET impacted = $impacted, success = $success, unsynced = $unsynced, partial = $partial, failed = $failed WHERE id = $id", tx,
                            ("$impacted", counts.Impacted), ("$success", counts.Success), ("$unsynced", counts.Unsynced), ("$partial", counts.Partial), ("$failed", counts.Failed), ("$id", runId));
                    tx.Commit();
                }
            });
        }

        public IReadOnlyList<SfProvisionedRecord> Provisioned(string scope, string rule)
        {
            var records = new List<SfProvisionedRecord>();
            using (var command = Command("SELECT source_key, salesforce_id, object_type, fingerprint, last_action, last_error_code, last_message, last_run_id, updated_at, rule FROM provisioned " +
                "WHERE ($scope IS NULL OR scope = $scope) AND rule = $rule COLLATE NOCASE ORDER BY source_key", null, ("$scope", scope), ("$rule", rule)))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    records.Add(new SfProvisionedRecord
                    {
                        SourceKey = reader.GetString(0), SalesforceId = Text(reader, 1), ObjectType = Text(reader, 2), Fingerprint = Text(reader, 3),
                        LastAction = Text(reader, 4), LastErrorCode = Text(reader, 5), LastMessage = Text(reader, 6),
                        LastRunId = reader.IsDBNull(7) ? 0 : reader.GetInt64(7), UpdatedAt = Instant.ParseStored(reader.GetString(8)), Rule = reader.GetString(9),
                    });
                }
            }
            return records;
        }

        /// <summary>Forgets records the rule no longer provisions (deprovisioned, or the rule removed).</summary>
        public void Forget(string scope, string rule, IEnumerable<string> sourceKeys) => Guarded("record", () =>
        {
            using (var tx = _db.BeginTransaction())
            {
                foreach (string key in sourceKeys)
                    Execute("DELETE FROM provisioned WHERE scope = $scope AND rule = $rule COLLATE NOCASE AND source_key = $key", tx, ("$scope", scope), ("$rule", rule), ("$key", key.ToLowerInvariant()));
                tx.Commit();
            }
        });

        // ---- Rules -----------------------------------------------------------------------------------

        public void SaveRule(SfProvisioningRule rule, bool isNew)
        {
            if (isNew && GetRule(rule.Name) != null)
                throw new SalesforceConfigurationException("Name", $"A rule named '{rule.Name}' already exists.", "Use Set-SfProvisioningRule to change it.");
            Guarded("write", () => Execute(@"INSERT INTO rules (name, connection_name, description, attribute_map, default_profile, max_deprovision_percent, created_at)
                      VALUES ($name, $connection, $description, $map, $profile, $max, $at)
                      ON CONFLICT(name) DO UPDATE SET connection_name = excluded.connection_name, description = excluded.description, attribute_map = excluded.attribute_map,
                        default_profile = excluded.default_profile, max_deprovision_percent = excluded.max_deprovision_percent",
                null, ("$name", rule.Name), ("$connection", rule.ConnectionName), ("$description", rule.Description), ("$map", rule.AttributeMapJson),
                ("$profile", rule.DefaultProfile), ("$max", rule.MaxDeprovisionPercent), ("$at", Now())));
        }

        public SfProvisioningRule GetRule(string name) => Rules().FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

        public IReadOnlyList<SfProvisioningRule> Rules()
        {
            var rules = new List<SfProvisioningRule>();
            using (var command = Command(@"SELECT r.name, r.connection_name, r.description, r.attribute_map, r.default_profile, r.max_deprovision_percent, r.created_at,
                    (SELECT MAX(started_at) FROM runs WHERE rule = r.name COLLATE NOCASE), (SELECT COUNT(*) FROM provisioned WHERE rule = r.name COLLATE NOCASE)
                  FROM rules r ORDER BY r.name", null))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    rules.Add(new SfProvisioningRule
                    {
                        Name = reader.GetString(0), ConnectionName = reader.GetString(1), Description = Text(reader, 2), AttributeMapJson = Text(reader, 3),
                        DefaultProfile = Text(reader, 4), MaxDeprovisionPercent = reader.GetInt32(5), CreatedAt = Instant.ParseStored(reader.GetString(6)),
                        LastRunAt = reader.IsDBNull(7) ? (DateTimeOffset?)null : Instant.ParseStored(reader.GetString(7)), ProvisionedCount = reader.GetInt32(8),
                    });
                }
            }
            return rules;
        }

        public void RemoveRule(string name) => Guarded("write", () =>
        {
            using (var tx = _db.BeginTransaction())
            {
                Execute("DELETE FROM provisioned WHERE rule = $name COLLATE NOCASE", tx, ("$name", name));
                Execute("DELETE FROM rules WHERE name = $name COLLATE NOCASE", tx, ("$name", name));
                tx.Commit();
            }
        });

        // ---- Group identities (IGroupIdentityStore) ------------------------------------------------------

        public GroupIdentity Find(string orgId, string sourceId) => All(orgId).FirstOrDefault(g => g.SourceId == sourceId);

        public IReadOnlyList<GroupIdentity> All(string orgId)
        {
            var groups = new List<GroupIdentity>();
            using (var command = Command("SELECT source_id, salesforce_id, name, last_synced FROM group_identities WHERE org_id = $org", null, ("$org", UserOrgContext.Id15(orgId))))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                    groups.Add(new GroupIdentity { SourceId = reader.GetString(0), SalesforceId = reader.GetString(1), Name = Text(reader, 2), LastSynced = Instant.ParseStored(reader.GetString(3)) });
            }
            return groups;
        }

        public void Save(string orgId, GroupIdentity identity) => Guarded("record", () => Execute(
            @"INSERT INTO group_identities (org_id, source_id, salesforce_id, name, last_synced) VALUES ($org, $source, $id, $name, $at)
              ON CONFLICT(org_id, source_id) DO UPDATE SET salesforce_id = excluded.salesforce_id, name = excluded.name, last_synced = excluded.last_synced",
            null, ("$org", UserOrgContext.Id15(orgId)), ("$source", identity.SourceId), ("$id", identity.SalesforceId), ("$name", identity.Name), ("$at", identity.LastSynced.ToString("o", CultureInfo.InvariantCulture))));

        public void Remove(string orgId, string sourceId) => Guarded("record", () => Execute("DELETE FROM group_identities WHERE org_id = $org AND source_id = $source", null, ("$org", UserOrgContext.Id15(orgId)), ("$source", sourceId)));

        // ---- Bulk API 2.0 jobs ---------------------------------------------------------------------------

        /// <summary>The Bulk API 2.0 jobs of one scope (a connection), written down before they are polled.</summary>
        public IBulkJobJournal BulkJobs(string scope) => new BulkJobJournal(this, scope);

        private sealed class BulkJobJournal : IBulkJobJournal
        {
            private readonly StateStore _store;
            private readonly string _scope;

            public BulkJobJournal(StateStore store, string scope)
            {
                _store = store;
                _scope = scope;
            }

            public void JobStarted(string jobId, string sObjectType, string operation) => _store.Guarded("record", () => _store.Execute(
                "INSERT OR REPLACE INTO bulk_jobs (job_id, scope, object_type, operation, started_at) VALUES ($id, $scope, $type, $operation, $at)", null,
                ("$id", jobId), ("$scope", _scope), ("$type", sObjectType), ("$operation", operation), ("$at", Now())));

            public void JobFinished(string jobId) => _store.Guarded("record", () => _store.Execute("DELETE FROM bulk_jobs WHERE job_id = $id", null, ("$id", jobId)));

            public IReadOnlyList<string> PendingJobs()
            {
                var ids = new List<string>();
                using (var command = _store.Command("SELECT job_id FROM bulk_jobs WHERE scope = $scope ORDER BY started_at", null, ("$scope", _scope)))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read()) ids.Add(reader.GetString(0));
                }
                return ids;
            }
        }

        // ---- Plumbing ----------------------------------------------------------------------------------

        private SqliteCommand Command(string sql, SqliteTransaction tx, params (string Name, object Value)[] parameters)
        {
            var command = _db.CreateCommand();
            command.CommandText = sql;
            command.Transaction = tx;
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            return command;
        }

        private void Execute(string sql, SqliteTransaction tx = null, params (string Name, object Value)[] parameters)
        {
            using (var command = Command(sql, tx, parameters)) command.ExecuteNonQuery();
        }

        private object Scalar(string sql)
        {
            using (var command = Command(sql, null))
            {
                object value = command.ExecuteScalar();
                return value == DBNull.Value ? null : value;
            }
        }

        /// <summary>Runs store work, turning SQLite's failures into errors that name the file and say what to do.</summary>
        private void Guarded(string what, Action work)
        {
            try { work(); }
            catch (SqliteException ex) { throw Translate(ex, what); }
        }

        private SalesforceException Translate(SqliteException ex, string what)
        {
            switch (ex.SqliteErrorCode)
            {
                case 11: // SQLITE_CORRUPT
                case 26: // SQLITE_NOTADB
                    return Damaged($"is damaged ({ex.Message})", ex);
                case 5: // SQLITE_BUSY
                case 6: // SQLITE_LOCKED
                    return new SalesforceException(SalesforceFailure.StateStoreBusy, $"The state store '{FilePath}' stayed locked by another process for 10 seconds ({ex.Message}).", "Wait for the other run to finish, then try again.", ex);
                default: // SQLITE_FULL (13), SQLITE_READONLY (8), SQLITE_IOERR (10), SQLITE_CANTOPEN (14), SQLITE_PERM (3) and the like
                    string problem = ex.SqliteErrorCode == 13 ? "the disk is full" : ex.SqliteErrorCode == 8 ? "it is read-only" : "it cannot be written";
                    return Unwritable(what == "record" ? $"{problem}, so it could not record what the run wrote ({ex.Message})" : $"{problem} ({ex.Message})", ex);
            }
        }

        private SalesforceException Damaged(string problem, Exception inner) => new SalesforceException(SalesforceFailure.StateStoreDamaged,
            $"The state store '{FilePath}' {problem}. Nothing was written to Salesforce by this command.",
            $"Roll it back to the copy kept beside it with Restore-SfStateStore -StatePath '{FilePath}' (the damaged file is moved aside, not deleted); " +
            "or move it away to start a new store (the next run recognises users already in Salesforce by their username).", inner);

        private SalesforceException Unwritable(string problem, Exception inner) => new SalesforceException(SalesforceFailure.StateStoreUnwritable,
            $"The state store '{FilePath}' cannot be used: {problem}. The run stops before writing (more) to Salesforce.",
            $"Free space on its disk or make '{Path.GetDirectoryName(FilePath)}' writable (or choose another -StatePath / $env:SFPROVISIONING_STATE_PATH), then run again: the next run recognises what was already written.", inner);

        private static string Text(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

        private static string Now() => DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture);

        public void Dispose() => _db.Dispose();
    }

    /// <summary>A held run lock: a lease renewed in the background while the run lives, released on Dispose.</summary>
    public sealed class RunLock : IDisposable
    {
        private readonly StateStore _store;
        private readonly string _scope;
        private readonly string _owner;
        private static readonly HashSet<string> Live = new HashSet<string>();
        private readonly Timer _renewal;
        private int _released;

        internal static bool IsLive(string owner)
        {
            lock (Live) return Live.Contains(owner);
        }

        internal RunLock(StateStore store, string scope, string owner, string warning)
        {
            _store = store;
            _scope = scope;
            _owner = owner;
            Warning = warning;
            lock (Live) Live.Add(owner);
            TimeSpan every = TimeSpan.FromTicks(StateStore.LeaseDuration.Ticks / 3);
            _renewal = new Timer(_ => Renew(), null, every, every);
        }

        /// <summary>Set when the lock was taken over from a run that is gone: who held it and why it counts as gone.</summary>
        public string Warning { get; }

        /// <summary>True once a renewal found the lock taken over (this run was paused past its lease): the run must stop writing.</summary>
        public bool Lost => Volatile.Read(ref _lost) == 1;

        private int _lost;

        internal void Renew()
        {
            if (_store.RenewLease(_scope, _owner) == false) Interlocked.Exchange(ref _lost, 1);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1) return;
            _renewal.Dispose();
            lock (Live) Live.Remove(_owner);
            _store.ReleaseLock(_scope, _owner);
        }
    }
}
