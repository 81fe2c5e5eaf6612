using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// The command line a run records, without the secrets typed into it: the arguments of parameters
    /// whose names say they hold a secret (-ClientSecret, -RefreshToken, -Passphrase, -Password, ...),
    /// the values of such keys in hashtables (splatting), every literal handed to ConvertTo-SecureString (as an
    /// argument, colon-bound, or piped in) and every literal string typed into a NetworkCredential.
    /// Variables stay as they are: only what was typed is in the line.
    /// </summary>
    internal static class CommandLineRedaction
    {
        internal const string Mask = "<redacted>";
        private static readonly Regex SecretName = new Regex("secret|token|passphrase|password|credential|apikey|privatekey", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        public static string Redact(string line)
        {
            if (string.IsNullOrWhiteSpace(line)) return line?.Trim();
            Ast ast = Parser.ParseInput(line, out _, out _);
            var spans = new List<IScriptExtent>();
            foreach (CommandAst command in ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>())
            {
                bool toSecureString = string.Equals(command.GetCommandName(), "ConvertTo-SecureString", StringComparison.OrdinalIgnoreCase);
                var elements = command.CommandElements;
                for (int i = 1; i < elements.Count; i++)
                {
                    if (elements[i] is CommandParameterAst parameter)
                    {
                        if (toSecureString && parameter.Argument != null && !(parameter.Argument is VariableExpressionAst))
                        {
                            spans.Add(parameter.Argument.Extent); // -String:'typed'
                            continue;
                        }
                        if (!SecretName.IsMatch(parameter.ParameterName) || parameter.ParameterName.EndsWith("Variable", StringComparison.OrdinalIgnoreCase)) continue;
                        if (parameter.Argument != null) spans.Add(parameter.Argument.Extent);
                        else if (i + 1 < elements.Count && !(elements[i + 1] is CommandParameterAst)) spans.Add(elements[++i].Extent);
                    }
                    else if (toSecureString && !(elements[i] is VariableExpressionAst))
                    {
                        spans.Add(elements[i].Extent);
                    }
                }
            }
            // 'typed' | ConvertTo-SecureString: the literal is a pipeline step of its own.
            foreach (PipelineAst pipeline in ast.FindAll(a => a is PipelineAst, true).Cast<PipelineAst>())
            {
                int converter = pipeline.PipelineElements.ToList().FindIndex(e => e is CommandAst c
                    && string.Equals(c.GetCommandName(), "ConvertTo-SecureString", StringComparison.OrdinalIgnoreCase));
                for (int i = 0; i < converter; i++)
                    if (pipeline.PipelineElements[i] is CommandExpressionAst value && !(value.Expression is VariableExpressionAst)) spans.Add(value.Extent);
            }
            // A password typed into a NetworkCredential, by ::new or New-Object: every literal string in it.
            foreach (Ast credential in ast.FindAll(a => (a is InvokeMemberExpressionAst m && m.Expression is TypeExpressionAst t && t.TypeName.FullName.EndsWith("NetworkCredential", StringComparison.OrdinalIgnoreCase))
                                                     || (a is CommandAst c && string.Equals(c.GetCommandName(), "New-Object", StringComparison.OrdinalIgnoreCase) && c.Extent.Text.IndexOf("NetworkCredential", StringComparison.OrdinalIgnoreCase) >= 0), true))
                foreach (Ast literal in credential.FindAll(a => a is StringConstantExpressionAst s && s.StringConstantType != StringConstantType.BareWord || a is ExpandableStringExpressionAst, true))
                    spans.Add(literal.Extent);
            foreach (HashtableAst table in ast.FindAll(a => a is HashtableAst, true).Cast<HashtableAst>())
                foreach (var pair in table.KeyValuePairs)
                    if (pair.Item1 is StringConstantExpressionAst key && SecretName.IsMatch(key.Value)) spans.Add(pair.Item2.Extent);
            spans.AddRange(AssignedSecrets(ast));

            return Masked(line, spans);
        }

        /// <summary>
        /// Secrets typed into assignments: the value of a variable, member or key named like a secret
        /// ($secret = 'x', $p.ClientSecret = 'x', $p['Password'] = 'x'), and every literal in what a
        /// variable splatted into ConvertTo-SecureString holds ($p = @{ String = 'x'; ... }; ConvertTo-SecureString @p).
        /// </summary>
        private static IEnumerable<IScriptExtent> AssignedSecrets(Ast ast)
        {
            var splattedIntoConverter = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (CommandAst command in ast.FindAll(a => a is CommandAst c && string.Equals(c.GetCommandName(), "ConvertTo-SecureString", StringComparison.OrdinalIgnoreCase), true).Cast<CommandAst>())
                foreach (VariableExpressionAst splat in command.CommandElements.OfType<VariableExpressionAst>().Where(v => v.Splatted))
                    splattedIntoConverter.Add(splat.VariablePath.UserPath);

            foreach (AssignmentStatementAst assignment in ast.FindAll(a => a is AssignmentStatementAst, true).Cast<AssignmentStatementAst>())
            {
                ExpressionAst target = assignment.Left;
                while (target is AttributedExpressionAst typed) target = typed.Child; // [hashtable]$p = ...
                string variable = (target as VariableExpressionAst)?.VariablePath.UserPath;
                string key = target is MemberExpressionAst member ? (member.Member as StringConstantExpressionAst)?.Value
                           : target is IndexExpressionAst index ? (index.Index as StringConstantExpressionAst)?.Value : null;
                string holder = ((target as MemberExpressionAst)?.Expression ?? (target as IndexExpressionAst)?.Target) is VariableExpressionAst v ? v.VariablePath.UserPath : null;
                bool secretNamed = (variable != null && SecretName.IsMatch(variable)) || (key != null && SecretName.IsMatch(key));
                if (secretNamed || (holder != null && splattedIntoConverter.Contains(holder)))
                {
                    if (!IsVariable(assignment.Right)) yield return assignment.Right.Extent;
                }
                else if (variable != null && splattedIntoConverter.Contains(variable))
                {
                    foreach (Ast value in LiteralsIn(assignment.Right)) yield return value.Extent;
                }
            }
        }

        /// <summary>What a splatted variable is given: each hashtable value that is not a variable ($true stays), else each literal.</summary>
        private static IEnumerable<Ast> LiteralsIn(Ast value)
        {
            var tables = value.FindAll(a => a is HashtableAst, true).Cast<HashtableAst>().ToList();
            if (tables.Count > 0) return tables.SelectMany(t => t.KeyValuePairs).Select(p => (Ast)p.Item2).Where(v => !IsVariable(v));
            return value.FindAll(a => a is StringConstantExpressionAst s && s.StringConstantType != StringConstantType.BareWord || a is ExpandableStringExpressionAst, true);
        }

        private static bool IsVariable(Ast value)
            => (value is PipelineAst p ? p.GetPureExpression() : value is CommandExpressionAst c ? c.Expression : value) is VariableExpressionAst;

        private static string Masked(string line, List<IScriptExtent> spans)
        {
            string redacted = line;
            int kept = int.MaxValue;
            // From the end, so earlier offsets stay valid; a span inside one already masked is skipped.
            foreach (IScriptExtent span in spans.OrderByDescending(s => s.EndOffset).ThenBy(s => s.StartOffset))
            {
                if (span.EndOffset > kept) continue;
                redacted = redacted.Substring(0, span.StartOffset) + Mask + redacted.Substring(span.EndOffset);
                kept = span.StartOffset;
            }
            return redacted.Trim();
        }
    }
}
