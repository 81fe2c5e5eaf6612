using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// The command line a run records, without the secrets typed into it. A secret is given in one of these
    /// places: an argument of a parameter whose name says it holds a secret (-ClientSecret, -RefreshToken,
    /// -Passphrase, -Password, ...), the value of such a key in a hashtable (splatting) or of such a member or
    /// index ($p.ClientSecret = ..., $p['Password'] = ...), a variable named like a secret, anything handed to
    /// ConvertTo-SecureString (as an argument, colon-bound, piped in or splatted), a NetworkCredential, and a
    /// value set by a name like a secret's (SetEnvironmentVariable, Set-Item Env:..., Set-Variable).
    /// A literal given there is masked; a variable given there is followed to its assignments on the same
    /// line, whose values are masked too. Only what was typed is in the line, so nothing else needs hiding.
    /// </summary>
    internal static class CommandLineRedaction
    {
        internal const string Mask = "<redacted>";
        private static readonly Regex SecretName = new Regex("secret|token|passphrase|password|credential|apikey|privatekey", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        public static string Redact(string line)
        {
            if (string.IsNullOrWhiteSpace(line)) return line?.Trim();
            Ast ast = Parser.ParseInput(line, out _, out _);
            var found = new Secrets();
            foreach (CommandAst command in ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>())
            {
                bool toSecureString = IsCommand(command, "ConvertTo-SecureString");
                var elements = command.CommandElements;
                for (int i = 1; i < elements.Count; i++)
                {
                    if (elements[i] is CommandParameterAst parameter)
                    {
                        bool secretParameter = SecretName.IsMatch(parameter.ParameterName) && !parameter.ParameterName.EndsWith("Variable", StringComparison.OrdinalIgnoreCase);
                        if (!toSecureString && !secretParameter) continue;
                        if (parameter.Argument != null) found.Given(parameter.Argument); // -String:'typed', -ClientSecret:$s
                        else if (secretParameter && i + 1 < elements.Count && !(elements[i + 1] is CommandParameterAst)) found.Given(elements[++i]);
                    }
                    else if (toSecureString && elements[i] is VariableExpressionAst splat && splat.Splatted)
                    {
                        found.SplattedIntoConverter.Add(splat.VariablePath.UserPath);
                    }
                    else if (toSecureString)
                    {
                        found.Given(elements[i]);
                    }
                }
            }
            // 'typed' | ConvertTo-SecureString: what is piped in is a pipeline step of its own.
            foreach (PipelineAst pipeline in ast.FindAll(a => a is PipelineAst, true).Cast<PipelineAst>())
            {
                int converter = pipeline.PipelineElements.ToList().FindIndex(e => e is CommandAst c && IsCommand(c, "ConvertTo-SecureString"));
                for (int i = 0; i < converter; i++)
                    if (pipeline.PipelineElements[i] is CommandExpressionAst value) found.Given(value.Expression);
            }
            // A password typed into a NetworkCredential, by ::new or New-Object: every literal string and variable in it.
            foreach (Ast credential in ast.FindAll(a => (a is InvokeMemberExpressionAst m && m.Expression is TypeExpressionAst t && t.TypeName.FullName.EndsWith("NetworkCredential", StringComparison.OrdinalIgnoreCase))
                                                     || (a is CommandAst c && IsCommand(c, "New-Object") && c.Extent.Text.IndexOf("NetworkCredential", StringComparison.OrdinalIgnoreCase) >= 0), true))
                foreach (Ast value in credential.FindAll(a => IsLiteral(a) || a is VariableExpressionAst, true))
                    found.Given(value);
            // A value set by a name that says it is a secret: [Environment]::SetEnvironmentVariable('PGPASSWORD', ...),
            // Set-Item Env:PGPASSWORD ..., Set-Variable clientSecret ...: everything but the name is masked.
            foreach (InvokeMemberExpressionAst call in ast.FindAll(a => a is InvokeMemberExpressionAst m && m.Member is StringConstantExpressionAst member
                                                                         && string.Equals(member.Value, "SetEnvironmentVariable", StringComparison.OrdinalIgnoreCase), true).Cast<InvokeMemberExpressionAst>())
                if (call.Arguments?.Count >= 2 && NamesSecret(call.Arguments[0])) found.Given(call.Arguments[1]);
            foreach (CommandAst setter in ast.FindAll(a => a is CommandAst c && Setters.Any(s => IsCommand(c, s)), true).Cast<CommandAst>())
            {
                // The name is -Name's or -Path's argument, else the first positional one; the value is -Value's, else the
                // next positional one (the cmdlets' positions 0 and 1).
                Ast name = Named(setter, NameParameters), value = Named(setter, "Value");
                var positional = Positional(setter);
                if (name == null && positional.Count > 0) positional.RemoveAt(0);
                if (value == null && positional.Count > 0) value = positional[0];
                if (NamesSecret(name ?? Positional(setter).FirstOrDefault()) && value != null) found.Given(value);
            }
            foreach (HashtableAst table in ast.FindAll(a => a is HashtableAst, true).Cast<HashtableAst>())
                foreach (var pair in table.KeyValuePairs)
                    if (pair.Item1 is StringConstantExpressionAst key && SecretName.IsMatch(key.Value)) found.Given(pair.Item2);
            found.Assignments(ast);
            return Masked(line, found.Spans);
        }

        /// <summary>What to mask, and the variables a secret was given through (their assignments on the line are masked).</summary>
        private sealed class Secrets
        {
            public List<IScriptExtent> Spans { get; } = new List<IScriptExtent>();
            private readonly HashSet<string> _variables = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            public HashSet<string> SplattedIntoConverter { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

            /// <summary>A value given as a secret: masked when typed, followed when a variable.</summary>
            public void Given(Ast value)
            {
                if (Unwrapped(value) is VariableExpressionAst variable)
                {
                    if (!variable.Splatted) _variables.Add(variable.VariablePath.UserPath);
                    return;
                }
                Spans.Add(value.Extent);
            }

            /// <summary>
            /// The values assigned to a variable, member or key named like a secret ($secret = 'x', $p.ClientSecret = 'x',
            /// $p['Password'] = 'x') or to a variable a secret was given through, and every literal in what a variable
            /// splatted into ConvertTo-SecureString holds ($p = @{ String = 'x'; ... }; ConvertTo-SecureString @p).
            /// </summary>
            public void Assignments(Ast ast)
            {
                var assignments = ast.FindAll(a => a is AssignmentStatementAst, true).Cast<AssignmentStatementAst>().ToList();
                // $plain = 'x'; $copy = $plain; ... -ClientSecret (ConvertTo-SecureString $copy ...): follow copies back.
                bool more = true;
                while (more)
                {
                    more = false;
                    foreach (AssignmentStatementAst assignment in assignments)
                        if (IsSecret(assignment) && Unwrapped(assignment.Right) is VariableExpressionAst source && !source.Splatted)
                            more |= _variables.Add(source.VariablePath.UserPath);
                }
                foreach (AssignmentStatementAst assignment in assignments)
                {
                    if (IsSecret(assignment))
                    {
                        if (!(Unwrapped(assignment.Right) is VariableExpressionAst)) Spans.Add(assignment.Right.Extent);
                    }
                    else if (TargetVariable(assignment) is string variable && SplattedIntoConverter.Contains(variable))
                    {
                        foreach (Ast value in LiteralsIn(assignment.Right)) Spans.Add(value.Extent);
                    }
                }
            }

            private bool IsSecret(AssignmentStatementAst assignment)
            {
                ExpressionAst target = Target(assignment);
                string variable = TargetVariable(assignment);
                string key = target is MemberExpressionAst member ? (member.Member as StringConstantExpressionAst)?.Value
                           : target is IndexExpressionAst index ? (index.Index as StringConstantExpressionAst)?.Value : null;
                string holder = ((target as MemberExpressionAst)?.Expression ?? (target as IndexExpressionAst)?.Target) is VariableExpressionAst v ? v.VariablePath.UserPath : null;
                return (variable != null && (SecretName.IsMatch(variable) || _variables.Contains(variable)))
                       || (key != null && SecretName.IsMatch(key)) || (holder != null && SplattedIntoConverter.Contains(holder));
            }

            private static ExpressionAst Target(AssignmentStatementAst assignment)
            {
                ExpressionAst target = assignment.Left;
                while (target is AttributedExpressionAst typed) target = typed.Child; // [hashtable]$p = ...
                return target;
            }

            private static string TargetVariable(AssignmentStatementAst assignment) => (Target(assignment) as VariableExpressionAst)?.VariablePath.UserPath;
        }

        /// <summary>Commands that set a value by its name (an environment variable's path, a variable's name), with their aliases.</summary>
        private static readonly string[] Setters = { "Set-Item", "si", "New-Item", "ni", "Set-Variable", "sv", "set", "New-Variable", "nv" };

        private static readonly string[] NameParameters = { "Name", "Path", "LiteralPath" };

        /// <summary>The argument of the first of these parameters given (by any unambiguous prefix, -Name or -N), or null.</summary>
        private static Ast Named(CommandAst command, params string[] parameters)
        {
            var elements = command.CommandElements;
            for (int i = 1; i < elements.Count; i++)
                if (elements[i] is CommandParameterAst p && p.ParameterName.Length > 0 && parameters.Any(n => n.StartsWith(p.ParameterName, StringComparison.OrdinalIgnoreCase)))
                    return p.Argument ?? (i + 1 < elements.Count && !(elements[i + 1] is CommandParameterAst) ? elements[i + 1] : null);
            return null;
        }

        /// <summary>The arguments given by position: those that follow no parameter (a switch takes none).</summary>
        private static List<Ast> Positional(CommandAst command)
        {
            var positional = new List<Ast>();
            var elements = command.CommandElements;
            for (int i = 1; i < elements.Count; i++)
            {
                if (elements[i] is CommandParameterAst p)
                {
                    if (p.Argument == null && !Switches.Any(s => s.StartsWith(p.ParameterName, StringComparison.OrdinalIgnoreCase)) && i + 1 < elements.Count && !(elements[i + 1] is CommandParameterAst)) i++;
                    continue;
                }
                positional.Add(elements[i]);
            }
            return positional;
        }

        /// <summary>The setters' switch parameters (and the common ones), which take no argument.</summary>
        private static readonly string[] Switches = { "Force", "PassThru", "WhatIf", "Confirm", "Verbose", "Debug" };

        private static bool NamesSecret(Ast name) => name is StringConstantExpressionAst s && SecretName.IsMatch(s.Value);

        private static bool IsCommand(CommandAst command, string name) => string.Equals(command.GetCommandName(), name, StringComparison.OrdinalIgnoreCase);

        private static bool IsLiteral(Ast value) => value is StringConstantExpressionAst s && s.StringConstantType != StringConstantType.BareWord || value is ExpandableStringExpressionAst;

        /// <summary>What a splatted variable is given: each hashtable value that is not a variable ($true stays), else each literal.</summary>
        private static IEnumerable<Ast> LiteralsIn(Ast value)
        {
            var tables = value.FindAll(a => a is HashtableAst, true).Cast<HashtableAst>().ToList();
            if (tables.Count > 0) return tables.SelectMany(t => t.KeyValuePairs).Select(p => (Ast)p.Item2).Where(v => !(Unwrapped(v) is VariableExpressionAst));
            return value.FindAll(IsLiteral, true);
        }

        /// <summary>The expression a statement or parenthesis holds ('x', ('x'), $s), or the value itself.</summary>
        private static Ast Unwrapped(Ast value)
        {
            while (true)
            {
                Ast inner = value is PipelineAst p ? p.GetPureExpression() : value is CommandExpressionAst c ? c.Expression : value is ParenExpressionAst paren ? paren.Pipeline : null;
                if (inner == null) return value;
                value = inner;
            }
        }

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
