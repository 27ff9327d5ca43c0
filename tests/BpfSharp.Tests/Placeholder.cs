namespace BpfSharp.Tests;
