using System.Globalization;

namespace SalesforceProvisioning.Emulator;

/// <summary>How an emulator starts; mirrors the command-line options of the standalone program.</summary>
public sealed class EmulatorOptions
{
    /// <summary>Loopback port to listen on; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Delay added to every API and token request (--latency-ms).</summary>
    public int LatencyMilliseconds { get; set; }

    /// <summary>Delay added per record a request writes (--latency-per-record-ms): a composite of 200 records costs 200 times it.</summary>
    public int LatencyPerRecordMilliseconds { get; set; }

    /// <summary>Seed file replacing the default data (--seed).</summary>
    public string SeedFile { get; set; }

    /// <summary>Seed JSON text replacing the default data; wins over <see cref="SeedFile"/> (in-process use).</summary>
    public string SeedJson { get; set; }

    public int TokenLifetimeSeconds { get; set; } = 7200;

    /// <summary>A refresh grant returns a new refresh token and invalidates the one used (--rotate-refresh-tokens).</summary>
    public bool RotateRefreshTokens { get; set; }

    public long DailyApiLimit { get; set; } = 15000;

    /// <summary>PEM certificate or public key file that jwt-bearer assertions are checked against (--jwt-certificate).</summary>
    public string JwtCertificateFile { get; set; }

    /// <summary>The same as PEM text (in-process use); wins over <see cref="JwtCertificateFile"/>.</summary>
    public string JwtCertificatePem { get; set; }

    /// <summary>The standalone program stops when this process exits (--parent-pid), so no emulator outlives its starter.</summary>
    public int? ParentProcessId { get; set; }

    /// <summary>What --help prints: every option the standalone program takes.</summary>
    public const string Usage =
        "SalesforceProvisioning.Emulator: a local Salesforce org for offline runbook tests.\n" +
        "Prints one JSON line (address and credentials) on stdout, then serves until SIGINT/SIGTERM.\n" +
        "\n" +
        "Options:\n" +
        "  --port N                  loopback port to listen on (0, the default, picks a free one)\n" +
        "  --latency-ms N            delay added to every API and token request (default 0)\n" +
        "  --latency-per-record-ms N delay added per record a request writes (default 0)\n" +
        "  --seed FILE               seed JSON replacing the default data\n" +
        "  --token-lifetime SECONDS  access token lifetime (default 7200)\n" +
        "  --rotate-refresh-tokens   a refresh grant returns a new refresh token and revokes the old one\n" +
        "  --daily-api-limit N       the org's daily API allowance (default 15000)\n" +
        "  --jwt-certificate FILE    PEM certificate or public key that jwt-bearer assertions are checked against\n" +
        "  --parent-pid PID          stop when this process exits\n" +
        "  --help, -h                print this help and exit\n";

    /// <summary>True when the arguments ask for the help text instead of a server.</summary>
    public static bool WantsHelp(IReadOnlyList<string> args)
        => args.Any(a => a == "--help" || a == "-h" || a == "-?" || a == "/?");

    public static EmulatorOptions Parse(IReadOnlyList<string> args)
    {
        var options = new EmulatorOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"Option {name} needs a value.");
            long Number(long min, long max)
            {
                string text = Value();
                if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
                    throw new ArgumentException($"Option {name} needs a whole number from {min} to {max}, not '{text}'.");
                return value;
            }

            switch (name)
            {
                case "--port": options.Port = (int)Number(0, 65535); break;
                case "--latency-ms": options.LatencyMilliseconds = (int)Number(0, 600_000); break;
                case "--latency-per-record-ms": options.LatencyPerRecordMilliseconds = (int)Number(0, 60_000); break;
                case "--seed": options.SeedFile = Value(); break;
                case "--token-lifetime": options.TokenLifetimeSeconds = (int)Number(1, int.MaxValue); break;
                case "--rotate-refresh-tokens": options.RotateRefreshTokens = true; break;
                case "--daily-api-limit": options.DailyApiLimit = Number(0, long.MaxValue); break;
                case "--jwt-certificate": options.JwtCertificateFile = Value(); break;
                case "--parent-pid": options.ParentProcessId = (int)Number(1, int.MaxValue); break;
                default: throw new ArgumentException($"Unknown option '{name}'.\n\n{Usage}");
            }
        }
        return options;
    }
}
