using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace SalesforceProvisioning.Commands
{
    /// <summary>Reads properties of whatever admins pipe in: objects of any source, or hashtables.</summary>
    internal static class SourceObjects
    {
        internal static (bool Found, object Value) ReadProperty(object input, string name)
        {
            object target = input is PSObject pso ? pso.BaseObject : input;
            if (target is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (string.Equals(Convert.ToString(entry.Key), name, StringComparison.OrdinalIgnoreCase)) return (true, Unwrap(entry.Value));
                }
                return (false, null);
            }
            PSPropertyInfo property = (input as PSObject ?? PSObject.AsPSObject(input)).Properties[name];
            return property == null ? (false, null) : (true, Unwrap(property.Value));
        }

        /// <summary>Plain .NET values: PSObject wrappers removed, collections as arrays.</summary>
        internal static object Unwrap(object value)
        {
            if (value is PSObject pso) value = pso.BaseObject;
            if (value is string || value == null) return value;
            if (value is IEnumerable list && !(value is IDictionary)) return list.Cast<object>().Select(Unwrap).ToArray();
            return value;
        }

        /// <summary>A script block as a mapping function, run on the pipeline thread with $_ set to the input; its errors fail the record.</summary>
        internal static Func<object, object> ToFunction(ScriptBlock script)
        {
            return input =>
            {
                // Stop: an error inside the script block fails that record instead of silently giving null.
                var variables = new List<PSVariable> { new PSVariable("_", input), new PSVariable("PSItem", input), new PSVariable("ErrorActionPreference", ActionPreference.Stop) };
                var output = script.InvokeWithContext(null, variables);
                if (output.Count == 0) return null;
                if (output.Count == 1) return Unwrap(output[0]);
                return output.Select(o => Unwrap(o)).ToArray();
            };
        }

        /// <summary>SNAKE_CASE error codes as the PascalCase error ids PowerShell users expect.</summary>
        internal static string ErrorId(string code)
        {
            if (string.IsNullOrEmpty(code)) return "SyncFailed";
            if (!code.Contains("_") && char.IsUpper(code[0]) && code.Any(char.IsLower)) return code;
            return string.Concat(code.Split('_').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1).ToLowerInvariant()));
        }
    }
}
