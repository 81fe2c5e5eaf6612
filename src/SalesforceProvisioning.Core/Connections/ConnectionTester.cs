using System;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>What Test-SfConnection reports: never an exception, always a verdict with a reason and remedy.</summary>
    public sealed class SfConnectionTestResult
    {
        public bool Success { get; internal set; }
        public string Domain { get; internal set; }
        public string InstanceUrl { get; internal set; }
        public string OrganizationId { get; internal set; }
        public string OrganizationName { get; internal set; }
        public string Username { get; internal set; }
        public string UserId { get; internal set; }
        public string ApiVersion { get; internal set; }
        public long? ApiRequestsMax { get; internal set; }
        public long? ApiRequestsRemaining { get; internal set; }
        public SalesforceFailure Failure { get; internal set; }
        public string Reason { get; internal set; }
        public string Remedy { get; internal set; }

        public override string ToString() => Success ? $"Connected to {OrganizationName} as {Username}" : $"Failed: {Reason}";
    }

    /// <summary>Authenticates, asks who we are, reads the org and its API limits.</summary>
    public static class ConnectionTester
    {
        public static async Task<SfConnectionTestResult> TestAsync(SfProvisioningConnection connection, CancellationToken ct)
        {
            var result = new SfConnectionTestResult { Domain = connection.Domain.ToString().TrimEnd('/'), ApiVersion = connection.ApiVersion };
            try
            {
                SalesforceClient client = connection.Client;
                JObject identity = await client.GetIdentityAsync(ct).ConfigureAwait(false);
                result.InstanceUrl = connection.InstanceUrl;
                result.Username = identity.Value<string>("username") ?? identity.Value<string>("preferred_username");
                result.UserId = identity.Value<string>("user_id");
                result.OrganizationId = identity.Value<string>("organization_id");

                var org = await client.QueryAsync("SELECT Id, Name FROM Organization LIMIT 1", ct).ConfigureAwait(false);
                if (org.Count > 0) result.OrganizationName = org[0].Value<string>("Name");

                JToken limits = await client.GetAsync(client.DataPath("limits"), ct).ConfigureAwait(false);
                JToken daily = limits["DailyApiRequests"];
                if (daily != null)
                {
                    result.ApiRequestsMax = daily.Value<long?>("Max");
                    result.ApiRequestsRemaining = daily.Value<long?>("Remaining");
                }
                result.Success = true;
                result.Failure = SalesforceFailure.None;
            }
            catch (SalesforceException ex)
            {
                result.Success = false;
                result.Failure = ex.Failure;
                result.Reason = ex.Message;
                result.Remedy = ex.Remedy;
                result.InstanceUrl = connection.InstanceUrl;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                // An answer that is not what Salesforce sends (a proxy's page, a truncated body): still a verdict, not a crash.
                result.Success = false;
                result.Failure = SalesforceFailure.ApiError;
                result.Reason = $"The host answered something that is not a Salesforce API answer ({ex.GetType().Name}: {ex.Message}).";
                result.Remedy = "Check -Domain points at the org's My Domain and that no proxy rewrites the traffic.";
                result.InstanceUrl = connection.InstanceUrl;
            }
            return result;
        }
    }
}
