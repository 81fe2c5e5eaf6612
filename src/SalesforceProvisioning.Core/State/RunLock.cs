using System;
using System.Threading;

namespace SalesforceProvisioning
{
    /// <summary>
    /// A held run lock of one connection (scope): checked in the background every third of
    /// <see cref="StateStore.LeaseDuration"/> while the run lives (<see cref="Renew"/>), released on Dispose.
    /// Once it is lost the run must stop writing to Salesforce (<see cref="RuleRun"/> checks after each batch).
    /// </summary>
    public abstract class RunLock : IDisposable
    {
        private Timer _renewal;
        private SalesforceException _lost;
        private int _released;

        protected RunLock(string scope, string warning)
        {
            Scope = scope;
            Warning = warning;
        }

        public string Scope { get; }

        /// <summary>Set when the lock was taken over from a run that is gone: who held it and why it counts as gone.</summary>
        public string Warning { get; }

        /// <summary>True once the lock is no longer this run's for sure (taken over, its lease or its server session ended).</summary>
        public bool Lost => Volatile.Read(ref _lost) != null;

        /// <summary>Why the lock was lost, as the error that stops the run.</summary>
        public SalesforceException LostError => Volatile.Read(ref _lost);

        /// <summary>Renews or checks the lock (what the background timer does).</summary>
        internal abstract void Renew();

        protected abstract void Release();

        protected void MarkLost(SalesforceException why) => Interlocked.CompareExchange(ref _lost, why, null);

        protected void StartRenewal()
        {
            TimeSpan every = TimeSpan.FromTicks(StateStore.LeaseDuration.Ticks / 3);
            _renewal = new Timer(_ => RenewQuietly(), null, every, every);
        }

        private void RenewQuietly()
        {
            // On the timer's thread nothing may escape (it would end the process); what matters is recorded as Lost.
            try { if (Volatile.Read(ref _released) == 0) Renew(); }
            catch (Exception ex)
            {
                MarkLost(new SalesforceException(SalesforceFailure.StateStoreUnwritable, $"This run's lock on '{Scope}' could not be checked ({ex.Message}); it stops before writing more to Salesforce.",
                    "Check the state store, then run again: the next run recognises what was already written.", ex));
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1) return;
            _renewal?.Dispose();
            Release();
        }
    }
}
