using BpfSharp;

// The bpfsharp tool. For now it lists the system's BPF programs and maps; `run`, `link`, `object` and the
// rest of the commands come with their issues.
return args switch
{
    [] or ["list"] => ListAll(),
    ["prog", "list"] => ListPrograms(),
    ["map", "list"] => ListMaps(),
    ["--help"] or ["-h"] or ["help"] => Usage(0),
    _ => Usage(2),
};

static int ListAll()
{
    int r = ListPrograms();
    Console.WriteLine();
    return r | ListMaps();
}

static int ListPrograms()
{
    return Guard(() =>
    {
        Console.WriteLine($"{"ID",6}  {"TYPE",-18} {"NAME",-16} {"TAG",-16}  MAPS");
        foreach (var id in BpfProgram.EnumerateIds())
        {
            BpfProgramInfo info;
            try
            {
                using var prog = BpfProgram.FromId(id);
                info = prog.GetInfo();
            }
            catch (BpfException e) when (e.ErrnoName == "ENOENT")
            {
                continue; // unloaded between listing and opening
            }
            Console.WriteLine($"{info.Id,6}  {info.Type,-18} {info.Name,-16} {info.Tag,-16}  {string.Join(',', info.MapIds)}");
        }
    });
}

static int ListMaps()
{
    return Guard(() =>
    {
        Console.WriteLine($"{"ID",6}  {"TYPE",-18} {"NAME",-16} {"KEY",5} {"VALUE",6} {"ENTRIES",8}");
        foreach (var id in BpfMap.EnumerateIds())
        {
            BpfMapInfo info;
            try
            {
                using var map = BpfMap.FromId(id);
                info = map.GetInfo();
            }
            catch (BpfException e) when (e.ErrnoName == "ENOENT")
            {
                continue;
            }
            Console.WriteLine($"{info.Id,6}  {info.Type,-18} {info.Name,-16} {info.KeySize,5} {info.ValueSize,6} {info.MaxEntries,8}");
        }
    });
}

static int Guard(Action action)
{
    try
    {
        action();
        return 0;
    }
    catch (BpfException e)
    {
        Console.Error.WriteLine($"bpfsharp: {e.Message}");
        return 1;
    }
}

static int Usage(int code)
{
    (code == 0 ? Console.Out : Console.Error).WriteLine("""
        usage: bpfsharp [list]        list the system's BPF programs and maps
               bpfsharp prog list     list loaded programs
               bpfsharp map list      list maps
        """);
    return code;
}
