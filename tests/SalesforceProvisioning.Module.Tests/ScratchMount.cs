using System;
using System.Diagnostics;
using System.IO;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// A small tmpfs mounted for one test: a disk that really fills up, or is remounted read-only. Needs
    /// root (as in CI, where chmod alone would not stop root); elsewhere <see cref="TryCreate"/> returns null.
    /// </summary>
    public sealed class ScratchMount : IDisposable
    {
        private ScratchMount(string path) { Path = path; }

        public string Path { get; }

        public static ScratchMount TryCreate(int sizeKb)
        {
            if (OperatingSystem.IsWindows() || Environment.UserName != "root") return null;
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sfprov-mount-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(path);
            if (Mount($"-t tmpfs -o size={sizeKb}k,mode=0700 tmpfs {path}") != 0) { Directory.Delete(path); return null; }
            return new ScratchMount(path);
        }

        public void ReadOnly() => Require(Mount($"-o remount,ro {Path}"));

        public void Writable() => Require(Mount($"-o remount,rw {Path}"));

        /// <summary>Fills the disk until only about <paramref name="leaveBytes"/> stay free.</summary>
        public void FillLeaving(long leaveBytes)
        {
            long free = new DriveInfo(Path).AvailableFreeSpace;
            using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.Create);
            var block = new byte[4096];
            for (long written = 0; written < free - leaveBytes; written += block.Length) filler.Write(block, 0, block.Length);
        }

        public void Free() => File.Delete(System.IO.Path.Combine(Path, "filler"));

        private static void Require(int rc)
        {
            if (rc != 0) throw new InvalidOperationException("mount failed: " + rc);
        }

        private static int Mount(string arguments)
        {
            using var process = Process.Start(new ProcessStartInfo("mount", arguments) { RedirectStandardError = true, RedirectStandardOutput = true });
            process.WaitForExit();
            return process.ExitCode;
        }

        public void Dispose()
        {
            Mount($"-o remount,rw {Path}");
            using (var process = Process.Start(new ProcessStartInfo("umount", Path) { RedirectStandardError = true })) process.WaitForExit();
            try { Directory.Delete(Path, true); } catch (IOException) { }
        }
    }
}
