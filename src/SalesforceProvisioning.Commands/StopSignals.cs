using System;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Unattended runs are stopped by signals: SIGTERM (a scheduler, a container stop, systemd) becomes the
    /// Ctrl+C that PowerShell already turns into a stop between requests, instead of ending the process in
    /// the middle of a write; and a process stopped by either signal exits non-zero (pwsh alone exits 0 after
    /// Ctrl+C stopped a script), so the scheduler sees that the run did not finish. Hosts that stop a
    /// pipeline without a signal (an IDE, a test) keep their exit codes. PowerShell 7 only
    /// (PosixSignalRegistration is .NET 6+); Windows PowerShell keeps its own behaviour.
    /// </summary>
    internal static class StopSignals
    {
        private const int SigInt = 2;
        private const int SigTerm = 15;
        private static int _installed;
        private static int _signal;
        private static object[] _registrations; // kept: a collected registration unregisters its handler

        /// <summary>The signal that stopped this process's runs (0 for none).</summary>
        public static int Received => Volatile.Read(ref _signal);

        public static void Install()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || Interlocked.Exchange(ref _installed, 1) == 1) return;
            Type registration = Type.GetType("System.Runtime.InteropServices.PosixSignalRegistration, System.Runtime.InteropServices", throwOnError: false);
            Type signal = Type.GetType("System.Runtime.InteropServices.PosixSignal, System.Runtime.InteropServices", throwOnError: false);
            Type context = Type.GetType("System.Runtime.InteropServices.PosixSignalContext, System.Runtime.InteropServices", throwOnError: false);
            MethodInfo create = registration?.GetMethod("Create", new[] { signal, typeof(Action<>).MakeGenericType(context ?? typeof(object)) });
            if (create == null) return;
            Delegate Handler(string name) => Delegate.CreateDelegate(typeof(Action<>).MakeGenericType(context), typeof(StopSignals).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static));
            _registrations = new[]
            {
                create.Invoke(null, new object[] { Enum.Parse(signal, "SIGTERM"), Handler(nameof(OnTerminate)) }),
                create.Invoke(null, new object[] { Enum.Parse(signal, "SIGINT"), Handler(nameof(OnInterrupt)) }),
            };
            AppDomain.CurrentDomain.ProcessExit += (sender, args) =>
            {
                int received = Received;
                if (received != 0) Environment.ExitCode = 128 + received; // the shell's convention for "ended by this signal"
            };
        }

        // Parameters typed object: bound to Action<PosixSignalContext> by contravariance.
        private static void OnTerminate(object context)
        {
            Interlocked.CompareExchange(ref _signal, SigTerm, 0);
            context.GetType().GetProperty("Cancel")?.SetValue(context, true); // do not end the process mid-write...
            kill(System.Diagnostics.Process.GetCurrentProcess().Id, SigInt);  // ...stop the running pipeline as Ctrl+C does
        }

        private static void OnInterrupt(object context) => Interlocked.CompareExchange(ref _signal, SigInt, 0);

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int sig);
    }
}
