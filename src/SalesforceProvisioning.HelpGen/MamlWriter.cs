using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SalesforceProvisioning.HelpGen
{
    /// <summary>Writes the helpItems (MAML) document that Get-Help reads for binary cmdlets.</summary>
    public static class MamlWriter
    {
        private static readonly XNamespace Msh = "http://msh";
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        /// <param name="onlineBase">Where the markdown pages are published ("…/docs/help/"): the first related
        /// link, which Get-Help -Online opens; null for none.</param>
        public static XDocument Write(IEnumerable<(CmdletMetadata Cmdlet, HelpDocument Doc)> items, string onlineBase = null)
        {
            var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
                new XAttribute(XNamespace.Xmlns + "maml", Maml.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "command", Command.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "dev", Dev.NamespaceName));
            foreach (var (cmdlet, doc) in items) root.Add(CommandElement(cmdlet, doc, onlineBase));
            return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        }

        private static XElement CommandElement(CmdletMetadata cmdlet, HelpDocument doc, string onlineBase)
        {
            var links = new List<(string Text, string Uri)>();
            if (onlineBase != null) links.Add(("Online Version:", onlineBase + cmdlet.Name + ".md"));
            links.AddRange(doc.RelatedLinks.Select(l => (l.Text, l.Uri)));
            return new XElement(Command + "command",
                new XElement(Command + "details",
                    new XElement(Command + "name", cmdlet.Name),
                    new XElement(Command + "verb", cmdlet.Verb),
                    new XElement(Command + "noun", cmdlet.Noun),
                    Description(doc.Synopsis)),
                Description(doc.Description),
                new XElement(Command + "syntax", cmdlet.ParameterSets().Select(set => SyntaxItem(cmdlet, doc, set))),
                new XElement(Command + "parameters", cmdlet.Parameters.Select(p => Parameter(p, Text(doc, p), p.Sets.First(), AllSetsRequired(p)))),
                new XElement(Command + "inputTypes", doc.Inputs.Select(i => new XElement(Command + "inputType", DevType(i.TypeName), Description(i.Description)))),
                new XElement(Command + "returnValues", doc.Outputs.Select(o => new XElement(Command + "returnValue", DevType(o.TypeName), Description(o.Description)))),
                new XElement(Command + "examples", doc.Examples.Select((e, i) => new XElement(Command + "example",
                    new XElement(Maml + "title", $"-------------------------- {Title(e.Title, i)} --------------------------"),
                    new XElement(Dev + "code", e.Code),
                    new XElement(Dev + "remarks", e.Remarks.Select(Para))))),
                new XElement(Maml + "relatedLinks", links.Select(l => new XElement(Maml + "navigationLink",
                    new XElement(Maml + "linkText", l.Text),
                    new XElement(Maml + "uri", l.Uri)))));
        }

        private static string Title(string title, int index)
            => title.StartsWith("Example", System.StringComparison.OrdinalIgnoreCase) ? title : $"Example {index + 1}: {title}";

        private static XElement SyntaxItem(CmdletMetadata cmdlet, HelpDocument doc, string set)
        {
            var inSet = cmdlet.Parameters.Select(p => (Parameter: p, Attribute: p.In(set))).Where(x => x.Attribute != null)
                .OrderBy(x => x.Attribute.Position == int.MinValue ? int.MaxValue : x.Attribute.Position)
                .ThenBy(x => x.Attribute.Mandatory ? 0 : 1)
                .ToList();
            return new XElement(Command + "syntaxItem",
                new XElement(Maml + "name", cmdlet.Name),
                inSet.Select(x => Parameter(x.Parameter, Text(doc, x.Parameter), x.Attribute, x.Attribute.Mandatory)));
        }

        private static bool AllSetsRequired(ParameterMetadata p) => p.Sets.All(s => s.Mandatory);

        private static XElement Parameter(ParameterMetadata p, List<string> text, ParameterSetMetadata attribute, bool required)
        {
            var element = new XElement(Command + "parameter",
                new XAttribute("required", required ? "true" : "false"),
                new XAttribute("variableLength", p.IsArray ? "true" : "false"),
                new XAttribute("globbing", p.SupportsWildcards ? "true" : "false"),
                new XAttribute("pipelineInput", attribute.PipelineText),
                new XAttribute("position", attribute.PositionText),
                new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
                new XElement(Maml + "name", p.Name),
                Description(text));
            if (p.EnumValues.Count > 0)
                element.Add(new XElement(Command + "parameterValueGroup", p.EnumValues.Select(v =>
                    new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v))));
            if (!p.IsSwitch)
                element.Add(new XElement(Command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", p.IsArray ? "true" : "false"), p.TypeName));
            element.Add(DevType(p.TypeFullName));
            element.Add(new XElement(Dev + "defaultValue", DefaultValue(p, text)));
            return element;
        }

        /// <summary>
        /// What Get-Help shows as "Default value": the help text's own "(default X)" or "Default: X."
        /// (the cmdlet assembly is never run, so its initializers cannot be read); False for switches; None otherwise.
        /// </summary>
        internal static string DefaultValue(ParameterMetadata p, IEnumerable<string> text)
        {
            string all = string.Join(" ", text);
            // The forms the help texts use: "(default 2000)", "Default: X." or "Default X;", "`Merge` (default)",
            // "`Disable` (..., the default)", "0 (the default)".
            Match m = Regex.Match(all, @"\(default:?\s+(?<v>[^)]+)\)", RegexOptions.IgnoreCase);
            if (!m.Success) m = Regex.Match(all, @"\bDefault:?\s+(?<v>(?!to\b|is\b)[^\s].*?)(?:\.(?=\s|$)|;|$)");
            if (!m.Success) m = Regex.Match(all, @"(?:`(?<v>[^`]+)`|(?<v>[^\s(`]+))\s+\((?:[^)]*,\s*)?(?:the\s+)?default\)", RegexOptions.IgnoreCase);
            if (m.Success) return m.Groups["v"].Value.Replace("`", "").Trim();
            return p.IsSwitch ? "False" : "None";
        }

        private static List<string> Text(HelpDocument doc, ParameterMetadata p)
        {
            if (p.StandardDescription != null) return new List<string> { p.StandardDescription };
            return doc.Parameters.TryGetValue(p.Name, out List<string> text) ? text : new List<string>();
        }

        private static XElement DevType(string name) => new XElement(Dev + "type", new XElement(Maml + "name", name), new XElement(Maml + "uri"));

        private static XElement Description(IEnumerable<string> paragraphs) => new XElement(Maml + "description", paragraphs.Select(Para));

        private static XElement Para(string text) => new XElement(Maml + "para", text);
    }
}
