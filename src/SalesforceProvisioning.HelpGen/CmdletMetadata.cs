using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace SalesforceProvisioning.HelpGen
{
    /// <summary>What the cmdlet assembly says about one cmdlet: the part of help that is never written by hand.</summary>
    public sealed class CmdletMetadata
    {
        public const string AllSets = "__AllParameterSets";

        public string Verb { get; set; }
        public string Noun { get; set; }
        public string Name => Verb + "-" + Noun;
        public string DefaultParameterSet { get; set; }
        public bool SupportsShouldProcess { get; set; }
        public List<string> OutputTypes { get; } = new List<string>();
        public List<ParameterMetadata> Parameters { get; } = new List<ParameterMetadata>();

        /// <summary>Named parameter sets, default first; one "all" set when the cmdlet names none.</summary>
        public List<string> ParameterSets()
        {
            var sets = Parameters.SelectMany(p => p.Sets).Select(s => s.SetName).Where(s => s != AllSets).Distinct().ToList();
            if (sets.Count == 0) return new List<string> { AllSets };
            // The default set may be named by the cmdlet alone (only all-set parameters belong to it): it is still a way to call it.
            if (DefaultParameterSet != null)
            {
                sets.Remove(DefaultParameterSet);
                sets.Insert(0, DefaultParameterSet);
            }
            return sets;
        }
    }

    public sealed class ParameterMetadata
    {
        public string Name { get; set; }
        public string TypeName { get; set; }
        public string TypeFullName { get; set; }
        public bool IsSwitch { get; set; }
        /// <summary>-WhatIf and -Confirm, added by PowerShell for SupportsShouldProcess: described by the generator, not the sources.</summary>
        public string StandardDescription { get; set; }
        public bool IsArray { get; set; }
        public bool SupportsWildcards { get; set; }
        public List<string> Aliases { get; } = new List<string>();
        public List<string> EnumValues { get; } = new List<string>();
        public List<ParameterSetMetadata> Sets { get; } = new List<ParameterSetMetadata>();

        /// <summary>This parameter's attribute for a set (its own, or its all-sets one); null when not in the set.</summary>
        public ParameterSetMetadata In(string set)
            => Sets.FirstOrDefault(s => s.SetName == set) ?? Sets.FirstOrDefault(s => s.SetName == CmdletMetadata.AllSets);
    }

    public sealed class ParameterSetMetadata
    {
        public string SetName { get; set; } = CmdletMetadata.AllSets;
        public bool Mandatory { get; set; }
        public int Position { get; set; } = int.MinValue;
        public bool ValueFromPipeline { get; set; }
        public bool ValueFromPipelineByPropertyName { get; set; }

        public string PositionText => Position == int.MinValue ? "named" : Position.ToString();

        public string PipelineText
        {
            get
            {
                var kinds = new List<string>();
                if (ValueFromPipeline) kinds.Add("ByValue");
                if (ValueFromPipelineByPropertyName) kinds.Add("ByPropertyName");
                return kinds.Count == 0 ? "False" : "True (" + string.Join(", ", kinds) + ")";
            }
        }
    }

    /// <summary>
    /// Reads cmdlets from the built assembly with MetadataLoadContext: nothing is loaded for execution, so a
    /// netstandard2.0 assembly compiled against PowerShellStandard.Library is read from a net10.0 tool.
    /// </summary>
    public static class CmdletMetadataReader
    {
        private const string Sma = "System.Management.Automation.";

        public static List<CmdletMetadata> Read(string assemblyPath, IEnumerable<string> extraReferences)
        {
            var paths = new List<string>();
            paths.AddRange(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"));
            paths.AddRange(Directory.GetFiles(Path.GetDirectoryName(Path.GetFullPath(assemblyPath)), "*.dll"));
            paths.AddRange(extraReferences);
            var resolver = new PathAssemblyResolver(paths.Distinct(StringComparer.OrdinalIgnoreCase));
            using var context = new MetadataLoadContext(resolver);
            Assembly assembly = context.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
            var cmdlets = new List<CmdletMetadata>();
            foreach (Type type in assembly.GetExportedTypes().Where(t => !t.IsAbstract))
            {
                CustomAttributeData cmdletAttribute = type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == Sma + "CmdletAttribute");
                if (cmdletAttribute == null) continue;
                cmdlets.Add(ReadCmdlet(type, cmdletAttribute));
            }
            return cmdlets;
        }

        private static CmdletMetadata ReadCmdlet(Type type, CustomAttributeData cmdletAttribute)
        {
            var cmdlet = new CmdletMetadata
            {
                Verb = (string)cmdletAttribute.ConstructorArguments[0].Value,
                Noun = (string)cmdletAttribute.ConstructorArguments[1].Value,
                DefaultParameterSet = Named<string>(cmdletAttribute, "DefaultParameterSetName"),
                SupportsShouldProcess = Named<bool>(cmdletAttribute, "SupportsShouldProcess"),
            };
            foreach (CustomAttributeData output in type.GetCustomAttributesData().Where(a => a.AttributeType.FullName == Sma + "OutputTypeAttribute"))
            {
                foreach (object value in Flatten(output.ConstructorArguments[0].Value))
                {
                    string name = value is Type t ? t.FullName : Convert.ToString(value);
                    if (!cmdlet.OutputTypes.Contains(name)) cmdlet.OutputTypes.Add(name);
                }
            }
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            // Declared order, base classes last: the cmdlet's own parameters come first in help.
            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var attributes = property.GetCustomAttributesData();
                var parameterAttributes = attributes.Where(a => a.AttributeType.FullName == Sma + "ParameterAttribute").ToList();
                if (parameterAttributes.Count == 0 || !seen.Add(property.Name)) continue;
                Type propertyType = property.PropertyType;
                Type elementType = propertyType.IsArray ? propertyType.GetElementType() : propertyType;
                var parameter = new ParameterMetadata
                {
                    Name = property.Name,
                    TypeName = propertyType.Name,
                    TypeFullName = propertyType.FullName,
                    IsSwitch = propertyType.FullName == Sma + "SwitchParameter",
                    IsArray = propertyType.IsArray,
                    SupportsWildcards = attributes.Any(a => a.AttributeType.FullName == Sma + "SupportsWildcardsAttribute"),
                };
                if (elementType.IsEnum) parameter.EnumValues.AddRange(elementType.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name));
                foreach (CustomAttributeData alias in attributes.Where(a => a.AttributeType.FullName == Sma + "AliasAttribute"))
                    parameter.Aliases.AddRange(Flatten(alias.ConstructorArguments[0].Value).Select(Convert.ToString));
                foreach (CustomAttributeData p in parameterAttributes)
                {
                    parameter.Sets.Add(new ParameterSetMetadata
                    {
                        SetName = Named<string>(p, "ParameterSetName") ?? CmdletMetadata.AllSets,
                        Mandatory = Named<bool>(p, "Mandatory"),
                        Position = p.NamedArguments.Any(n => n.MemberName == "Position") ? Named<int>(p, "Position") : int.MinValue,
                        ValueFromPipeline = Named<bool>(p, "ValueFromPipeline"),
                        ValueFromPipelineByPropertyName = Named<bool>(p, "ValueFromPipelineByPropertyName"),
                    });
                }
                cmdlet.Parameters.Add(parameter);
            }
            if (cmdlet.SupportsShouldProcess)
            {
                cmdlet.Parameters.Add(RiskParameter("WhatIf", "wi", "Shows what would change, and returns the planned results, without writing anything."));
                cmdlet.Parameters.Add(RiskParameter("Confirm", "cf", "Asks for confirmation before each change."));
            }
            return cmdlet;
        }

        private static ParameterMetadata RiskParameter(string name, string alias, string description)
        {
            var parameter = new ParameterMetadata
            {
                Name = name, TypeName = "SwitchParameter", TypeFullName = Sma + "SwitchParameter", IsSwitch = true, StandardDescription = description,
            };
            parameter.Aliases.Add(alias);
            parameter.Sets.Add(new ParameterSetMetadata());
            return parameter;
        }

        private static T Named<T>(CustomAttributeData attribute, string name)
        {
            foreach (CustomAttributeNamedArgument argument in attribute.NamedArguments)
                if (argument.MemberName == name) return (T)argument.TypedValue.Value;
            return default;
        }

        /// <summary>params arrays in attribute data come as a collection of typed arguments.</summary>
        private static IEnumerable<object> Flatten(object value)
        {
            if (value is IEnumerable<CustomAttributeTypedArgument> items) return items.Select(i => i.Value);
            return new[] { value };
        }
    }
}
