namespace SalesforceProvisioning
{
    /// <summary>
    /// The result of a write whose answer was lost and that could not be confirmed afterwards (its read-back
    /// or retry met a stop, or the rounds ran out): Salesforce may have carried it out. Reported with its own
    /// code, never as a definite failure, because a rerun reads the record back and confirms it.
    /// </summary>
    public static class NotConfirmed
    {
        public const string Code = "NotConfirmed";

        public static string Message(SalesforceException stop)
            => "Not confirmed: Salesforce may have carried out this change, but its answer was lost"
               + (stop != null ? $" and confirming it was stopped ({stop.Failure}: {stop.Message})." : " and reading it back did not settle it.");
    }
}
