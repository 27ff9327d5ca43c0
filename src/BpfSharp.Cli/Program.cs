Console.WriteLine("bpfsharp");
