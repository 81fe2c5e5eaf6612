namespace SalesforceProvisioning
{
    /// <summary>
    /// The result of a change never sent to Salesforce because the run stopped first (Ctrl+C, a stop signal, a
    /// failure a person must fix such as REQUEST_LIMIT_EXCEEDED): nothing of it was written, and the next run
    /// writes it. Never "not confirmed", which is for a change that may have been carried out.
    /// </summary>
    public static class NotSent
    {
        /// <summary>NotSent for Ctrl+C or a stop signal; the stop's own code for a failure a person must fix.</summary>
        public static string Code(SalesforceException stop)
            => stop == null || stop.Failure == SalesforceFailure.Stopped ? CompositeWriter.NotSentCode : stop.Failure.ToString();

        public static string Message(SalesforceException stop)
            => "Not sent: the run stopped before it" + (stop == null ? "" : $" ({stop.Message.TrimEnd('.')})") + "; the next run writes it.";

        public static string Remedy(SalesforceException stop)
            => stop == null || stop.Failure == SalesforceFailure.Stopped ? Remedies.For(CompositeWriter.NotSentCode) : stop.Remedy;
    }
}
