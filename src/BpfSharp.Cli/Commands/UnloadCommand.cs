using System.CommandLine;
using BpfSharp.Cli.Run;

namespace BpfSharp.Cli.Commands;

/// <summary><c>bpfsharp unload DIR</c>: detach and remove what a <c>run --pin DIR --keep</c> left there.</summary>
internal static class UnloadCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "The bpffs directory given to 'run --pin DIR --keep'" };
        var command = new Command("unload", "Detach the links and remove the pins that 'run --pin DIR --keep' left under DIR") { dir };
        command.SetGuardedAction(r => Unloader.Unload(r.GetValue(dir)!));
        return command;
    }
}
