namespace SalesforceProvisioning.Emulator.Data;

/// <summary>An error as Salesforce reports it: a status code, a message and the fields involved.</summary>
public sealed record SalesforceError(string StatusCode, string Message, IReadOnlyList<string> Fields)
{
    public SalesforceError(string statusCode, string message, params string[] fields)
        : this(statusCode, message, (IReadOnlyList<string>)fields) { }
}

/// <summary>The outcome of writing one record.</summary>
public sealed class SaveResult
{
    private SaveResult(string id, IReadOnlyList<SalesforceError> errors, bool created)
    {
        Id = id;
        Errors = errors;
        Created = created;
    }

    public string Id { get; }
    public bool Success => Errors.Count == 0;
    public bool Created { get; }
    public IReadOnlyList<SalesforceError> Errors { get; }

    public static SaveResult Ok(string id, bool created = false) => new(id, Array.Empty<SalesforceError>(), created);

    public static SaveResult Failed(SalesforceError error) => new(null, new[] { error }, false);

    public static SaveResult Failed(string statusCode, string message, params string[] fields) =>
        Failed(new SalesforceError(statusCode, message, fields));
}

/// <summary>Thrown by the public <see cref="EmulatorOrg"/> helpers when a write fails validation.</summary>
public sealed class EmulatorValidationException : Exception
{
    public EmulatorValidationException(SalesforceError error)
        : base($"{error.StatusCode}: {error.Message}")
    {
        Error = error;
    }

    public SalesforceError Error { get; }
}
