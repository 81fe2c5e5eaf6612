using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>The one JSON line a starting emulator prints: where it listens and its credentials.</summary>
    public sealed class EmulatorAnnouncement
    {
        public string Domain { get; private set; }
        public string InstanceUrl { get; private set; }
        public string ClientId { get; private set; }
        public string ClientSecret { get; private set; }
        public string RefreshToken { get; private set; }
        public string AccessToken { get; private set; }
        public string Username { get; private set; }

        public static EmulatorAnnouncement Parse(string line)
        {
            var json = JObject.Parse(line);
            return new EmulatorAnnouncement
            {
                Domain = json.Value<string>("domain"),
                InstanceUrl = json.Value<string>("instanceUrl"),
                ClientId = json.Value<string>("clientId"),
                ClientSecret = json.Value<string>("clientSecret"),
                RefreshToken = json.Value<string>("refreshToken"),
                AccessToken = json.Value<string>("accessToken"),
                Username = json.Value<string>("username"),
            };
        }
    }
}
