using System.Text.Json;
using System.Text.Json.Serialization;

namespace SalesforceProvisioning.Emulator;

/// <summary>Where a running emulator listens and the credentials it accepts.</summary>
public sealed class EmulatorInfo
{
    private static readonly JsonSerializerOptions LineOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    [JsonPropertyOrder(0)] public string InstanceUrl { get; init; }
    [JsonPropertyOrder(1)] public string Domain { get; init; }
    [JsonPropertyOrder(2)] public string ClientId { get; init; }
    [JsonPropertyOrder(3)] public string ClientSecret { get; init; }
    [JsonPropertyOrder(4)] public string RefreshToken { get; init; }
    [JsonPropertyOrder(5)] public string AccessToken { get; init; }
    [JsonPropertyOrder(6)] public string Username { get; init; }
    [JsonPropertyOrder(7)] public int ProcessId { get; init; }
    /// <summary>The same API over https (a self-signed certificate made at start), for clients that only speak https.</summary>
    [JsonPropertyOrder(8)] public string HttpsInstanceUrl { get; init; }
    /// <summary>That certificate in PEM, for clients to trust (for Node: a file named by NODE_EXTRA_CA_CERTS).</summary>
    [JsonPropertyOrder(9)] public string CertificatePem { get; init; }

    /// <summary>The compact one-line JSON the standalone program prints first on stdout.</summary>
    public string ToJsonLine() => JsonSerializer.Serialize(this, LineOptions);
}
