namespace SalesforceProvisioning { internal static class Placeholder { } }
