using System;
using System.Diagnostics;
using System.IO;
using Npgsql;

namespace SalesforceProvisioning.TestSupport
{
    /// <summary>
    /// The PostgreSQL server the state store's tests run against: the one named by SFPROV_TEST_POSTGRES (CI
    /// starts it), else a throwaway server this test run starts from the Debian binaries with
    /// tests/postgres/start-server.sh. With neither, every test that needs it fails, saying what to install:
    /// they are never skipped. Each test gets a database of its own.
    /// </summary>
    public static class PostgresServer
    {
        public const string Variable = "SFPROV_TEST_POSTGRES";
        private static readonly Lazy<string> Admin = new Lazy<string>(Start);

        /// <summary>A new, empty database and its connection string (no password: the test server trusts local users).</summary>
        public static string NewDatabase()
        {
            string name = "sfprov_" + Guid.NewGuid().ToString("N").Substring(0, 16);
            using (var db = new NpgsqlConnection(Admin.Value))
            {
                db.Open();
                using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", db)) create.ExecuteNonQuery();
            }
            return new NpgsqlConnectionStringBuilder(Admin.Value) { Database = name }.ConnectionString;
        }

        /// <summary>Runs SQL in a database as the test server's administrator (to look at, or damage, what a store holds).</summary>
        public static object Scalar(string connectionString, string sql)
        {
            using (var db = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString))
            {
                db.Open();
                using (var command = new NpgsqlCommand(sql, db))
                {
                    object value = command.ExecuteScalar();
                    return value == DBNull.Value ? null : value;
                }
            }
        }

        private static string Start()
        {
            string given = Environment.GetEnvironmentVariable(Variable);
            if (!string.IsNullOrWhiteSpace(given)) return given;
            string script = Path.Combine(RepoRoot(), "tests", "postgres", "start-server.sh");
            string folder = Path.Combine(Path.GetTempPath(), "sfprov-pg-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(folder);
            string output, errors;
            int exit;
            try
            {
                using (var process = Process.Start(start))
                {
                    output = process.StandardOutput.ReadToEnd();
                    errors = process.StandardError.ReadToEnd();
                    process.WaitForExit();
                    exit = process.ExitCode;
                }
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception || ex is InvalidOperationException)
            {
                throw new InvalidOperationException($"The PostgreSQL state store's tests need a PostgreSQL server: set {Variable} to a connection string (a user that may create databases), or install the Debian package postgresql (bash could not be started: {ex.Message}).");
            }
            if (exit != 0)
                throw new InvalidOperationException($"The PostgreSQL state store's tests need a PostgreSQL server: set {Variable} to a connection string (a user that may create databases), or install the Debian package postgresql (apt-get install -y postgresql) so they start their own. {script} said: {errors.Trim()}");
            AppDomain.CurrentDomain.ProcessExit += (s, e) =>
            {
                try
                {
                    using (var stop = Process.Start(new ProcessStartInfo("bash") { ArgumentList = { script, folder, "--stop" }, UseShellExecute = false })) stop.WaitForExit(30000);
                }
                catch (Exception) { }
            };
            string[] lines = output.Trim().Split('\n');
            return lines[lines.Length - 1].Trim();
        }

        private static string RepoRoot()
        {
            string folder = AppContext.BaseDirectory;
            while (folder != null && !File.Exists(Path.Combine(folder, "ProvisionModule.sln"))) folder = Path.GetDirectoryName(folder);
            return folder ?? throw new InvalidOperationException("The repository (ProvisionModule.sln) was not found above " + AppContext.BaseDirectory);
        }
    }
}
