namespace SalesforceProvisioning.Emulator.Soql;

/// <summary>A query Salesforce would refuse: MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE, ...</summary>
public sealed class SoqlException : Exception
{
    public SoqlException(string errorCode, string message) : base(message) => ErrorCode = errorCode;

    public string ErrorCode { get; }

    /// <summary>Salesforce's layout: the query, a caret under the offending column, "ERROR at Row:r:Column:c", the detail.</summary>
    public static SoqlException At(string query, int position, string errorCode, string detail)
    {
        position = Math.Clamp(position, 0, query.Length);
        int lineStart = query.LastIndexOf('\n', Math.Max(0, position - 1)) + 1;
        if (position == 0) lineStart = 0;
        int lineEnd = query.IndexOf('\n', position);
        string line = query[lineStart..(lineEnd < 0 ? query.Length : lineEnd)];
        int row = query[..lineStart].Count(c => c == '\n') + 1;
        int column = position - lineStart + 1;
        return new SoqlException(errorCode, $"\n{line}\n{new string(' ', column - 1)}^\nERROR at Row:{row}:Column:{column}\n{detail}");
    }
}
