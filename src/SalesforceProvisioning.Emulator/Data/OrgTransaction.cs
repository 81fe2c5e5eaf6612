namespace SalesforceProvisioning.Emulator.Data;

/// <summary>
/// The writes of one API call (a single request, a collection or a whole composite request), kept as an undo
/// journal so allOrNone can roll them back, and as the memory MIXED_DML_OPERATION needs.
/// </summary>
internal sealed class OrgTransaction
{
    private readonly List<JournalEntry> journal = new();

    /// <summary>The object of the first record written: later writes must be of the same kind (setup or not).</summary>
    public ObjectDefinition FirstWrittenObject { get; private set; }

    /// <summary>The user the writes are made as: CreatedById, LastModifiedById and the default OwnerId.</summary>
    public string ActorId { get; init; }

    public int RecordsWritten => journal.Count(entry => entry.CountsAsRecordWrite);

    /// <summary>Records written, rolled back or not: what the org spent time on (the per-record latency).</summary>
    public int RecordsProcessed { get; private set; }

    public readonly record struct Savepoint(int JournalLength, ObjectDefinition FirstWrittenObject);

    public Savepoint CreateSavepoint() => new(journal.Count, FirstWrittenObject);

    public void RollbackTo(Savepoint savepoint)
    {
        for (int i = journal.Count - 1; i >= savepoint.JournalLength; i--)
            journal[i].Undo();
        journal.RemoveRange(savepoint.JournalLength, journal.Count - savepoint.JournalLength);
        FirstWrittenObject = savepoint.FirstWrittenObject;
    }

    public void RollbackAll() => RollbackTo(new Savepoint(0, null));

    /// <summary>The MIXED_DML_OPERATION error when <paramref name="type"/> may not be written in this transaction.</summary>
    public SalesforceError CheckMixedDml(ObjectDefinition type)
    {
        if (FirstWrittenObject == null || FirstWrittenObject.IsSetupObject == type.IsSetupObject)
            return null;
        var (setup, nonSetup) = type.IsSetupObject ? (type, FirstWrittenObject) : (FirstWrittenObject, type);
        string message = type.IsSetupObject
            ? $"DML operation on setup object is not permitted after you have updated a non-setup object (or vice versa): {setup.Name}, original object: {nonSetup.Name}"
            : $"DML operation on non-setup object is not permitted after you have updated a setup object (or vice versa): {nonSetup.Name}, original object: {setup.Name}";
        return new SalesforceError("MIXED_DML_OPERATION", message);
    }

    public void RecordWrite(ObjectDefinition type, Action undo)
    {
        FirstWrittenObject ??= type;
        RecordsProcessed++;
        journal.Add(new JournalEntry(undo, CountsAsRecordWrite: true));
    }

    /// <summary>A write the platform does on its own (UserLogin rows, profile permission sets): undone, not counted.</summary>
    public void RecordSideEffect(Action undo) => journal.Add(new JournalEntry(undo, CountsAsRecordWrite: false));

    private sealed record JournalEntry(Action Undo, bool CountsAsRecordWrite);
}
