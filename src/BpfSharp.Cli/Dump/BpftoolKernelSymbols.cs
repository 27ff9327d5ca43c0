using System.Text;

namespace BpfSharp.Cli.Dump;

/// <summary>
/// <c>/proc/kallsyms</c> as bpftool 7.1 reads it to name call targets, with the same results where its reading is
/// not what one would expect: lines come in 255-byte pieces (<c>fgets</c> into 256 bytes), symbols at address 0 are
/// dropped, all of them when <c>__bpf_call_base</c> is hidden, and both the sort and the look-up compare addresses
/// by the low 32 bits of their difference taken as a signed int. That order is not a total one (per-cpu offsets
/// against kernel text), so which symbols a look-up finds depends on glibc's stable merge sort and binary search,
/// which this class follows step by step.
/// </summary>
internal sealed class BpftoolKernelSymbols
{
    private readonly ulong[] _addresses;
    private readonly string[] _names;

    /// <summary>The address of <c>__bpf_call_base</c> (0 when absent), which a translated helper call is relative to.</summary>
    public ulong CallBase { get; }

    private BpftoolKernelSymbols(ulong[] addresses, string[] names, ulong callBase)
    {
        _addresses = addresses;
        _names = names;
        CallBase = callBase;
    }

    public static BpftoolKernelSymbols Load(string path = "/proc/kallsyms")
    {
        var addresses = new List<ulong>();
        var names = new List<string>();
        ulong callBase = 0;
        byte[] text;
        try { text = File.ReadAllBytes(path); }
        catch (IOException) { return new([], [], 0); }
        catch (UnauthorizedAccessException) { return new([], [], 0); }

        foreach (var piece in Pieces(text))
        {
            if (!TryScan(piece, out ulong address, out string name)) continue;
            if (name == "__bpf_call_base")
            {
                callBase = address;
                if (address == 0) return new([], [], 0); // kptr_restrict: bpftool drops every symbol
            }
            if (address != 0)
            {
                addresses.Add(address);
                names.Add(name);
            }
        }

        var order = Enumerable.Range(0, addresses.Count).ToArray();
        MergeSort(order, new int[order.Length], 0, order.Length, addresses);
        return new([.. order.Select(i => addresses[i])], [.. order.Select(i => names[i])], callBase);
    }

    /// <summary>The name at exactly <paramref name="address"/> as bpftool's look-up finds it, or null.</summary>
    public string? Find(ulong address)
    {
        int low = 0, high = _addresses.Length;
        while (low < high)
        {
            int middle = (int)(((uint)low + (uint)high) / 2);
            int c = Compare(address, _addresses[middle]);
            if (c < 0) high = middle;
            else if (c > 0) low = middle + 1;
            else return _names[middle];
        }
        return null;
    }

    // bpftool's comparator: the difference of two unsigned longs returned as an int.
    private static int Compare(ulong a, ulong b) => unchecked((int)(a - b));

    // glibc's msort_with_tmp: split at n/2, sort both halves, merge taking from the left while it compares <= 0.
    private static void MergeSort(int[] items, int[] scratch, int start, int count, List<ulong> keys)
    {
        if (count <= 1) return;
        int n1 = count / 2, n2 = count - n1;
        MergeSort(items, scratch, start, n1, keys);
        MergeSort(items, scratch, start + n1, n2, keys);
        int left = start, right = start + n1, leftEnd = start + n1, rightEnd = start + count, out_ = 0;
        while (left < leftEnd && right < rightEnd)
            scratch[out_++] = Compare(keys[items[left]], keys[items[right]]) <= 0 ? items[left++] : items[right++];
        while (left < leftEnd) scratch[out_++] = items[left++];
        Array.Copy(scratch, 0, items, start, out_); // what remains of the right half is already in place
    }

    // What successive fgets(buf, 256) calls return: a line, or 255-byte pieces of a longer one.
    private static IEnumerable<ArraySegment<byte>> Pieces(byte[] text)
    {
        int start = 0;
        while (start < text.Length)
        {
            int newline = Array.IndexOf(text, (byte)'\n', start);
            int end = newline < 0 ? text.Length : newline + 1;
            int length = Math.Min(end - start, 255);
            yield return new ArraySegment<byte>(text, start, length);
            start += length;
        }
    }

    // sscanf(piece, "%p %*c %s", &address, name) == 2
    private static bool TryScan(ReadOnlySpan<byte> s, out ulong address, out string name)
    {
        address = 0;
        name = "";
        int i = SkipSpace(s, 0);
        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
        if (i + 1 < s.Length && s[i] == '0' && (s[i + 1] | 0x20) == 'x' && i + 2 < s.Length && IsHex(s[i + 2])) i += 2;
        int digits = i;
        while (i < s.Length && IsHex(s[i]))
            address = address * 16 + (ulong)HexValue(s[i++]);
        if (i == digits) return false;
        if (negative) address = unchecked(0 - address);
        i = SkipSpace(s, i);
        if (i >= s.Length) return false;
        i = SkipSpace(s, i + 1); // %*c: any one character
        int nameStart = i;
        while (i < s.Length && !IsSpace(s[i])) i++;
        if (i == nameStart) return false;
        name = Encoding.UTF8.GetString(s[nameStart..i]);
        return true;
    }

    private static int SkipSpace(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && IsSpace(s[i])) i++;
        return i;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
