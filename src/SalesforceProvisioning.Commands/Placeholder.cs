namespace SalesforceProvisioning.Commands { internal static class Placeholder { } }
