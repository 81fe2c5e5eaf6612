using System;
using System.Collections.Generic;

namespace SalesforceProvisioning
{
    /// <summary>What went wrong, in words stable enough to be an error id.</summary>
    public enum SalesforceFailure
    {
        None,
        InvalidArgument,
        InvalidClientId,
        InvalidClientSecret,
        RefreshTokenExpiredOrRevoked,
        AccessTokenExpired,
        InactiveUser,
        AuthenticationFailed,
        /// <summary>JWT bearer: Salesforce could not verify the assertion with the connected app's certificate.</summary>
        JwtCertificateRejected,
        /// <summary>JWT bearer: the user has not approved the connected app and is not pre-authorized by an admin.</summary>
        JwtUserNotApproved,
        /// <summary>JWT bearer: the assertion's aud is not the org's login host (production vs sandbox).</summary>
        JwtAudienceInvalid,
        UntrustedInstanceUrl,
        HostUnreachable,
        Timeout,
        TlsFailure,
        ConnectionDropped,
        ApiDisabled,
        RequestLimitExceeded,
        ServerUnavailable,
        ApiError,
        StateStoreBusy,
        StateStoreDamaged,
        StateStoreUnwritable,
        SavedConnectionUnwritable,
        UnexpectedRedirect,
        Stopped,
    }

    /// <summary>
    /// Every failure the core reports: a stable <see cref="Failure"/> kind (the cmdlets' error id),
    /// a message that says what is wrong, and a <see cref="Remedy"/> that says what to do.
    /// Messages never contain secrets.
    /// </summary>
    public class SalesforceException : Exception
    {
        public SalesforceException(SalesforceFailure failure, string message, string remedy, Exception inner = null)
            : base(message, inner)
        {
            Failure = failure;
            Remedy = remedy;
        }

        public SalesforceFailure Failure { get; }
        public string Remedy { get; }

        /// <summary>True when a person must act (credentials, permissions): never worth retrying.</summary>
        public bool NeedsPerson => Failure != SalesforceFailure.Timeout && Failure != SalesforceFailure.ConnectionDropped
            && Failure != SalesforceFailure.ServerUnavailable && Failure != SalesforceFailure.ApiError;
    }

    /// <summary>A bad setting, with the parameter that holds it.</summary>
    public sealed class SalesforceConfigurationException : SalesforceException
    {
        public SalesforceConfigurationException(string parameter, string problem, string remedy)
            : base(SalesforceFailure.InvalidArgument, $"-{parameter}: {problem} {remedy}", remedy)
        {
            Parameter = parameter;
        }

        public string Parameter { get; }
    }

    /// <summary>An error answer from the REST API (<c>[{"message","errorCode","fields"}]</c>).</summary>
    public sealed class SalesforceApiException : SalesforceException
    {
        public SalesforceApiException(SalesforceFailure failure, int httpStatus, string errorCode, string message, IReadOnlyList<string> fields, string remedy)
            : base(failure, $"Salesforce answered {httpStatus} {errorCode}: {message}", remedy)
        {
            HttpStatus = httpStatus;
            ErrorCode = errorCode;
            ApiMessage = message;
            Fields = fields ?? Array.Empty<string>();
        }

        public int HttpStatus { get; }
        public string ErrorCode { get; }
        public string ApiMessage { get; }
        public IReadOnlyList<string> Fields { get; }
    }
}
