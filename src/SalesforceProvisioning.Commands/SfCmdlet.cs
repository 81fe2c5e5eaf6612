using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Base of every cmdlet: runs core work on the pipeline thread with Ctrl+C cancellation, relays
    /// the core's diagnostics to Write-Verbose, and turns core failures into ErrorRecords whose
    /// error id is the failure kind (e.g. <c>RefreshTokenExpiredOrRevoked,SalesforceProvisioning.Commands.TestSfConnectionCommand</c>).
    /// </summary>
    public abstract class SfCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private bool _stopsOnSignal;

        protected CancellationToken CancelToken => _stopping.Token;

        protected override void StopProcessing() => _stopping.Cancel();

        /// <summary>
        /// From its first call on, SIGTERM stops the command through the same token as StopProcessing, even
        /// when the SIGINT that stops the pipeline cannot be delivered (StopSignals).
        /// </summary>
        private protected void StopOnSignal()
        {
            if (_stopsOnSignal) return;
            _stopsOnSignal = true;
            StopSignals.Enter(_stopping);
        }

        /// <summary>
        /// A stopped command makes no further call: PipelineStoppedException ends it, and (unlike an error, it is
        /// not caught by try/catch) the script as well when the stop came from SIGTERM rather than the host.
        /// </summary>
        protected void ThrowIfStopped()
        {
            if (CancelToken.IsCancellationRequested) throw new PipelineStoppedException();
        }

        public virtual void Dispose()
        {
            if (_stopsOnSignal) StopSignals.Leave(_stopping);
        }

        /// <summary>Waits for core work while keeping Write* calls on this thread.</summary>
        protected T Run<T>(SfProvisioningConnection connection, Func<CancellationToken, Task<T>> work)
        {
            StopOnSignal();
            ThrowIfStopped();
            try
            {
                return work(CancelToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            finally
            {
                FlushDiagnostics(connection);
            }
        }

        protected void Run(SfProvisioningConnection connection, Func<CancellationToken, Task> work)
            => Run<bool>(connection, async ct => { await work(ct).ConfigureAwait(false); return true; });

        /// <summary>The given connection, else the runspace's default; stops the command when there is none.</summary>
        protected SfProvisioningConnection ResolveConnection(SfProvisioningConnection given)
        {
            SfProvisioningConnection connection = given ?? DefaultConnection.Get(SessionState);
            if (connection != null) return connection;
            const string message = "No connection: pass -Connection or create one first with New-SfProvisioningConnection.";
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(message), "NoConnection", ErrorCategory.ConnectionError, null)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Run New-SfProvisioningConnection (or Start-SfEmulator | New-SfProvisioningConnection) first." },
            });
            return null;
        }

        protected void FlushDiagnostics(SfProvisioningConnection connection)
        {
            var queue = connection?.Client.Diagnostics;
            if (queue == null) return;
            while (queue.TryDequeue(out string message)) WriteVerbose(message);
        }

        /// <summary>True under -WhatIf (or $WhatIfPreference): plans are shown and returned, nothing is written.</summary>
        protected bool IsWhatIf()
        {
            if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object value)) return ((SwitchParameter)value).IsPresent;
            return LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));
        }

        /// <summary>
        /// ShouldProcess, except that <paramref name="force"/> (-Force) skips the prompt whatever the
        /// ConfirmImpact and $ConfirmPreference, as in the script idiom
        /// <c>if ($Force -and -not $Confirm) { $ConfirmPreference = 'None' }</c>: -WhatIf still only previews,
        /// and an explicit -Confirm still asks.
        /// </summary>
        protected bool ShouldChange(string target, string action, bool force)
        {
            if (force && !IsWhatIf() && !ConfirmRequested())
            {
                WriteVerbose($"Performing the operation \"{action}\" on target \"{target}\" (-Force: not confirmed).");
                return true;
            }
            return ShouldProcess(target, action);
        }

        /// <summary>ShouldContinue, answered yes by -Force (which never prompts).</summary>
        protected bool ShouldContinueUnlessForced(string query, string caption, bool force)
            => (force && !ConfirmRequested()) || ShouldContinue(query, caption);

        private bool ConfirmRequested()
            => MyInvocation.BoundParameters.TryGetValue("Confirm", out object value) && ((SwitchParameter)value).IsPresent;

        /// <summary>The ErrorRecord for a core failure: stable id, fitting category, remedy as RecommendedAction.</summary>
        internal static ErrorRecord ToErrorRecord(SalesforceException ex, object target)
        {
            string errorId = ex is SalesforceConfigurationException bad ? "Invalid" + bad.Parameter : ex.Failure.ToString();
            var record = new ErrorRecord(ex, errorId, CategoryOf(ex.Failure), target);
            record.ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = ex.Remedy };
            return record;
        }

        protected void ThrowFor(SalesforceException ex, object target) => ThrowTerminatingError(ToErrorRecord(ex, target));

        internal static ErrorCategory CategoryOf(SalesforceFailure failure)
        {
            switch (failure)
            {
                case SalesforceFailure.InvalidArgument: return ErrorCategory.InvalidArgument;
                case SalesforceFailure.InvalidClientId:
                case SalesforceFailure.InvalidClientSecret:
                case SalesforceFailure.RefreshTokenExpiredOrRevoked:
                case SalesforceFailure.AccessTokenExpired:
                case SalesforceFailure.InactiveUser:
                case SalesforceFailure.AuthenticationFailed:
                case SalesforceFailure.JwtCertificateRejected:
                case SalesforceFailure.JwtUserNotApproved:
                case SalesforceFailure.JwtAudienceInvalid: return ErrorCategory.AuthenticationError;
                case SalesforceFailure.UntrustedInstanceUrl:
                case SalesforceFailure.TlsFailure: return ErrorCategory.SecurityError;
                case SalesforceFailure.HostUnreachable:
                case SalesforceFailure.ConnectionDropped: return ErrorCategory.ConnectionError;
                case SalesforceFailure.Timeout: return ErrorCategory.OperationTimeout;
                case SalesforceFailure.ApiDisabled: return ErrorCategory.PermissionDenied;
                case SalesforceFailure.RequestLimitExceeded: return ErrorCategory.LimitsExceeded;
                case SalesforceFailure.ServerUnavailable: return ErrorCategory.ResourceUnavailable;
                case SalesforceFailure.StateStoreBusy: return ErrorCategory.ResourceBusy;
                case SalesforceFailure.StateStoreDamaged: return ErrorCategory.InvalidData;
                case SalesforceFailure.StateStoreUnwritable:
                case SalesforceFailure.SavedConnectionUnwritable: return ErrorCategory.WriteError;
                case SalesforceFailure.UnexpectedRedirect: return ErrorCategory.ProtocolError;
                case SalesforceFailure.Stopped: return ErrorCategory.OperationStopped;
                default: return ErrorCategory.InvalidOperation;
            }
        }
    }

    /// <summary>A cmdlet that talks to an org: -Connection, or the runspace's default connection.</summary>
    public abstract class SfConnectedCmdlet : SfCmdlet
    {
        /// <summary>The connection to use; defaults to the last one created in this runspace.</summary>
        [Parameter]
        [ValidateNotNull]
        public SfProvisioningConnection Connection { get; set; }

        protected SfProvisioningConnection ResolveConnection() => ResolveConnection(Connection);

        /// <summary>
        /// Writes objects as a reader produces them on another thread, keeping every Write* on this one;
        /// Ctrl+C (or a downstream Select-Object -First) cancels the read.
        /// </summary>
        protected void Stream<T>(SfProvisioningConnection connection, Func<Action<T>, CancellationToken, Task> produce, Action<T> seen)
        {
            StopOnSignal();
            ThrowIfStopped();
            try
            {
                using (var stream = ReadStream<T>.Start(produce, CancelToken))
                {
                    foreach (T item in stream.Consume())
                    {
                        FlushDiagnostics(connection);
                        seen(item);
                        WriteObject(item);
                    }
                }
            }
            catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, connection);
            }
            finally
            {
                FlushDiagnostics(connection);
            }
        }

        /// <summary>Authenticates before any write; a connection that cannot authenticate stops the command.</summary>
        protected SfProvisioningConnection ResolveAuthenticatedConnection()
        {
            SfProvisioningConnection connection = ResolveConnection();
            try
            {
                Run(connection, ct => connection.Client.EnsureAuthenticatedAsync(ct));
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, connection);
            }
            return connection;
        }
    }

    /// <summary>
    /// The default connection lives in the runspace's session state (a global variable), never in a
    /// static, so parallel runspaces never see each other's connection.
    /// </summary>
    internal static class DefaultConnection
    {
        internal const string VariableName = "SfProvisioningDefaultConnection";

        internal static SfProvisioningConnection Get(SessionState state)
            => state.PSVariable.GetValue("global:" + VariableName) as SfProvisioningConnection;

        internal static void Set(SessionState state, SfProvisioningConnection connection)
            => state.PSVariable.Set("global:" + VariableName, connection);
    }
}
