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
    public ApiResponse Token(string body, string origin)
    {
        var form = QueryHelpers.ParseQuery(body ?? "");
        string Field(string name) => form.GetValueOrDefault(name).ToString() is { Length: > 0 } value ? value : null;

        string grantType = Field("grant_type");
        if (grantType is not ("refresh_token" or "client_credentials" or JwtBearerGrant))
            return OAuthError("unsupported_grant_type", "grant type not supported");

        if (grantType == JwtBearerGrant) return JwtBearer(Field("assertion"), origin);

        if (Field("client_id") != state.Tokens.ClientId) return OAuthError("invalid_client_id", "client identifier invalid");
        if (Field("client_secret") != state.Tokens.ClientSecret) return OAuthError("invalid_client", "invalid client credentials");

        if (grantType == "client_credentials")
            return Issue(state.Tokens.InitialUsername, refreshToken: null, returnRefreshToken: false, origin);

        string refreshToken = Field("refresh_token");
        string username = state.Tokens.UserOfRefreshToken(refreshToken);
        if (username == null) return OAuthError("invalid_grant", "expired access/refresh token");
        if (UnusableUser(username) is { } refused) return refused; // checked before rotation spends the token
        if (!state.Tokens.RotateRefreshTokens) return Issue(username, refreshToken, returnRefreshToken: false, origin);

        state.Tokens.Spend(refreshToken);
        return Issue(username, state.Tokens.IssueRefreshToken(username), returnRefreshToken: true, origin);
    }

    private ApiResponse JwtBearer(string assertion, string origin)
    {
        // Salesforce's "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration": aud is https://login.salesforce.com,
        // or https://test.salesforce.com for a sandbox (or the org's own URL); the user must have approved the app
        // or be pre-authorized by an admin ("user hasn't approved this consumer" otherwise).
        var audiences = new[] { state.BaseUrl, state.HttpsBaseUrl, state.Org.IsSandbox ? "https://test.salesforce.com" : "https://login.salesforce.com" };
        var claims = JwtAssertion.Validate(assertion, state.JwtKey, audiences, out string error);
        if (claims == null) return OAuthError("invalid_grant", error);
        if (claims.Issuer != state.Tokens.ClientId) return OAuthError("invalid_client_id", "client identifier invalid");
        var user = state.Org.FindUserByUsername(claims.Subject);
        if (user == null) return OAuthError("invalid_grant", "invalid assertion");
        if (state.JwtUnapprovedUsers.Contains(claims.Subject)) return OAuthError("invalid_grant", "user hasn't approved this consumer");
        return Issue(user.GetString("Username"), refreshToken: null, returnRefreshToken: false, origin);
    }

    private ApiResponse UnusableUser(string username)
    {
        var user = state.Org.FindUserByUsername(username);
        if (user == null) return OAuthError("invalid_grant", "expired access/refresh token");
        if (!user.GetBool("IsActive")) return OAuthError("inactive_user", "user is inactive");
        // Salesforce documents that frozen users cannot log in, not the OAuth error they get: the emulator uses the
        // same code as for inactive users, which clients already treat as "a person must act".
        return state.Org.IsFrozen(user) ? OAuthError("inactive_user", "user is frozen") : null;
    }

    private ApiResponse Issue(string username, string refreshToken, bool returnRefreshToken, string origin)
    {
        if (UnusableUser(username) is { } refused) return refused;
        var user = state.Org.FindUserByUsername(username);

        string issuedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        string id = $"{origin}/id/{state.Org.OrganizationId}/{user.Id}";
        var response = new JsonObject
        {
            ["access_token"] = state.Tokens.IssueAccessToken(user.GetString("Username"), refreshToken),
        };
        if (returnRefreshToken) response["refresh_token"] = refreshToken;
        response["signature"] = state.Tokens.Sign(id, issuedAt);
        response["scope"] = "api refresh_token";
        response["instance_url"] = state.InstanceUrlOverride ?? origin;
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

    /// <summary>
    /// GET /services/oauth2/userinfo: the OpenID Connect view of the caller, with the claims Salesforce's userinfo
    /// endpoint returns ("UserInfo Endpoint", Salesforce Help).
    /// </summary>
    public ApiResponse UserInfo(SObjectRecord caller, string origin)
    {
        if (caller == null) return ApiResponse.InvalidSession();
        return ApiResponse.Ok(new JsonObject
        {
            ["sub"] = $"{origin}/id/{state.Org.OrganizationId}/{caller.Id}",
            ["user_id"] = caller.Id,
            ["organization_id"] = state.Org.OrganizationId,
            ["preferred_username"] = caller.GetString("Username"),
            ["nickname"] = caller.GetString("CommunityNickname"),
            ["name"] = caller.GetString("Name"),
            ["email"] = caller.GetString("Email"),
            ["email_verified"] = true,
            ["given_name"] = caller.GetString("FirstName"),
            ["family_name"] = caller.GetString("LastName"),
            ["zoneinfo"] = caller.GetString("TimeZoneSidKey"),
            ["photos"] = Photos(origin, caller),
            ["profile"] = $"{origin}/{caller.Id}",
            ["picture"] = $"{origin}/profilephoto/005/F",
            ["address"] = new JsonObject { ["locality"] = caller.GetString("City"), ["country"] = caller.GetString("Country") },
            ["is_salesforce_integration_user"] = false,
            ["urls"] = Urls(origin, caller, null),
            ["active"] = caller.GetBool("IsActive"),
            ["user_type"] = caller.GetString("UserType")?.ToUpperInvariant(),
            ["language"] = caller.GetString("LanguageLocaleKey"),
            ["locale"] = caller.GetString("LocaleSidKey"),
            ["utcOffset"] = UtcOffsetMilliseconds(caller),
            ["updated_at"] = FieldValues.FormatDateTime((DateTime)caller.Get("LastModifiedDate")),
            ["is_app_installed"] = true,
        });
    }

    /// <summary>
    /// GET /id/{orgId}/{userId}: who the user is, for a caller with a live access token, with the fields of Salesforce's
    /// identity URL response ("Identity URLs", Salesforce Help). ?version=NN.N or latest fills {version} in the URLs.
    /// </summary>
    public ApiResponse Identity(string path, SObjectRecord caller, string origin, string version)
    {
        if (caller == null) return ApiResponse.InvalidSession();
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var user = parts.Length == 3 ? state.Org.FindById(parts[2]) : null;
        if (user == null || user.Type.Name != "User" || SalesforceId.Normalize(parts[1]) != state.Org.OrganizationId)
            return ApiResponse.Json(404, new JsonArray(new JsonObject { ["message"] = "Bad_Id", ["errorCode"] = "NOT_FOUND" }));

        return ApiResponse.Ok(new JsonObject
        {
            ["id"] = $"{origin}/id/{state.Org.OrganizationId}/{user.Id}",
            ["asserted_user"] = user.Id == caller.Id,
            ["user_id"] = user.Id,
            ["organization_id"] = state.Org.OrganizationId,
            ["username"] = user.GetString("Username"),
            ["nick_name"] = user.GetString("CommunityNickname"),
            ["display_name"] = user.GetString("Name"),
            ["email"] = user.GetString("Email"),
            ["email_verified"] = true,
            ["first_name"] = user.GetString("FirstName"),
            ["last_name"] = user.GetString("LastName"),
            ["timezone"] = user.GetString("TimeZoneSidKey"),
            ["photos"] = Photos(origin, user),
            ["addr_street"] = user.GetString("Street"),
            ["addr_city"] = user.GetString("City"),
            ["addr_state"] = user.GetString("State"),
            ["addr_country"] = user.GetString("Country"),
            ["addr_zip"] = user.GetString("PostalCode"),
            ["mobile_phone"] = user.GetString("MobilePhone"),
            ["mobile_phone_verified"] = false,
            ["is_lightning_login_user"] = false,
            ["status"] = new JsonObject { ["created_date"] = null, ["body"] = null },
            ["urls"] = Urls(origin, user, version),
            ["active"] = user.GetBool("IsActive"),
            ["user_type"] = user.GetString("UserType")?.ToUpperInvariant(),
            ["language"] = user.GetString("LanguageLocaleKey"),
            ["locale"] = user.GetString("LocaleSidKey"),
            ["utcOffset"] = UtcOffsetMilliseconds(user),
            ["last_modified_date"] = FieldValues.FormatDateTime((DateTime)user.Get("LastModifiedDate")),
            ["is_app_installed"] = true,
        });
    }

    private static JsonObject Photos(string origin, SObjectRecord user) => new()
    {
        ["picture"] = $"{origin}/profilephoto/005/F",
        ["thumbnail"] = $"{origin}/profilephoto/005/T",
    };

    /// <summary>The API URLs of the identity response; "{version}" stays literal unless the caller asked for one.</summary>
    private static JsonObject Urls(string origin, SObjectRecord user, string version)
    {
        string v = version switch
        {
            null or "" => "{version}",
            "latest" => DataApi.LatestVersion,
            _ => version,
        };
        string rest = $"{origin}/services/data/v{v}/";
        return new JsonObject
        {
            ["enterprise"] = $"{origin}/services/Soap/c/{v}/{{organizationId}}",
            ["metadata"] = $"{origin}/services/Soap/m/{v}/{{organizationId}}",
            ["partner"] = $"{origin}/services/Soap/u/{v}/{{organizationId}}",
            ["rest"] = rest,
            ["sobjects"] = rest + "sobjects/",
            ["search"] = rest + "search/",
            ["query"] = rest + "query/",
            ["recent"] = rest + "recent/",
            ["tooling_soap"] = $"{origin}/services/Soap/T/{v}/{{organizationId}}",
            ["tooling_rest"] = rest + "tooling/",
            ["profile"] = $"{origin}/{user.Id}",
            ["feeds"] = rest + "chatter/feeds",
            ["groups"] = rest + "chatter/groups",
            ["users"] = rest + "chatter/users",
            ["feed_items"] = rest + "chatter/feed-items",
            ["feed_elements"] = rest + "chatter/feed-elements",
            ["custom_domain"] = origin,
        };
    }

    /// <summary>The user's time zone offset from UTC now, in milliseconds, as the identity response gives it.</summary>
    private long UtcOffsetMilliseconds(SObjectRecord user)
    {
        try
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(user.GetString("TimeZoneSidKey") ?? "GMT");
            return (long)zone.GetUtcOffset(state.Org.Clock()).TotalMilliseconds;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return 0;
        }
    }
}
