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
    /// The state store in one SQLite file (the default): readable only by the user, in write-ahead-log mode,
    /// checked after an unclean stop and before every run, with a copy kept before every run and every schema
    /// upgrade (Restore-SfStateStore). Run locks are leases in the file, renewed while the run lives.
    /// </summary>
    public sealed class SqliteStateStore : StateStore
    {
        private const int OwnerOnlyFile = 0x180;   // 0600
        private const int OwnerOnlyFolder = 0x1C0; // 0700
        private readonly SqliteConnection _db;

        /// <summary>
        /// Opens (or creates) the store. A file that is empty, not a SQLite database, truncated, or (after
        /// an unclean stop) fails SQLite's own check is refused with a <see cref="SalesforceFailure.StateStoreDamaged"/>
        /// error naming it, before anything is written anywhere; a folder or disk that cannot be written
        /// gives <see cref="SalesforceFailure.StateStoreUnwritable"/>.
        /// </summary>
        public SqliteStateStore(string path = null)
        {
            FilePath = Path.GetFullPath(path ?? DefaultFilePath);
            bool isNew = !File.Exists(FilePath);
            PrepareFolder(isNew);
            if (!isNew) CheckFile();
            bool uncleanStop = !isNew && HasContent(FilePath + "-wal");
            SqliteNativeLoader.EnsureLoaded();
            Db = _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString());
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
        public static string DefaultFilePath
        {
            get
            {
                string fromEnvironment = Environment.GetEnvironmentVariable("SFPROVISIONING_STATE_PATH");
                if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
                return Path.Combine(Path.GetDirectoryName(SavedConnectionStore.DefaultPath), "state.db");
            }
        }

        public string FilePath { get; }

        public override string Location => FilePath;

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

        protected override string IdentityColumn => "INTEGER PRIMARY KEY AUTOINCREMENT";

        protected override string NoCaseCollation => "COLLATE NOCASE";

        protected override void KeepCopyBeforeUpgrade(int fromVersion) => BackupTo(UpgradeBackupPath(FilePath, fromVersion));

        protected override SalesforceException Newer(int version) => new SalesforceConfigurationException("StatePath",
            $"The state store '{FilePath}' was written by a newer version of the module (schema {version}).", "Update the module, or use another -StatePath.");

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
        public override void CheckAndKeepCopy()
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

        // ---- Run locks: leases in the file --------------------------------------------------------------

        /// <summary>
        /// Takes the connection's run lock (a lease the returned object renews until it is disposed), or says
        /// who holds it. A lock whose holder is gone is taken over, with <see cref="RunLock.Warning"/> saying
        /// so: on this host when its process no longer runs (or its PID now belongs to a process started at
        /// another time), elsewhere when its lease expired.
        /// </summary>
        public override RunLock LockScope(string scope)
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
            return new LeaseLock(this, scope, owner, warning);
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
                    if (process.Id == Process.GetCurrentProcess().Id && !LeaseLock.IsLive(held.Owner))
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

        /// <summary>
        /// Renews a lease from the renewal timer's thread, on a connection of its own. False when the lock is
        /// no longer this owner's (taken over after its lease expired); null when the store could not be reached.
        /// </summary>
        internal bool? RenewLease(string scope, string owner) => RenewLease(scope, owner, out _);

        internal bool? RenewLease(string scope, string owner, out Exception failure)
        {
            failure = null;
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
            catch (SqliteException ex)
            {
                failure = ex; // the lease still runs: the next tick tries again, and the lock counts as lost once it ran out
                return null;
            }
        }

        internal void ReleaseLock(string scope, string owner) => Guarded("write", () =>
            Execute("DELETE FROM run_locks WHERE scope = $scope AND owner = $owner", null, ("$scope", scope), ("$owner", owner)));

        protected override SalesforceException Translate(Exception failure, string what)
        {
            if (!(failure is SqliteException ex)) return Unwritable($"its connection broke ({failure.Message})", failure);
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


    }

    /// <summary>
    /// A run lock held as a lease in the SQLite file: renewed in the background while the run lives, released
    /// on Dispose. A renewal that fails is tried again at the next tick; once the lease has run out without
    /// one, another host may take the lock over, so the run counts the lock as lost and stops writing.
    /// </summary>
    internal sealed class LeaseLock : RunLock
    {
        private static readonly HashSet<string> Live = new HashSet<string>();
        private readonly SqliteStateStore _store;
        private readonly string _owner;
        /// <summary>When the lease runs out unless renewed (tests move it to make a lease run out).</summary>
        internal DateTimeOffset ValidUntil { get; set; }

        internal static bool IsLive(string owner)
        {
            lock (Live) return Live.Contains(owner);
        }

        internal LeaseLock(SqliteStateStore store, string scope, string owner, string warning) : base(scope, warning)
        {
            _store = store;
            _owner = owner;
            ValidUntil = DateTimeOffset.UtcNow.Add(StateStore.LeaseDuration);
            lock (Live) Live.Add(owner);
            StartRenewal();
        }

        internal override void Renew()
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            bool? renewed = _store.RenewLease(Scope, _owner, out Exception failure);
            if (renewed == true)
            {
                ValidUntil = now.Add(StateStore.LeaseDuration);
                return;
            }
            if (renewed == false)
            {
                MarkLost(new SalesforceException(SalesforceFailure.StateStoreBusy,
                    $"This run's lock on '{Scope}' was taken over by another run (this one was paused longer than its lease); it stops before writing more to Salesforce. What it wrote so far is recorded.",
                    "Let the other run finish; if runs of one connection overlap, space out their schedules."));
                return;
            }
            if (now >= ValidUntil)
                MarkLost(new SalesforceException(SalesforceFailure.StateStoreUnwritable,
                    $"This run could not renew its lock on '{Scope}' in the state store '{_store.FilePath}' ({failure?.Message}), and its lease ran out at {ValidUntil:u}: " +
                    "another run may take the connection over now, so this one stops before writing more to Salesforce. What it wrote so far is recorded where the store allowed it.",
                    "Check that the state store's disk is writable and not full, then run again: the next run recognises what was already written."));
        }

        protected override void Release()
        {
            lock (Live) Live.Remove(_owner);
            _store.ReleaseLock(Scope, _owner);
        }
    }
}
