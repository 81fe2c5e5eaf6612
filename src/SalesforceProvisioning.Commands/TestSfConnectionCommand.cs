using System.Management.Automation;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Tests a connection: authenticates, identifies the user and org, and reads the API usage.
    /// Never throws for a failed test: the result says why and what to do.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "SfConnection")]
    [OutputType(typeof(SfConnectionTestResult), typeof(bool))]
    public sealed class TestSfConnectionCommand : SfCmdlet
    {
        /// <summary>The connection to test; defaults to the runspace's default connection.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SfProvisioningConnection Connection { get; set; }

        /// <summary>Return only $true or $false.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void ProcessRecord()
        {
            SfProvisioningConnection connection = ResolveConnection(Connection);
            SfConnectionTestResult result = Run(connection, ct => ConnectionTester.TestAsync(connection, ct));
            if (Quiet) WriteObject(result.Success);
            else WriteObject(result);
        }
    }
}
