using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// A host that keeps the lines PowerShell writes to it (the "What if: ..." lines -WhatIf prints go to the
    /// host, not to a stream), so a test can read what a user sees in the console. It cannot prompt.
    /// </summary>
    public sealed class RecordingHost : PSHost
    {
        private readonly RecordingUserInterface _ui = new RecordingUserInterface();

        /// <summary>The whole lines written so far, oldest first.</summary>
        public IReadOnlyList<string> Lines => _ui.Lines;

        public void ClearLines() => _ui.Clear();

        public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override string Name => "RecordingHost";
        public override PSHostUserInterface UI => _ui;
        public override Version Version => new Version(1, 0);
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public override void SetShouldExit(int exitCode) { }

        private sealed class RecordingUserInterface : PSHostUserInterface
        {
            private readonly List<string> _lines = new List<string>();
            private string _partial = "";

            public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToArray(); } }

            public void Clear() { lock (_lines) { _lines.Clear(); _partial = ""; } }

            private void Add(string text)
            {
                lock (_lines)
                {
                    string[] parts = (_partial + text).Replace("\r\n", "\n").Split('\n');
                    for (int i = 0; i < parts.Length - 1; i++) _lines.Add(parts[i]);
                    _partial = parts[parts.Length - 1];
                }
            }

            public override PSHostRawUserInterface RawUI => null;
            public override void Write(string value) => Add(value);
            public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Add(value);
            public override void WriteLine(string value) => Add(value + "\n");
            public override void WriteErrorLine(string value) { }
            public override void WriteDebugLine(string message) { }
            public override void WriteVerboseLine(string message) { }
            public override void WriteWarningLine(string message) { }
            public override void WriteProgress(long sourceId, ProgressRecord record) { }
            public override string ReadLine() => throw new NotSupportedException("This host cannot prompt.");
            public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("This host cannot prompt.");
            public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException("This host cannot prompt.");
            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException("This host cannot prompt.");
            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException("This host cannot prompt.");
            public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw new NotSupportedException("This host cannot prompt.");
        }
    }
}
