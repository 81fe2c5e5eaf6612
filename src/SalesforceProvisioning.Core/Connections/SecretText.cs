using System;
using System.Runtime.InteropServices;
using System.Security;

namespace SalesforceProvisioning
{
    /// <summary>SecureString conversions, kept in one place so plain text exists only at the moment of sending.</summary>
    public static class SecretText
    {
        public static SecureString ToSecureString(string plain)
        {
            if (plain == null) return null;
            var secure = new SecureString();
            foreach (char c in plain) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }

        internal static string Reveal(SecureString secure)
        {
            if (secure == null) return null;
            IntPtr ptr = IntPtr.Zero;
            try
            {
                ptr = Marshal.SecureStringToGlobalAllocUnicode(secure);
                return Marshal.PtrToStringUni(ptr);
            }
            finally
            {
                if (ptr != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(ptr);
            }
        }

        internal static bool IsEmpty(SecureString secure) => secure == null || secure.Length == 0;
    }
}
