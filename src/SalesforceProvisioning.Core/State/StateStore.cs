using System;
using System.Collections.Generic;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The module's memory between runs: what each rule provisioned (source key -> Salesforce id, and a
    /// fingerprint of what was last written), rules, group identities and every run's outcome. The schema is
    /// versioned and upgraded in place; every change is a transaction, so a crash leaves the store as it was
    /// after the last finished batch; runs of one connection are serialized by a run lock.
    /// Two kinds share this SQL: <see cref="SqliteStateStore"/> (one file, the default) and
    /// <see cref="PostgreSqlStateStore"/> (a server several workers share). What differs is how each opens,
    /// locks a run, keeps copies and names its failures.
    /// </summary>
    public abstract class StateStore : IGroupIdentityStore, IDisposable
    {
        public const int SchemaVersion = 4;

        /// <summary>How long a run lock stays valid without renewal (a run renews it while it lives).</summary>
        internal static TimeSpan LeaseDuration = TimeSpan.FromMinutes(5);

        private DbConnection _db;

        /// <summary>SFPROVISIONING_STATE_PATH, else the user's local data folder, SalesforceProvisioning/state.db.</summary>
        public static string DefaultPath => SqliteStateStore.DefaultFilePath;

        /// <summary>Where the store is, for messages: its file, or its server and database (never a password).</summary>
        public abstract string Location { get; }

        /// <summary>The store's open connection (set once by the opening subclass).</summary>
        protected DbConnection Db
        {
            get => _db;
            set => _db = value;
        }

        public int Version => Convert.ToInt32(Scalar("SELECT value FROM meta WHERE key = 'schema_version'"), CultureInfo.InvariantCulture);

        // ---- Schema versions (one list of steps for every kind of store) -----------------------------------

        /// <summary>The column type of an auto-numbered primary key.</summary>
        protected abstract string IdentityColumn { get; }

        /// <summary>The collation clause that makes a text column compare without case (empty where the SQL lowers both sides).</summary>
        protected abstract string NoCaseCollation { get; }

        /// <summary>Serializes upgrades between processes opening the store at once (null where the store itself does).</summary>
        protected virtual IDisposable SchemaLock() => null;

        /// <summary>Keeps a copy of the store before the schema of <paramref name="fromVersion"/> is upgraded.</summary>
        protected virtual void KeepCopyBeforeUpgrade(int fromVersion) { }

        /// <summary>What to do with a store written by a newer module.</summary>
        protected abstract SalesforceException Newer(int version);

        /// <summary>Creates the schema, or upgrades an older one in one transaction.</summary>
        protected void Upgrade()
        {
            using (SchemaLock())
            {
                Execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
                int version = Convert.ToInt32(Scalar("SELECT value FROM meta WHERE key = 'schema_version'") ?? 0, CultureInfo.InvariantCulture);
                if (version > SchemaVersion) throw Newer(version);
                if (version == SchemaVersion) return;
                if (version > 0) KeepCopyBeforeUpgrade(version);
                using (DbTransaction tx = _db.BeginTransaction())
                {
                    if (version < 1)
                    {
                        Execute($@"CREATE TABLE runs (id {IdentityColumn}, scope TEXT NOT NULL, rule TEXT, command TEXT, started_at TEXT NOT NULL, finished_at TEXT,
                                    status TEXT NOT NULL, impacted INTEGER NOT NULL DEFAULT 0, success INTEGER NOT NULL DEFAULT 0, unsynced INTEGER NOT NULL DEFAULT 0,
                                    failed INTEGER NOT NULL DEFAULT 0, error TEXT);
                                  CREATE TABLE provisioned (scope TEXT NOT NULL, rule TEXT NOT NULL, source_key TEXT NOT NULL, salesforce_id TEXT, object_type TEXT,
                                    last_action TEXT, last_error_code TEXT, last_message TEXT, last_run_id BIGINT, updated_at TEXT NOT NULL,
                                    PRIMARY KEY (scope, rule, source_key));
                                  CREATE TABLE run_locks (scope TEXT PRIMARY KEY, owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, acquired_at TEXT NOT NULL);", tx);
                    }
                    if (version < 2)
                    {
                        // v2: delta fingerprints, partial counts, rules and group identities (taken over from the JSON file).
                        Execute($@"ALTER TABLE provisioned ADD COLUMN fingerprint TEXT;
                                  ALTER TABLE runs ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
                                  CREATE TABLE rules (name TEXT PRIMARY KEY {NoCaseCollation}, connection_name TEXT NOT NULL, description TEXT, attribute_map TEXT,
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
                        Execute("CREATE TABLE IF NOT EXISTS bulk_jobs (job_id TEXT PRIMARY KEY, scope TEXT NOT NULL, object_type TEXT NOT NULL, operation TEXT NOT NULL, started_at TEXT NOT NULL)", tx);
                    }
                    Execute("INSERT INTO meta (key, value) VALUES ('schema_version', @version) ON CONFLICT(key) DO UPDATE SET value = excluded.value", tx,
                        ("@version", SchemaVersion.ToString(CultureInfo.InvariantCulture)));
                    tx.Commit();
                }
            }
        }

        /// <summary>
        /// Before a rule run writes anything: checks the store and keeps a copy of it where the store can (a file);
        /// a store that cannot be written stops here.
        /// </summary>
        public virtual void CheckAndKeepCopy() { }

        // ---- Runs and their serialization per connection ----------------------------------------------

        /// <summary>
        /// Takes the connection's run lock (held until the returned object is disposed), or says who holds it
        /// (<see cref="SalesforceFailure.StateStoreBusy"/>). A lock whose holder is gone is taken over, with
        /// <see cref="RunLock.Warning"/> saying so.
        /// </summary>
        public abstract RunLock LockScope(string scope);

        /// <summary>
        /// Marks the scope's runs still 'Running' as Interrupted: only the holder of the scope's lock may call
        /// this, so no such run is alive. Their counts are what their recorded batches wrote.
        /// </summary>
        public IReadOnlyList<SfSyncRun> MarkInterrupted(string scope)
        {
            IReadOnlyList<SfSyncRun> interrupted = Runs(null, scope, 1000).Where(r => r.Status == "Running").ToList();
            if (interrupted.Count > 0)
                Guarded("record", () => Execute("UPDATE runs SET status = 'Interrupted', finished_at = @at, error = @error WHERE scope = @scope AND status = 'Running'", null,
                    ("@at", Now()), ("@error", "The run ended without finishing (its process was killed, or the machine or disk stopped); the counts are what its recorded batches wrote, and the next run reconciled the rest."), ("@scope", scope)));
            return interrupted;
        }

        public long StartRun(string scope, string rule, string command)
        {
            long id = 0;
            Guarded("record", () =>
                id = Convert.ToInt64(Scalar("INSERT INTO runs (scope, rule, command, started_at, status) VALUES (@scope, @rule, @command, @at, 'Running') RETURNING id", null,
                    ("@scope", scope), ("@rule", rule), ("@command", command), ("@at", Now())), CultureInfo.InvariantCulture));
            return id;
        }

        public void FinishRun(long runId, SfSyncRun counts, string status, string error = null)
        {
            Guarded("record", () => Execute("UPDATE runs SET finished_at = @at, status = @status, impacted = @impacted, success = @success, unsynced = @unsynced, partial = @partial, failed = @failed, error = @error WHERE id = @id",
                null, ("@at", Now()), ("@status", status), ("@impacted", counts.Impacted), ("@success", counts.Success), ("@unsynced", counts.Unsynced),
                ("@partial", counts.Partial), ("@failed", counts.Failed), ("@error", error), ("@id", runId)));
        }

        public IReadOnlyList<SfSyncRun> Runs(string rule = null, string scope = null, int last = 10)
        {
            var runs = new List<SfSyncRun>();
            Guarded("read", () =>
            {
                using (var command = Command("SELECT id, scope, rule, command, started_at, finished_at, status, impacted, success, unsynced, partial, failed, error FROM runs " +
                    "WHERE (@rule IS NULL OR lower(rule) = lower(@rule)) AND (@scope IS NULL OR scope = @scope) ORDER BY id DESC LIMIT @last", null, ("@rule", rule), ("@scope", scope), ("@last", last)))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        runs.Add(new SfSyncRun
                        {
                            RunId = Long(reader, 0), Scope = reader.GetString(1), Rule = Text(reader, 2), Command = Text(reader, 3),
                            StartedAt = Instant.ParseStored(reader.GetString(4)), FinishedAt = reader.IsDBNull(5) ? (DateTimeOffset?)null : Instant.ParseStored(reader.GetString(5)),
                            Status = reader.GetString(6), Impacted = Int(reader, 7), Success = Int(reader, 8), Unsynced = Int(reader, 9),
                            Partial = Int(reader, 10), Failed = Int(reader, 11), Error = Text(reader, 12),
                        });
                    }
                }
            });
            return runs;
        }

        // ---- What each rule provisioned ----------------------------------------------------------------

        /// <summary>
        /// Records a batch of results and the run's counts so far in one transaction (a crash keeps whole
        /// batches or nothing). A store that cannot record (disk full, read-only, server gone) throws
        /// <see cref="SalesforceFailure.StateStoreUnwritable"/>: the caller must stop writing to Salesforce.
        /// </summary>
        public void Record(string scope, string rule, long runId, IEnumerable<SfProvisionedRecord> records, SfSyncRun counts = null)
        {
            Guarded("record", () =>
            {
                using (DbTransaction tx = _db.BeginTransaction())
                {
                    foreach (SfProvisionedRecord r in records)
                    {
                        Execute(@"INSERT INTO provisioned (scope, rule, source_key, salesforce_id, object_type, fingerprint, last_action, last_error_code, last_message, last_run_id, updated_at)
                                  VALUES (@scope, @rule, @key, @id, @type, @fingerprint, @action, @code, @message, @run, @at)
                                  ON CONFLICT(scope, rule, source_key) DO UPDATE SET salesforce_id = COALESCE(excluded.salesforce_id, provisioned.salesforce_id),
                                    object_type = COALESCE(excluded.object_type, provisioned.object_type), fingerprint = excluded.fingerprint, last_action = excluded.last_action,
                                    last_error_code = excluded.last_error_code, last_message = excluded.last_message, last_run_id = excluded.last_run_id, updated_at = excluded.updated_at",
                            tx, ("@scope", scope), ("@rule", rule), ("@key", r.SourceKey.ToLowerInvariant()), ("@id", r.SalesforceId), ("@type", r.ObjectType), ("@fingerprint", r.Fingerprint),
                            ("@action", r.LastAction), ("@code", r.LastErrorCode), ("@message", r.LastMessage), ("@run", runId), ("@at", Now()));
                    }
                    if (counts != null)
                        Execute("UPDATE runs SET impacted = @impacted, success = @success, unsynced = @unsynced, partial = @partial, failed = @failed WHERE id = @id", tx,
                            ("@impacted", counts.Impacted), ("@success", counts.Success), ("@unsynced", counts.Unsynced), ("@partial", counts.Partial), ("@failed", counts.Failed), ("@id", runId));
                    tx.Commit();
                }
            });
        }

        public IReadOnlyList<SfProvisionedRecord> Provisioned(string scope, string rule)
        {
            var records = new List<SfProvisionedRecord>();
            Guarded("read", () =>
            {
                using (var command = Command("SELECT source_key, salesforce_id, object_type, fingerprint, last_action, last_error_code, last_message, last_run_id, updated_at, rule FROM provisioned " +
                    "WHERE (@scope IS NULL OR scope = @scope) AND lower(rule) = lower(@rule) ORDER BY source_key", null, ("@scope", scope), ("@rule", rule)))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        records.Add(new SfProvisionedRecord
                        {
                            SourceKey = reader.GetString(0), SalesforceId = Text(reader, 1), ObjectType = Text(reader, 2), Fingerprint = Text(reader, 3),
                            LastAction = Text(reader, 4), LastErrorCode = Text(reader, 5), LastMessage = Text(reader, 6),
                            LastRunId = reader.IsDBNull(7) ? 0 : Long(reader, 7), UpdatedAt = Instant.ParseStored(reader.GetString(8)), Rule = reader.GetString(9),
                        });
                    }
                }
            });
            return records;
        }

        /// <summary>Forgets records the rule no longer provisions (deprovisioned, or the rule removed).</summary>
        public void Forget(string scope, string rule, IEnumerable<string> sourceKeys) => Guarded("record", () =>
        {
            using (DbTransaction tx = _db.BeginTransaction())
            {
                foreach (string key in sourceKeys)
                    Execute("DELETE FROM provisioned WHERE scope = @scope AND lower(rule) = lower(@rule) AND source_key = @key", tx, ("@scope", scope), ("@rule", rule), ("@key", key.ToLowerInvariant()));
                tx.Commit();
            }
        });

        // ---- Rules -----------------------------------------------------------------------------------

        public void SaveRule(SfProvisioningRule rule, bool isNew)
        {
            if (isNew && GetRule(rule.Name) != null)
                throw new SalesforceConfigurationException("Name", $"A rule named '{rule.Name}' already exists.", "Use Set-SfProvisioningRule to change it.");
            Guarded("write", () => Execute(@"INSERT INTO rules (name, connection_name, description, attribute_map, default_profile, max_deprovision_percent, created_at)
                      VALUES (@name, @connection, @description, @map, @profile, @max, @at)
                      ON CONFLICT(name) DO UPDATE SET connection_name = excluded.connection_name, description = excluded.description, attribute_map = excluded.attribute_map,
                        default_profile = excluded.default_profile, max_deprovision_percent = excluded.max_deprovision_percent",
                null, ("@name", rule.Name), ("@connection", rule.ConnectionName), ("@description", rule.Description), ("@map", rule.AttributeMapJson),
                ("@profile", rule.DefaultProfile), ("@max", rule.MaxDeprovisionPercent), ("@at", Now())));
        }

        public SfProvisioningRule GetRule(string name) => Rules().FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

        public IReadOnlyList<SfProvisioningRule> Rules()
        {
            var rules = new List<SfProvisioningRule>();
            Guarded("read", () =>
            {
                using (var command = Command(@"SELECT r.name, r.connection_name, r.description, r.attribute_map, r.default_profile, r.max_deprovision_percent, r.created_at,
                        (SELECT MAX(started_at) FROM runs WHERE lower(rule) = lower(r.name)), (SELECT COUNT(*) FROM provisioned WHERE lower(rule) = lower(r.name))
                      FROM rules r ORDER BY r.name", null))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        rules.Add(new SfProvisioningRule
                        {
                            Name = reader.GetString(0), ConnectionName = reader.GetString(1), Description = Text(reader, 2), AttributeMapJson = Text(reader, 3),
                            DefaultProfile = Text(reader, 4), MaxDeprovisionPercent = Int(reader, 5), CreatedAt = Instant.ParseStored(reader.GetString(6)),
                            LastRunAt = reader.IsDBNull(7) ? (DateTimeOffset?)null : Instant.ParseStored(reader.GetString(7)), ProvisionedCount = Int(reader, 8),
                        });
                    }
                }
            });
            return rules;
        }

        public void RemoveRule(string name) => Guarded("write", () =>
        {
            using (DbTransaction tx = _db.BeginTransaction())
            {
                Execute("DELETE FROM provisioned WHERE lower(rule) = lower(@name)", tx, ("@name", name));
                Execute("DELETE FROM rules WHERE lower(name) = lower(@name)", tx, ("@name", name));
                tx.Commit();
            }
        });

        // ---- Group identities (IGroupIdentityStore) ------------------------------------------------------

        public GroupIdentity Find(string orgId, string sourceId) => All(orgId).FirstOrDefault(g => g.SourceId == sourceId);

        public IReadOnlyList<GroupIdentity> All(string orgId)
        {
            var groups = new List<GroupIdentity>();
            Guarded("read", () =>
            {
                using (var command = Command("SELECT source_id, salesforce_id, name, last_synced FROM group_identities WHERE org_id = @org", null, ("@org", UserOrgContext.Id15(orgId))))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                        groups.Add(new GroupIdentity { SourceId = reader.GetString(0), SalesforceId = reader.GetString(1), Name = Text(reader, 2), LastSynced = Instant.ParseStored(reader.GetString(3)) });
                }
            });
            return groups;
        }

        public void Save(string orgId, GroupIdentity identity) => Guarded("record", () => Execute(
            @"INSERT INTO group_identities (org_id, source_id, salesforce_id, name, last_synced) VALUES (@org, @source, @id, @name, @at)
              ON CONFLICT(org_id, source_id) DO UPDATE SET salesforce_id = excluded.salesforce_id, name = excluded.name, last_synced = excluded.last_synced",
            null, ("@org", UserOrgContext.Id15(orgId)), ("@source", identity.SourceId), ("@id", identity.SalesforceId), ("@name", identity.Name), ("@at", identity.LastSynced.ToString("o", CultureInfo.InvariantCulture))));

        public void Remove(string orgId, string sourceId) => Guarded("record", () => Execute("DELETE FROM group_identities WHERE org_id = @org AND source_id = @source", null, ("@org", UserOrgContext.Id15(orgId)), ("@source", sourceId)));

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
                "INSERT INTO bulk_jobs (job_id, scope, object_type, operation, started_at) VALUES (@id, @scope, @type, @operation, @at) ON CONFLICT(job_id) DO NOTHING", null,
                ("@id", jobId), ("@scope", _scope), ("@type", sObjectType), ("@operation", operation), ("@at", Now())));

            public void JobFinished(string jobId) => _store.Guarded("record", () => _store.Execute("DELETE FROM bulk_jobs WHERE job_id = @id", null, ("@id", jobId)));

            // Runs of a scope follow one another under its lock, so the job's run is the last one started before it.
            public long? RunOf(string jobId)
            {
                object id = null;
                _store.Guarded("read", () => id = _store.Scalar(
                    "SELECT r.id FROM runs r JOIN bulk_jobs j ON r.scope = j.scope AND r.started_at <= j.started_at WHERE j.job_id = @id ORDER BY r.id DESC LIMIT 1", null, ("@id", jobId)));
                return id == null || id is DBNull ? (long?)null : Convert.ToInt64(id, CultureInfo.InvariantCulture);
            }

            public void NoteOnRun(long runId, string note) => _store.Guarded("record", () => _store.Execute(
                "UPDATE runs SET error = CASE WHEN error IS NULL THEN @note ELSE error || ' ' || @note END WHERE id = @id", null, ("@note", note), ("@id", runId)));

            public IReadOnlyList<string> PendingJobs()
            {
                var ids = new List<string>();
                _store.Guarded("read", () =>
                {
                    using (var command = _store.Command("SELECT job_id FROM bulk_jobs WHERE scope = @scope ORDER BY started_at", null, ("@scope", _scope)))
                    using (var reader = command.ExecuteReader())
                    {
                        while (reader.Read()) ids.Add(reader.GetString(0));
                    }
                });
                return ids;
            }
        }

        // ---- Plumbing ----------------------------------------------------------------------------------

        protected DbCommand Command(string sql, DbTransaction tx, params (string Name, object Value)[] parameters)
        {
            DbCommand command = _db.CreateCommand();
            command.CommandText = sql;
            command.Transaction = tx;
            foreach (var (name, value) in parameters)
            {
                DbParameter parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value ?? DBNull.Value;
                if (value == null) parameter.DbType = DbType.String; // every value that may be absent is text; a server must know a null's type
                command.Parameters.Add(parameter);
            }
            return command;
        }

        protected void Execute(string sql, DbTransaction tx = null, params (string Name, object Value)[] parameters)
        {
            using (var command = Command(sql, tx, parameters)) command.ExecuteNonQuery();
        }

        protected object Scalar(string sql, DbTransaction tx = null, params (string Name, object Value)[] parameters)
        {
            using (var command = Command(sql, tx, parameters))
            {
                object value = command.ExecuteScalar();
                return value == DBNull.Value ? null : value;
            }
        }

        /// <summary>Runs store work, turning the database's failures into errors that name the store and say what to do.</summary>
        protected void Guarded(string what, Action work)
        {
            try { work(); }
            catch (DbException ex) { throw Translate(ex, what); }
            catch (InvalidOperationException ex) when (_db.State != ConnectionState.Open) { throw Translate(ex, what); } // the connection broke (a server that went away)
        }

        /// <summary>A database failure as an error that names the store and says what to do; <paramref name="what"/> is read, write, record, lock or open.</summary>
        protected abstract SalesforceException Translate(Exception ex, string what);

        protected static string Text(IDataRecord reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

        protected static int Int(IDataRecord reader, int i) => Convert.ToInt32(reader.GetValue(i), CultureInfo.InvariantCulture);

        protected static long Long(IDataRecord reader, int i) => Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture);

        protected static string Now() => DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture);

        protected static string LeaseEnd() => DateTimeOffset.UtcNow.Add(LeaseDuration).ToString("o", CultureInfo.InvariantCulture);

        public virtual void Dispose() => _db?.Dispose();
    }
}
