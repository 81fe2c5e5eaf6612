using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>The token and revoke endpoints and the identity URL; none of them counts against the API limit.</summary>
internal sealed class OAuthEndpoints
{
    private const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private readonly EmulatorState state;

    public OAuthEndpoints(EmulatorState state) => this.state = state;

    private static ApiResponse OAuthError(string error, string description) =>
        ApiResponse.Json(400, new JsonObject { ["error"] = error, ["error_description"] = description });

    /// <summary>POST /services/oauth2/token with a form body. Runs under the state lock.</summary>
    public ApiResponse Token(string body)
    {
        var form = QueryHelpers.ParseQuery(body ?? "");
        string Field(string name) => form.GetValueOrDefault(name).ToString() is { Length: > 0 } value ? value : null;

        string grantType = Field("grant_type");
        if (grantType is not ("refresh_token" or "client_credentials" or JwtBearerGrant))
            return OAuthError("unsupported_grant_type", "grant type not supported");

        if (grantType == JwtBearerGrant) return JwtBearer(Field("assertion"));

        if (Field("client_id") != state.Tokens.ClientId) return OAuthError("invalid_client_id", "client identifier invalid");
        if (Field("client_secret") != state.Tokens.ClientSecret) return OAuthError("invalid_client", "invalid client credentials");

        if (grantType == "client_credentials")
            return Issue(state.Tokens.InitialUsername, refreshToken: null, returnRefreshToken: false);

        string refreshToken = Field("refresh_token");
        string username = state.Tokens.UserOfRefreshToken(refreshToken);
        if (username == null) return OAuthError("invalid_grant", "expired access/refresh token");
        if (UnusableUser(username) is { } refused) return refused; // checked before rotation spends the token
        if (!state.Tokens.RotateRefreshTokens) return Issue(username, refreshToken, returnRefreshToken: false);

        state.Tokens.Spend(refreshToken);
        return Issue(username, state.Tokens.IssueRefreshToken(username), returnRefreshToken: true);
    }

    private ApiResponse JwtBearer(string assertion)
    {
        // Salesforce's "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration": aud is https://login.salesforce.com,
        // or https://test.salesforce.com for a sandbox (or the org's own URL); the user must have approved the app
        // or be pre-authorized by an admin ("user hasn't approved this consumer" otherwise).
        var audiences = new[] { state.BaseUrl, state.Org.IsSandbox ? "https://test.salesforce.com" : "https://login.salesforce.com" };
        var claims = JwtAssertion.Validate(assertion, state.JwtKey, audiences, out string error);
        if (claims == null) return OAuthError("invalid_grant", error);
        if (claims.Issuer != state.Tokens.ClientId) return OAuthError("invalid_client_id", "client identifier invalid");
        var user = state.Org.FindUserByUsername(claims.Subject);
        if (user == null) return OAuthError("invalid_grant", "invalid assertion");
        if (state.JwtUnapprovedUsers.Contains(claims.Subject)) return OAuthError("invalid_grant", "user hasn't approved this consumer");
        return Issue(user.GetString("Username"), refreshToken: null, returnRefreshToken: false);
    }

    private ApiResponse UnusableUser(string username)
    {
        var user = state.Org.FindUserByUsername(username);
        if (user == null) return OAuthError("invalid_grant", "expired access/refresh token");
        return user.GetBool("IsActive") ? null : OAuthError("inactive_user", "user is inactive");
    }

    private ApiResponse Issue(string username, string refreshToken, bool returnRefreshToken)
    {
        if (UnusableUser(username) is { } refused) return refused;
        var user = state.Org.FindUserByUsername(username);

        string issuedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        string id = $"{state.BaseUrl}/id/{state.Org.OrganizationId}/{user.Id}";
        var response = new JsonObject
        {
            ["access_token"] = state.Tokens.IssueAccessToken(user.GetString("Username"), refreshToken),
        };
        if (returnRefreshToken) response["refresh_token"] = refreshToken;
        response["signature"] = state.Tokens.Sign(id, issuedAt);
        response["scope"] = "api refresh_token";
        response["instance_url"] = state.InstanceUrlOverride ?? state.BaseUrl;
        response["id"] = id;
        response["token_type"] = "Bearer";
        response["issued_at"] = issuedAt;
        return ApiResponse.Ok(response);
    }

    /// <summary>POST /services/oauth2/revoke with token= in the form (or the query string).</summary>
    public ApiResponse Revoke(string body, string rawQuery)
    {
        string token = QueryHelpers.ParseQuery(body ?? "").GetValueOrDefault("token").ToString();
        if (string.IsNullOrEmpty(token)) token = QueryHelpers.ParseQuery(rawQuery).GetValueOrDefault("token").ToString();
        return state.Tokens.Revoke(token)
            ? ApiResponse.Json(200, null)
            : OAuthError("unsupported_token_type", "this token type is not supported");
    }

    /// <summary>GET /id/{orgId}/{userId}: who the user is, for a caller with a live access token.</summary>
    /// <summary>GET /services/oauth2/userinfo: the OpenID Connect view of the caller.</summary>
    public ApiResponse UserInfo(SObjectRecord caller)
    {
        if (caller == null) return ApiResponse.InvalidSession();
        return ApiResponse.Ok(new JsonObject
        {
            ["sub"] = $"{state.BaseUrl}/id/{state.Org.OrganizationId}/{caller.Id}",
            ["user_id"] = caller.Id,
            ["organization_id"] = state.Org.OrganizationId,
            ["preferred_username"] = caller.GetString("Username"),
            ["name"] = caller.GetString("Name"),
            ["email"] = caller.GetString("Email"),
            ["active"] = caller.GetBool("IsActive"),
        });
    }

    public ApiResponse Identity(string path, SObjectRecord caller)
    {
        if (caller == null) return ApiResponse.InvalidSession();
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var user = parts.Length == 3 ? state.Org.FindById(parts[2]) : null;
        if (user == null || user.Type.Name != "User" || SalesforceId.Normalize(parts[1]) != state.Org.OrganizationId)
            return ApiResponse.Json(404, new JsonArray(new JsonObject { ["message"] = "Bad_Id", ["errorCode"] = "NOT_FOUND" }));

        string rest = $"{state.BaseUrl}/services/data/v{{version}}/";
        return ApiResponse.Ok(new JsonObject
        {
            ["id"] = $"{state.BaseUrl}/id/{state.Org.OrganizationId}/{user.Id}",
            ["asserted_user"] = user.Id == caller.Id,
            ["user_id"] = user.Id,
            ["organization_id"] = state.Org.OrganizationId,
            ["username"] = user.GetString("Username"),
            ["nick_name"] = user.GetString("CommunityNickname"),
            ["display_name"] = user.GetString("Name"),
            ["email"] = user.GetString("Email"),
            ["first_name"] = user.GetString("FirstName"),
            ["last_name"] = user.GetString("LastName"),
            ["timezone"] = user.GetString("TimeZoneSidKey"),
            ["active"] = user.GetBool("IsActive"),
            ["user_type"] = user.GetString("UserType")?.ToUpperInvariant(),
            ["language"] = user.GetString("LanguageLocaleKey"),
            ["locale"] = user.GetString("LocaleSidKey"),
            ["last_modified_date"] = FieldValues.FormatDateTime((DateTime)user.Get("LastModifiedDate")),
            ["urls"] = new JsonObject
            {
                ["rest"] = rest,
                ["sobjects"] = rest + "sobjects/",
                ["query"] = rest + "query/",
                ["profile"] = $"{state.BaseUrl}/{user.Id}",
                ["custom_domain"] = state.BaseUrl,
            },
        });
    }
}
