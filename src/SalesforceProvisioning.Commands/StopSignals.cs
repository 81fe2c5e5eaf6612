using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Unattended runs are stopped by signals: SIGTERM (a scheduler, a container stop, systemd) stops the
    /// module's running commands through their own stop (the one Ctrl+C uses) instead of ending the process in
    /// the middle of a write, and becomes the Ctrl+C that stops the rest of the script; and a process stopped
    /// by either signal exits non-zero (pwsh alone exits 0 after Ctrl+C stopped a script), so the scheduler
    /// sees that the run did not finish. Hosts that stop a pipeline without a signal (an IDE, a test) keep
    /// their exit codes. PowerShell 7 only (PosixSignalRegistration is .NET 6+); Windows PowerShell keeps its
    /// own behaviour.
    /// </summary>
    /// <remarks>
    /// SIGINT may not be deliverable: a process started in the background by a non-interactive shell
    /// (<c>nohup pwsh -File run.ps1 &amp;</c>, <c>cmd &amp;</c> in a bash script, some schedulers) inherits it
    /// ignored (SIG_IGN), and .NET keeps an inherited SIG_IGN: InstallSignalHandler in dotnet/runtime's
    /// src/native/libs/System.Native/pal_signal.c ("We respect ignored signals"; since dotnet/coreclr#15393,
    /// "Don't change SIGINT/SIGQUIT handling when they are set to SIG_IGN") installs no handler for it, so
    /// neither PosixSignalRegistration nor PowerShell's Ctrl+C handler ever sees the SIGINT sent below.
    /// Hence SIGTERM cancels the running commands' stop tokens directly; and when none of them runs and
    /// SIGINT is ignored, nothing of ours is mid-write and nothing could stop the script: the default action
    /// of SIGTERM ends the process (the shell sees 143 as well).
    /// </remarks>
    internal static class StopSignals
    {
        private const int SigInt = 2;
        private const int SigTerm = 15;
        private static readonly IntPtr SigIgn = (IntPtr)1;
        private static readonly object Gate = new object();
        private static readonly HashSet<CancellationTokenSource> Running = new HashSet<CancellationTokenSource>();
        private static bool _terminating;
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

        /// <summary>
        /// A command talks to Salesforce until <see cref="Leave"/>: SIGTERM cancels <paramref name="stop"/>, the
        /// token its stop (StopProcessing) cancels. After SIGTERM, a command that starts is stopped at once.
        /// </summary>
        public static void Enter(CancellationTokenSource stop)
        {
            bool terminating;
            lock (Gate)
            {
                terminating = _terminating;
                Running.Add(stop);
            }
            if (terminating) stop.Cancel();
        }

        public static void Leave(CancellationTokenSource stop)
        {
            lock (Gate) Running.Remove(stop);
        }

        // Parameters typed object: bound to Action<PosixSignalContext> by contravariance.
        private static void OnTerminate(object context)
        {
            Interlocked.CompareExchange(ref _signal, SigTerm, 0);
            CancellationTokenSource[] running;
            lock (Gate)
            {
                _terminating = true;
                running = Running.ToArray();
            }
            if (running.Length == 0 && InterruptIgnored()) return; // the default action ends the process
            context.GetType().GetProperty("Cancel")?.SetValue(context, true); // do not end the process mid-write...
            foreach (CancellationTokenSource stop in running) stop.Cancel();     // ...stop our commands between requests...
            kill(System.Diagnostics.Process.GetCurrentProcess().Id, SigInt);     // ...and the rest of the script as Ctrl+C does
        }

        private static void OnInterrupt(object context) => Interlocked.CompareExchange(ref _signal, SigInt, 0);

        /// <summary>SIGINT's disposition is SIG_IGN (inherited: .NET installs no handler over it).</summary>
        private static bool InterruptIgnored()
        {
            // struct sigaction starts with the handler on glibc, musl and macOS; 512 bytes hold the whole struct
            // (152 on Linux x64, 16 on macOS).
            IntPtr action = Marshal.AllocHGlobal(512);
            try
            {
                return sigaction(SigInt, IntPtr.Zero, action) == 0 && Marshal.ReadIntPtr(action) == SigIgn;
            }
            finally
            {
                Marshal.FreeHGlobal(action);
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int sig);

        [DllImport("libc", SetLastError = true)]
        private static extern int sigaction(int sig, IntPtr action, IntPtr previous);
    }
}
