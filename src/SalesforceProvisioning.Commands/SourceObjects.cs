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
            if (property != null) return (true, Unwrap(property.Value));
            // Microsoft Graph objects keep what their type does not declare (a member's userPrincipalName and
            // @odata.type, extension attributes) in AdditionalProperties: read those as the object's own.
            return name != AdditionalProperties && ReadProperty(input, AdditionalProperties).Value is IDictionary additional
                ? ReadProperty(additional, name)
                : (false, null);
        }

        private const string AdditionalProperties = "AdditionalProperties";

        /// <summary>The property names of an input object (with a Graph object's AdditionalProperties), for naming the closest ones.</summary>
        internal static IEnumerable<string> PropertyNames(object input)
        {
            object target = input is PSObject pso ? pso.BaseObject : input;
            if (target is IDictionary dictionary) return dictionary.Keys.Cast<object>().Select(k => Convert.ToString(k)).ToList();
            var names = (input as PSObject ?? PSObject.AsPSObject(input)).Properties.Select(p => p.Name).ToList();
            if (ReadProperty(input, AdditionalProperties).Value is IDictionary additional)
                names.AddRange(additional.Keys.Cast<object>().Select(k => Convert.ToString(k)));
            return names;
        }

        /// <summary>Plain .NET values: PSObject wrappers removed, collections as arrays.</summary>
        internal static object Unwrap(object value)
        {
            // A [pscustomobject]'s properties live on its PSObject wrapper: keep that one (a member object of a group, say).
            if (value is PSObject pso && !(pso.BaseObject is PSCustomObject)) value = pso.BaseObject;
            if (value is string || value == null || value is PSObject) return value;
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
