using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace SalesforceProvisioning
{
    /// <summary>
    /// A module's native SQLite library is not where the runtime looks for it (runtimes/RID/native beside the
    /// module), so it is loaded by full path once; SQLite's later lookups by name then find it loaded.
    /// </summary>
    internal static class SqliteNativeLoader
    {
        private static readonly object Gate = new object();
        private static bool _done;

        public static void EnsureLoaded()
        {
            lock (Gate)
            {
                if (_done) return;
                _done = true;
                string path = NativePath();
                if (path == null || !File.Exists(path)) return; // an app that ships SQLite the usual way
                MethodInfo load = Type.GetType("System.Runtime.InteropServices.NativeLibrary")?.GetMethod("Load", new[] { typeof(string) });
                if (load != null) load.Invoke(null, new object[] { path });
                else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) LoadLibrary(path); // Windows PowerShell 5.1
            }
        }

        private static string NativePath()
        {
            string folder = Path.GetDirectoryName(typeof(SqliteNativeLoader).Assembly.Location);
            if (string.IsNullOrEmpty(folder)) return null;
            string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return Path.Combine(folder, "runtimes", "win-" + arch, "native", "e_sqlite3.dll");
            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return Path.Combine(folder, "runtimes", "osx-" + arch, "native", "libe_sqlite3.dylib");
            bool musl = File.Exists("/etc/alpine-release");
            return Path.Combine(folder, "runtimes", (musl ? "linux-musl-" : "linux-") + arch, "native", "libe_sqlite3.so");
        }

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibrary(string path);
    }
}
