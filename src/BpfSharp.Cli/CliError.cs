using System.CommandLine;

namespace BpfSharp.Cli;

/// <summary>A mistake in what the user asked for: reported as one line, exit code 1.</summary>
internal sealed class CliError(string message) : Exception(message);

internal static class Cli
{
    /// <summary>Runs a command's body and turns every failure into one line on standard error and exit code 1.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is BpfException or CliError or IOException or UnauthorizedAccessException
                                       or NotSupportedException or InvalidOperationException or ArgumentException
                                       or KeyNotFoundException or FormatException)
        {
            // BpfVerifierException's message carries the verifier log under its first line.
            Console.Out.Flush();
            Console.Error.WriteLine($"bpfsharp: {e.Message}");
            return 1;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("BPFSHARP_DEBUG") != "1")
        {
            // A bug of the tool: still one line; BPFSHARP_DEBUG=1 lets the stack trace through.
            Console.Out.Flush();
            Console.Error.WriteLine($"bpfsharp: unexpected {e.GetType().Name}: {e.Message} (BPFSHARP_DEBUG=1 shows where)");
            return 2;
        }
    }

    public static void SetGuardedAction(this Command command, Func<ParseResult, int> action) =>
        command.SetAction(result => Guard(() => action(result)));

    public static Option<bool> JsonOption() => new("--json", "-j") { Description = "Print JSON instead of a table (-j, -p/--pretty are also taken anywhere on the line)" };

    /// <summary>Whether the command prints JSON: its own --json, or -j/-p anywhere on the line.</summary>
    public static bool Json(ParseResult r, Option<bool> json) => GlobalOptions.Json || r.GetValue(json);
}
