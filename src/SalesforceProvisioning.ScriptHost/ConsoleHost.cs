using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace SalesforceProvisioning.ScriptHost
{
    /// <summary>The smallest PowerShell host that prints every stream to the console; it never prompts.</summary>
    internal sealed class ConsoleHost : PSHost
    {
        private readonly ConsoleUserInterface _ui = new ConsoleUserInterface();

        public int? ExitCode { get; private set; }
        public override string Name => "SalesforceProvisioning.ScriptHost";
        public override Version Version => new Version(1, 0);
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override PSHostUserInterface UI => _ui;
        public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
        public override void SetShouldExit(int exitCode) => ExitCode = exitCode;
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
    }

    internal sealed class ConsoleUserInterface : PSHostUserInterface
    {
        private readonly ConsoleRawUserInterface _raw = new ConsoleRawUserInterface();

        public override PSHostRawUserInterface RawUI => _raw;
        private static readonly System.Text.RegularExpressions.Regex Ansi = new System.Text.RegularExpressions.Regex("\u001b\\[[0-9;]*m");
        private static readonly bool Plain = Console.IsOutputRedirected || Environment.GetEnvironmentVariable("NO_COLOR") != null;

        private static string Render(string value) => Plain && value != null ? Ansi.Replace(value, "") : value;

        public override void Write(string value) => Console.Write(Render(value));
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Console.Write(Render(value));
        public override void WriteLine(string value) => Console.WriteLine(Render(value));
        public override void WriteErrorLine(string value) => Console.Error.WriteLine(value);
        public override void WriteDebugLine(string message) => Console.WriteLine("DEBUG: " + message);
        public override void WriteVerboseLine(string message) => Console.WriteLine("VERBOSE: " + message);
        public override void WriteWarningLine(string message) => Console.WriteLine("WARNING: " + message);
        public override void WriteInformation(InformationRecord record) => Console.WriteLine(record.MessageData);
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override string ReadLine() => throw NoPrompts();
        public override SecureString ReadLineAsSecureString() => throw NoPrompts();
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw NoPrompts();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw NoPrompts();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw NoPrompts();
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw NoPrompts();

        private static Exception NoPrompts() => new PSInvalidOperationException("This host runs scripts unattended and cannot prompt; pass -Confirm:$false or the values the script needs.");
    }

    internal sealed class ConsoleRawUserInterface : PSHostRawUserInterface
    {
        private static int Width => Console.IsOutputRedirected ? 160 : Math.Max(80, Console.WindowWidth);

        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override Size BufferSize { get => new Size(Width, 9999); set { } }
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new Size(Width, 100);
        public override Size MaxWindowSize => new Size(Width, 100);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get => new Size(Width, 50); set { } }
        public override string WindowTitle { get; set; } = "";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
