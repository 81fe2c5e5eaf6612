using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Npgsql;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The state store on a PostgreSQL server, for several workers sharing one state (hybrid runbook worker
    /// groups, highly available schedulers, cloud jobs with no lasting disk). Same schema, same versions, same
    /// SQL as the file store; a run lock is a session advisory lock (pg_try_advisory_lock) held on a
    /// connection of its own, so the server releases it the moment the worker's session ends (killed
    /// process, stopped machine). The connection string never carries a password: it comes from a
    /// credential, a password file (Passfile= or PGPASSFILE) or PGPASSWORD.
    /// </summary>
    public sealed class PostgreSqlStateStore : StateStore
    {
        /// <summary>The environment variable that chooses this store when no -StatePath or -StateConnectionString is given.</summary>
        public const string EnvironmentVariable = "SFPROVISIONING_STATE_CONNECTION";

        private const string SchemaLockKey = "SalesforceProvisioning schema";
        private const string RunLockPrefix = "SalesforceProvisioning run lock: ";
        private readonly string _connectionString;
        private readonly NpgsqlConnection _db;

        /// <param name="connectionString">An Npgsql connection string without a password (Host=...;Database=...;Username=...).</param>
        /// <param name="credential">The user and password, kept in memory only (a PSCredential's).</param>
        /// <param name="source">Where the string came from, for errors: the parameter or the environment variable.</param>
        public PostgreSqlStateStore(string connectionString, NetworkCredential credential = null, string source = "StateConnectionString")
        {
            NpgsqlConnectionStringBuilder builder = Builder(connectionString, credential, source);
            Location = $"postgresql://{builder.Username ?? Environment.GetEnvironmentVariable("PGUSER")}@{builder.Host ?? Environment.GetEnvironmentVariable("PGHOST")}:{builder.Port}/{builder.Database ?? Environment.GetEnvironmentVariable("PGDATABASE")}";
            _connectionString = builder.ConnectionString;
            Db = _db = new NpgsqlConnection(_connectionString);
            ClosingOnFailure(_db, "open", () =>
            {
                _db.Open();
                Upgrade();
            });
        }

        /// <summary>
        /// Runs <paramref name="work"/> on a connection just made, and disposes the connection if the work fails; a server,
        /// connection or timeout failure becomes an error that names the store (<paramref name="what"/> as for Translate).
        /// </summary>
        private void ClosingOnFailure(NpgsqlConnection connection, string what, Action work)
        {
            try
            {
                work();
            }
            catch (Exception ex) when (ex is NpgsqlException || ex is InvalidOperationException || ex is TimeoutException)
            {
                connection.Dispose();
                throw Translate(ex, what);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        /// <summary>
        /// The names of the rules in the store, for tab completion: read only (a store not set up yet has none,
        /// and none is created or upgraded), within <paramref name="timeout"/> for the connect and for the
        /// query. Any failure (no server, refused login, a password in the string) throws; the caller offers nothing.
        /// </summary>
        public static IReadOnlyList<string> ReadRuleNames(string connectionString, NetworkCredential credential, TimeSpan timeout)
        {
            NpgsqlConnectionStringBuilder builder = Builder(connectionString, credential, "StateConnectionString");
            builder.Timeout = builder.CommandTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
            var names = new List<string>();
            using (var db = new NpgsqlConnection(builder.ConnectionString))
            {
                db.Open();
                using (var exists = new NpgsqlCommand("SELECT to_regclass('rules') IS NOT NULL", db))
                    if (!(bool)exists.ExecuteScalar()) return names;
                using (var read = new NpgsqlCommand("SELECT name FROM rules ORDER BY name", db))
                using (var reader = read.ExecuteReader())
                    while (reader.Read()) names.Add(reader.GetString(0));
            }
            return names;
        }

        /// <summary>The connection string to open, checked (Npgsql's syntax, no password in it) and given the credential.</summary>
        private static NpgsqlConnectionStringBuilder Builder(string connectionString, NetworkCredential credential, string source)
        {
            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is FormatException || ex is InvalidCastException)
            {
                // Npgsql's message is never passed on: it quotes the text ("Keyword not supported: 'cd'" for an
                // unquoted Password=ab;cd=...), which may hold a password.
                if (HoldsPassword(connectionString)) throw PasswordInText(source);
                throw new SalesforceConfigurationException("StateConnectionString", $"{Describe(source)} is not a PostgreSQL connection string ({Unreadable(connectionString)}).",
                    "Give it as Host=<server>;Port=5432;Database=<database>;Username=<user> (Npgsql's keywords), with the password from -StateCredential or a password file.");
            }
            if (!string.IsNullOrEmpty(builder.Password)) throw PasswordInText(source);
            if (credential != null)
            {
                if (!string.IsNullOrEmpty(credential.UserName)) builder.Username = credential.UserName;
                builder.Password = credential.Password;
            }
            if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "SalesforceProvisioning";
            // A pooled connection outlives its user: a run lock must end with the session that took it.
            builder.Pooling = false;
            return builder;
        }

        private static SalesforceConfigurationException PasswordInText(string source) => new SalesforceConfigurationException("StateConnectionString",
            $"{Describe(source)} holds a password in plain text: it would be kept in the command line recorded for each run, in shell history and in the scheduler's settings. The store was not opened.",
            "Remove Password= from it and give the password with -StateCredential (a PSCredential, e.g. Get-AutomationPSCredential in Azure Automation), " +
            "a password file only the worker can read (Passfile=<path> in the string, or $env:PGPASSFILE), or $env:PGPASSWORD.");

        /// <summary>The keyword=value pairs of a string Npgsql could not read, or null when even its syntax is not that.</summary>
        private static List<KeyValuePair<string, string>> Pairs(string connectionString)
        {
            try
            {
                var generic = new DbConnectionStringBuilder { ConnectionString = connectionString };
                var pairs = new List<KeyValuePair<string, string>>();
                foreach (string key in generic.Keys) pairs.Add(new KeyValuePair<string, string>(key, Convert.ToString(generic[key], CultureInfo.InvariantCulture)));
                return pairs;
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        /// <summary>
        /// Whether the string gives a password (Password, or any of Npgsql's names for it: PSW, PWD, ..., and the SSL
        /// key's): each pair is given to Npgsql on its own, so its own list of synonyms decides. A string whose syntax
        /// cannot be read may hide one anywhere (Password='ab;cd=...): then it is taken to hold one.
        /// </summary>
        private static bool HoldsPassword(string connectionString)
        {
            List<KeyValuePair<string, string>> pairs = Pairs(connectionString);
            if (pairs == null) return PasswordName.IsMatch(connectionString);
            foreach (var pair in pairs)
            {
                var one = new NpgsqlConnectionStringBuilder();
                try { one[pair.Key] = pair.Value; }
                catch (Exception ex) when (ex is ArgumentException || ex is FormatException || ex is InvalidCastException) { continue; }
                if (!string.IsNullOrEmpty(one.Password) || !string.IsNullOrEmpty(one.SslPassword)) return true;
            }
            return false;
        }

        private static readonly Regex PasswordName = new Regex(
            "p(ass)?w(or)?d|psw", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>
        /// What is wrong with a string Npgsql could not read (which holds no password), quoting at most a keyword's name.
        /// </summary>
        private static string Unreadable(string connectionString)
        {
            List<KeyValuePair<string, string>> pairs = Pairs(connectionString);
            if (pairs == null) return "it is not keyword=value pairs separated by ';' (quote a value that holds ';', '=' or quotes)";
            foreach (var pair in pairs)
            {
                var one = new NpgsqlConnectionStringBuilder();
                if (!one.ContainsKey(pair.Key)) return $"Npgsql has no keyword '{pair.Key}'";
                try { one[pair.Key] = pair.Value; }
                catch (Exception ex) when (ex is ArgumentException || ex is FormatException || ex is InvalidCastException) { return $"the value of {pair.Key}= is not one Npgsql accepts"; }
            }
            return "Npgsql cannot read it";
        }

        private static string Describe(string source) => source == EnvironmentVariable ? "$env:" + EnvironmentVariable : "-" + source;

        /// <summary>The server and database, as postgresql://user@host:port/database (never the password).</summary>
        public override string Location { get; }

        protected override string IdentityColumn => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";

        protected override string NoCaseCollation => ""; // every comparison of rule names lowers both sides

        protected override SalesforceException Newer(int version) => new SalesforceConfigurationException("StateConnectionString",
            $"The state store {Location} was written by a newer version of the module (schema {version}).", "Update the module on this worker to the version the other workers run.");

        /// <summary>Workers that open a new or older store at once upgrade it one after the other.</summary>
        protected override IDisposable SchemaLock()
        {
            Execute("SELECT pg_advisory_lock(hashtextextended(@key, 0))", null, ("@key", SchemaLockKey));
            return new SchemaUnlock(this);
        }

        private sealed class SchemaUnlock : IDisposable
        {
            private readonly PostgreSqlStateStore _store;
            public SchemaUnlock(PostgreSqlStateStore store) { _store = store; }

            public void Dispose()
            {
                try { _store.Execute("SELECT pg_advisory_unlock(hashtextextended(@key, 0))", null, ("@key", SchemaLockKey)); }
                catch (Exception ex) when (ex is NpgsqlException || ex is InvalidOperationException) { } // a broken session released it, and the error that broke it is on its way
            }
        }

        // ---- Run locks: session advisory locks ------------------------------------------------------------

        /// <summary>
        /// Takes the scope's advisory lock on a session of its own, or says who holds it. The run_locks row only
        /// tells who holds the lock and since when; the lock itself is the server's, and ends with its session.
        /// </summary>
        public override RunLock LockScope(string scope)
        {
            string owner = Guid.NewGuid().ToString("N");
            var session = new NpgsqlConnection(_connectionString);
            RunLock held = null;
            ClosingOnFailure(session, "lock", () =>
            {
                session.Open();
                // A worker whose machine vanishes without closing its connection is noticed within about a minute and a half.
                using (var keepAlive = new NpgsqlCommand("SET tcp_keepalives_idle = 60; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3", session))
                    keepAlive.ExecuteNonQuery();
                bool taken;
                using (var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended(@key, 0))", session))
                {
                    take.Parameters.AddWithValue("key", RunLockPrefix + scope);
                    taken = (bool)take.ExecuteScalar();
                }
                string heldBy = null;
                Guarded("lock", () =>
                {
                    using (var read = Command("SELECT acquired_at, pid, host FROM run_locks WHERE scope = @scope", null, ("@scope", scope)))
                    using (var reader = read.ExecuteReader())
                        if (reader.Read()) heldBy = $"since {reader.GetString(0)} (process {Int(reader, 1)} on {reader.GetString(2)})";
                });
                if (!taken)
                    throw new SalesforceException(SalesforceFailure.StateStoreBusy,
                        $"Another run for '{scope}' holds the lock in the state store {Location}{(heldBy != null ? " " + heldBy : "")}.",
                        "Wait for that run to finish (scheduled runs of one connection must not overlap), or stop it; the server releases its lock as soon as its session ends.");
                string warning = heldBy == null ? null
                    : $"Took over the run lock of '{scope}' held {heldBy}: that run's session with the server ended without releasing it (the process was killed or its machine stopped), so the server released the lock.";
                // No lease and no process start time: the server, not the row, knows whether the holder lives.
                int pid = Process.GetCurrentProcess().Id;
                Guarded("lock", () => Execute(@"INSERT INTO run_locks (scope, owner, pid, host, acquired_at, process_started, expires_at) VALUES (@scope, @owner, @pid, @host, @at, NULL, NULL)
                          ON CONFLICT(scope) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host, acquired_at = excluded.acquired_at,
                            process_started = excluded.process_started, expires_at = excluded.expires_at",
                    null, ("@scope", scope), ("@owner", owner), ("@pid", pid), ("@host", Environment.MachineName), ("@at", Now())));
                held = new AdvisoryLock(this, session, scope, owner, warning);
            });
            return held;
        }

        internal void ForgetLock(string scope, string owner) => Guarded("write", () =>
            Execute("DELETE FROM run_locks WHERE scope = @scope AND owner = @owner", null, ("@scope", scope), ("@owner", owner)));

        /// <summary>A held advisory lock: its session is checked in the background; Dispose unlocks and closes it.</summary>
        private sealed class AdvisoryLock : RunLock
        {
            private readonly object _gate = new object();
            private readonly PostgreSqlStateStore _store;
            private readonly NpgsqlConnection _session;
            private readonly string _owner;

            public AdvisoryLock(PostgreSqlStateStore store, NpgsqlConnection session, string scope, string owner, string warning) : base(scope, warning)
            {
                _store = store;
                _session = session;
                _owner = owner;
                StartRenewal();
            }

            internal override void Renew()
            {
                string problem = null;
                lock (_gate)
                {
                    try
                    {
                        using (var check = new NpgsqlCommand("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()", _session))
                            if (Convert.ToInt64(check.ExecuteScalar(), CultureInfo.InvariantCulture) == 0) problem = "the server no longer holds it for this run";
                    }
                    catch (Exception ex) when (ex is NpgsqlException || ex is InvalidOperationException || ex is TimeoutException)
                    {
                        problem = $"its session with the server ended ({ex.Message})";
                    }
                }
                if (problem != null)
                    MarkLost(new SalesforceException(SalesforceFailure.StateStoreBusy,
                        $"This run's lock on '{Scope}' in the state store {_store.Location} is gone: {problem}, so another worker may run this connection now. This run stops before writing more to Salesforce; what it wrote so far is recorded.",
                        "Check the network to the state store's server, then run again: the next run recognises what was already written."));
            }

            protected override void Release()
            {
                // The row first, while the lock is still held: the next worker must not take it for a dead run's.
                try { _store.ForgetLock(Scope, _owner); }
                finally { Unlock(); }
            }

            private void Unlock()
            {
                lock (_gate)
                {
                    try
                    {
                        using (var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", _session)) unlock.ExecuteNonQuery();
                    }
                    catch (Exception ex) when (ex is NpgsqlException || ex is InvalidOperationException || ex is TimeoutException)
                    {
                        // The session is gone already, and with it the lock.
                    }
                    _session.Dispose();
                }
            }
        }

        // ---- Failures ---------------------------------------------------------------------------------------

        protected override SalesforceException Translate(Exception ex, string what)
        {
            string problem;
            string remedy = "Check that the server runs and accepts connections from this worker (Host, Port, firewall, SSL), then run again: the next run recognises what was already written.";
            var failure = SalesforceFailure.StateStoreUnwritable;
            if (ex is PostgresException pg)
            {
                switch (pg.SqlState)
                {
                    case "28P01": // invalid_password
                    case "28000": // invalid_authorization_specification
                        problem = $"the server refused the login ({pg.MessageText})";
                        remedy = "Check the user and its password (-StateCredential, the password file named by Passfile= or $env:PGPASSFILE, or $env:PGPASSWORD) and the server's pg_hba.conf.";
                        break;
                    case "3D000": // invalid_catalog_name
                        problem = $"its database does not exist ({pg.MessageText})";
                        remedy = "Create it once (createdb -O <user> <database>), or name another Database= in the connection string; the module creates its tables itself.";
                        break;
                    case "42501": // insufficient_privilege
                        problem = $"its user may not do this ({pg.MessageText})";
                        remedy = "Grant the user CREATE and USAGE on the database's schema (the store creates and upgrades its own tables), or let the database's owner run the module once.";
                        break;
                    case "53100": // disk_full
                        problem = $"the server's disk is full ({pg.MessageText})";
                        remedy = "Free space on the server, then run again: the next run recognises what was already written.";
                        break;
                    case "25006": // read_only_sql_transaction
                        problem = $"the server is read-only (a standby?) ({pg.MessageText})";
                        remedy = "Point the connection string at the primary server (Target Session Attributes=primary), then run again.";
                        break;
                    case "40P01": // deadlock_detected
                    case "55P03": // lock_not_available
                    case "57014": // query_canceled (statement timeout)
                        failure = SalesforceFailure.StateStoreBusy;
                        problem = $"the server answered that it is busy ({pg.MessageText})";
                        remedy = "Wait for the other work on the store to finish, then run again.";
                        break;
                    default:
                        problem = $"the server answered {pg.SqlState} ({pg.MessageText})";
                        break;
                }
            }
            else problem = $"the server cannot be reached or the connection broke ({ex.Message})";
            if (what == "record") problem += ", so it could not record what the run wrote";
            return new SalesforceException(failure, $"The state store {Location} cannot be used: {problem}. The run stops before writing (more) to Salesforce.", remedy, ex);
        }
    }
}
