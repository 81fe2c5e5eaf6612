using System;
using System.Collections.Generic;

namespace SalesforceProvisioning
{
    /// <summary>
    /// When a user sync sends the writes it has planned: the one place for that rule (UserSyncEngine carries
    /// them out). Counted calls first: a call is sent only when it is full, or at the end of the input.
    /// </summary>
    internal static class WriteSchedule
    {
        /// <summary>
        /// Whether carried writes go out as soon as they fill whole calls, while later windows are still planned:
        /// when the run is sure to write through composite collections. -UseBulkApi Never; or Auto when the
        /// caller expects more input than it has given so far (a rule's last known scope), and fewer inputs in
        /// all than the Bulk API threshold, so its creates and updates cannot reach it. Otherwise they are held:
        /// under Auto with an input of unknown size (no rule, a rule's first run, an input grown past its last
        /// scope) a run that reaches the threshold writes them all in Bulk API 2.0 jobs, where each composite
        /// call sent before would have been one counted call more.
        /// </summary>
        /// <param name="expectedInputs">Inputs the caller expects in all, counting those given (0: unknown).</param>
        /// <param name="inputsGiven">Inputs given to the engine so far.</param>
        public static bool SendsAsCallsFill(SfBulkApiMode mode, bool switchedToBulk, int bulkThreshold, long expectedInputs, long inputsGiven)
        {
            if (mode == SfBulkApiMode.Never) return true;
            if (mode == SfBulkApiMode.Always || switchedToBulk) return false;
            return expectedInputs > inputsGiven && expectedInputs < bulkThreshold;
        }

        /// <summary>
        /// How many of the plans (from the first) to send now: the most whose writes fill only whole calls, and no
        /// more calls than are free under -MaxConcurrentRequests; 0 when no whole call is ready. A full call sent
        /// now costs nothing more than sent later with the writes still to come.
        /// </summary>
        public static int WholeCallsReady<T>(IReadOnlyList<T> plans, Action<T, CompositeWriter.CallTally> tally, int freeCalls)
        {
            var calls = new CompositeWriter.CallTally();
            int ready = 0;
            for (int i = 0; i < plans.Count; i++)
            {
                tally(plans[i], calls);
                if (calls.Calls > freeCalls) break;
                if (calls.AllFull) ready = i + 1;
            }
            return ready;
        }
    }
}
