using System.Buffers.Text;
using System.Security.Cryptography;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>
/// The connected app's credentials and every token issued. Access tokens remember the refresh token they came
/// from, so revoking a refresh token ends its sessions too.
/// </summary>
internal sealed class TokenStore
{
    private const string ClientIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
    /// <summary>What follows the "!" of a session id: Salesforce's are letters, digits, dots and underscores.</summary>
    private const string SessionAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
    private readonly Func<string> organizationId;
    private readonly Dictionary<string, AccessGrant> accessTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> refreshTokenUsers = new(StringComparer.Ordinal);

    private sealed record AccessGrant(string Username, DateTime ExpiresAt, string RefreshToken);

    /// <param name="organizationId">The org's 18-character id; access tokens start with its first 15 characters.</param>
    public TokenStore(TimeSpan accessTokenLifetime, bool rotateRefreshTokens, string username, Func<string> organizationId)
    {
        this.organizationId = organizationId;
        AccessTokenLifetime = accessTokenLifetime;
        RotateRefreshTokens = rotateRefreshTokens;
        ClientId = "3MVG9" + RandomNumberGenerator.GetString(ClientIdAlphabet, 80);
        ClientSecret = NewSecret(48);
        InitialUsername = username;
        InitialRefreshToken = IssueRefreshToken(username);
        InitialAccessToken = IssueAccessToken(username, InitialRefreshToken);
    }

    public string ClientId { get; }
    public string ClientSecret { get; }
    public string InitialUsername { get; }
    public string InitialRefreshToken { get; }
    public string InitialAccessToken { get; }
    public TimeSpan AccessTokenLifetime { get; }
    public bool RotateRefreshTokens { get; set; }

    /// <summary>
    /// A session id shaped like Salesforce's, "&lt;15-character org id&gt;!&lt;secret&gt;": clients such as the Salesforce CLI
    /// read the org id from it and refuse tokens of another shape.
    /// </summary>
    public string IssueAccessToken(string username, string refreshToken)
    {
        string token = organizationId()[..15] + "!" + RandomNumberGenerator.GetString(SessionAlphabet, 96);
        accessTokens[token] = new AccessGrant(username, DateTime.UtcNow + AccessTokenLifetime, refreshToken);
        return token;
    }

    public string IssueRefreshToken(string username)
    {
        string token = NewSecret(48);
        refreshTokenUsers[token] = username;
        return token;
    }

    /// <summary>The user a live access token belongs to; null for unknown, expired or revoked tokens.</summary>
    public string UserOfAccessToken(string token)
    {
        if (token == null || !accessTokens.TryGetValue(token, out var grant)) return null;
        if (grant.ExpiresAt > DateTime.UtcNow) return grant.Username;
        accessTokens.Remove(token);
        return null;
    }

    public string UserOfRefreshToken(string token) => token != null && refreshTokenUsers.TryGetValue(token, out var user) ? user : null;

    /// <summary>With rotation on, a used refresh token is spent; its access tokens live on until they expire.</summary>
    public void Spend(string refreshToken) => refreshTokenUsers.Remove(refreshToken);

    /// <summary>Revokes an access token, or a refresh token and the access tokens issued from it. False when unknown.</summary>
    public bool Revoke(string token)
    {
        if (token == null) return false;
        if (accessTokens.Remove(token)) return true;
        if (!refreshTokenUsers.Remove(token)) return false;
        foreach (var derived in accessTokens.Where(p => p.Value.RefreshToken == token).Select(p => p.Key).ToList())
            accessTokens.Remove(derived);
        return true;
    }

    public void ExpireAllAccessTokens() => accessTokens.Clear();

    /// <summary>Every refresh token stops working; sessions already open run until their access tokens expire.</summary>
    public void RevokeAllRefreshTokens() => refreshTokenUsers.Clear();

    /// <summary>After a reset the credentials the emulator announced at start work again.</summary>
    public void RestoreInitialCredentials()
    {
        refreshTokenUsers[InitialRefreshToken] = InitialUsername;
        accessTokens[InitialAccessToken] = new AccessGrant(InitialUsername, DateTime.UtcNow + AccessTokenLifetime, InitialRefreshToken);
    }

    /// <summary>The "signature" of a token response: HMAC-SHA256 of id + issued_at keyed with the client secret.</summary>
    public string Sign(string id, string issuedAt) =>
        Convert.ToBase64String(HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ClientSecret), System.Text.Encoding.UTF8.GetBytes(id + issuedAt)));

    private static string NewSecret(int bytes) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));
}
