using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
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
        public const int SchemaVersion = 2;
        private readonly SqliteConnection _db;

        public StateStore(string path = null)
        {
            FilePath = path ?? DefaultPath;
            string folder = Path.GetDirectoryName(Path.GetFullPath(FilePath));
            bool created = !Directory.Exists(folder);
            Directory.CreateDirectory(folder);
            if (created) SecretProtector.OwnerOnly(folder, 0x1C0);
            SqliteNativeLoader.EnsureLoaded();
            _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString());
            _db.Open();
            Execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;");
            Upgrade();
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

        private void Upgrade()
        {
            Execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            int version = Convert.ToInt32(Scalar("SELECT value FROM meta WHERE key = 'schema_version'") ?? 0);
            if (version > SchemaVersion)
                throw new SalesforceConfigurationException("StatePath", $"The state store '{FilePath}' was written by a newer version of the module (schema {version}).", "Update the module, or use another -StatePath.");
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
                if (version < SchemaVersion)
                    Execute($"INSERT INTO meta (key, value) VALUES ('schema_version', '{SchemaVersion}') ON CONFLICT(key) DO UPDATE SET value = excluded.value", tx);
                tx.Commit();
            }
        }

        // ---- Runs and their serialization per connection ----------------------------------------------

        /// <summary>
        /// Takes the connection's run lock, or says who holds it. A lock left by a process that no longer
        /// runs is taken over (the crashed run's finished batches are already in the store).
        /// </summary>
        public IDisposable LockScope(string scope)
        {
            string owner = Guid.NewGuid().ToString("N");
            using (var tx = _db.BeginTransaction(deferred: false))
            {
                using (var read = Command("SELECT pid, host, acquired_at FROM run_locks WHERE scope = $scope", tx, ("$scope", scope)))
                using (var reader = read.ExecuteReader())
                {
                    if (reader.Read())
                    {
                        int pid = reader.GetInt32(0);
                        string host = reader.GetString(1);
                        if (host != Environment.MachineName || IsRunning(pid))
                            throw new SalesforceException(SalesforceFailure.StateStoreBusy,
                                $"Another run for '{scope}' holds the state store since {reader.GetString(2)} (process {pid} on {host}).",
                                "Wait for that run to finish (scheduled runs of one connection must not overlap), or stop it; a crashed run's lock is taken over automatically.");
                    }
                }
                Execute("INSERT INTO run_locks (scope, owner, pid, host, acquired_at) VALUES ($scope, $owner, $pid, $host, $at) ON CONFLICT(scope) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host, acquired_at = excluded.acquired_at",
                    tx, ("$scope", scope), ("$owner", owner), ("$pid", Process.GetCurrentProcess().Id), ("$host", Environment.MachineName), ("$at", Now()));
                tx.Commit();
            }
            return new Release(() => Execute("DELETE FROM run_locks WHERE scope = $scope AND owner = $owner", null, ("$scope", scope), ("$owner", owner)));
        }

        private static bool IsRunning(int pid)
        {
            try { return !Process.GetProcessById(pid).HasExited; }
            catch (ArgumentException) { return false; }
        }

        public long StartRun(string scope, string rule, string command)
        {
            Execute("INSERT INTO runs (scope, rule, command, started_at, status) VALUES ($scope, $rule, $command, $at, 'Running')", null, ("$scope", scope), ("$rule", rule), ("$command", command), ("$at", Now()));
            return (long)Scalar("SELECT last_insert_rowid()");
        }

        public void FinishRun(long runId, SfSyncRun counts, string status, string error = null)
        {
            Execute("UPDATE runs SET finished_at = $at, status = $status, impacted = $impacted, success = $success, unsynced = $unsynced, partial = $partial, failed = $failed, error = $error WHERE id = $id",
                null, ("$at", Now()), ("$status", status), ("$impacted", counts.Impacted), ("$success", counts.Success), ("$unsynced", counts.Unsynced),
                ("$partial", counts.Partial), ("$failed", counts.Failed), ("$error", error), ("$id", runId));
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

        /// <summary>Records a batch of results in one transaction (a crash keeps whole batches or nothing).</summary>
        public void Record(string scope, string rule, long runId, IEnumerable<SfProvisionedRecord> records)
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
                tx.Commit();
            }
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
        public void Forget(string scope, string rule, IEnumerable<string> sourceKeys)
        {
            using (var tx = _db.BeginTransaction())
            {
                foreach (string key in sourceKeys)
                    Execute("DELETE FROM provisioned WHERE scope = $scope AND rule = $rule COLLATE NOCASE AND source_key = $key", tx, ("$scope", scope), ("$rule", rule), ("$key", key.ToLowerInvariant()));
                tx.Commit();
            }
        }

        // ---- Rules -----------------------------------------------------------------------------------

        public void SaveRule(SfProvisioningRule rule, bool isNew)
        {
            if (isNew && GetRule(rule.Name) != null)
                throw new SalesforceConfigurationException("Name", $"A rule named '{rule.Name}' already exists.", "Use Set-SfProvisioningRule to change it.");
            Execute(@"INSERT INTO rules (name, connection_name, description, attribute_map, default_profile, max_deprovision_percent, created_at)
                      VALUES ($name, $connection, $description, $map, $profile, $max, $at)
                      ON CONFLICT(name) DO UPDATE SET connection_name = excluded.connection_name, description = excluded.description, attribute_map = excluded.attribute_map,
                        default_profile = excluded.default_profile, max_deprovision_percent = excluded.max_deprovision_percent",
                null, ("$name", rule.Name), ("$connection", rule.ConnectionName), ("$description", rule.Description), ("$map", rule.AttributeMapJson),
                ("$profile", rule.DefaultProfile), ("$max", rule.MaxDeprovisionPercent), ("$at", Now()));
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

        public void RemoveRule(string name)
        {
            using (var tx = _db.BeginTransaction())
            {
                Execute("DELETE FROM provisioned WHERE rule = $name COLLATE NOCASE", tx, ("$name", name));
                Execute("DELETE FROM rules WHERE name = $name COLLATE NOCASE", tx, ("$name", name));
                tx.Commit();
            }
        }

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

        public void Save(string orgId, GroupIdentity identity) => Execute(
            @"INSERT INTO group_identities (org_id, source_id, salesforce_id, name, last_synced) VALUES ($org, $source, $id, $name, $at)
              ON CONFLICT(org_id, source_id) DO UPDATE SET salesforce_id = excluded.salesforce_id, name = excluded.name, last_synced = excluded.last_synced",
            null, ("$org", UserOrgContext.Id15(orgId)), ("$source", identity.SourceId), ("$id", identity.SalesforceId), ("$name", identity.Name), ("$at", identity.LastSynced.ToString("o")));

        public void Remove(string orgId, string sourceId) => Execute("DELETE FROM group_identities WHERE org_id = $org AND source_id = $source", null, ("$org", UserOrgContext.Id15(orgId)), ("$source", sourceId));

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

        private static string Text(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

        private static string Now() => DateTimeOffset.UtcNow.ToString("o");

        public void Dispose() => _db.Dispose();

        private sealed class Release : IDisposable
        {
            private Action _release;
            public Release(Action release) { _release = release; }
            public void Dispose() { _release?.Invoke(); _release = null; }
        }
    }
}
