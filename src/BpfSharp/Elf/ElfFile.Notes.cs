using System.Buffers.Binary;
using System.Text;

namespace BpfSharp.Elf;

public sealed partial class ElfFile
{
    private const int NoteHeaderSize = 12;
    // .note.stapsdt entries: owner "stapsdt", type NT_STAPSDT, descriptor pc, base, semaphore, then three strings.
    private const string StapSdtOwner = "stapsdt";
    private const uint StapSdtNoteType = 3;
    private const int StapSdtAddressesSize = 24;

    private UsdtProbe[]? _usdtProbes;

    /// <summary>
    /// Decodes the notes of a note section (<c>SHT_NOTE</c>). Each entry is a 12-byte header (name size,
    /// descriptor size, type), the owner name and the descriptor, each padded to the section's alignment
    /// (4 bytes, or 8 for 8-aligned sections such as <c>.note.gnu.property</c>).
    /// </summary>
    /// <exception cref="BpfFormatException">An entry extends past the section or its owner name is not terminated.</exception>
    public IReadOnlyList<ElfNote> ReadNotes(ElfSection noteSection)
    {
        CheckOwnSection(noteSection);
        if (noteSection.Type != ElfSectionType.Note)
            throw new ArgumentException($"{Describe(noteSection)} is a {noteSection.Type} section, not a note section", nameof(noteSection));

        ulong align = noteSection.Alignment == 8 ? 8UL : 4UL;
        ReadOnlySpan<byte> data = noteSection.Data.Span;
        ulong length = (ulong)data.Length;
        var notes = new List<ElfNote>();
        ulong offset = 0;
        while (offset < length)
        {
            if (length - offset < NoteHeaderSize)
                throw Malformed($"{Describe(noteSection)}: note {notes.Count} at offset 0x{offset:x} is truncated");
            ReadOnlySpan<byte> header = data.Slice((int)offset, NoteHeaderSize);
            uint nameSize = BinaryPrimitives.ReadUInt32LittleEndian(header);
            uint descriptorSize = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);

            // offset < 2^31 and sizes < 2^32, so none of these sums overflows a ulong.
            ulong nameStart = offset + NoteHeaderSize;
            ulong descriptorStart = AlignUp(nameStart + nameSize, align);
            ulong descriptorEnd = descriptorStart + descriptorSize;
            if (descriptorEnd > length)
                throw Malformed($"{Describe(noteSection)}: note {notes.Count} at offset 0x{offset:x} (name {nameSize} bytes, descriptor {descriptorSize} bytes) extends past the end of the section");

            string owner = "";
            if (nameSize != 0)
            {
                // The name size counts the terminating NUL.
                ReadOnlySpan<byte> name = data.Slice((int)nameStart, (int)nameSize);
                int end = name.IndexOf((byte)0);
                if (end < 0)
                    throw Malformed($"{Describe(noteSection)}: the owner name of note {notes.Count} at offset 0x{offset:x} is not NUL-terminated");
                owner = Encoding.UTF8.GetString(name[..end]);
            }
            notes.Add(new ElfNote(owner, type, noteSection.Data.Slice((int)descriptorStart, (int)descriptorSize)));
            offset = AlignUp(descriptorEnd, align);
        }
        return notes;
    }

    /// <summary>
    /// The USDT probes of every <c>.note.stapsdt</c> section, with addresses adjusted for prelinking. Convert
    /// <see cref="UsdtProbe.Address"/> with <see cref="VirtualAddressToFileOffset"/> and a semaphore with
    /// <see cref="TryVirtualAddressToFileOffset"/> (not executable-only) to get the offsets a uprobe takes.
    /// </summary>
    /// <exception cref="BpfFormatException">A stapsdt note is malformed.</exception>
    public IReadOnlyList<UsdtProbe> UsdtProbes
    {
        get
        {
            UsdtProbe[]? probes = Volatile.Read(ref _usdtProbes);
            if (probes is null)
            {
                probes = ParseUsdtProbes();
                probes = Interlocked.CompareExchange(ref _usdtProbes, probes, null) ?? probes;
            }
            return probes;
        }
    }

    private UsdtProbe[] ParseUsdtProbes()
    {
        // The note records the link-time address of .stapsdt.base; if the section has since moved (prelink),
        // the probe and semaphore addresses move by the same amount.
        ulong actualBase = FindSection(".stapsdt.base")?.Address ?? 0;
        var probes = new List<UsdtProbe>();
        foreach (ElfSection section in _sections)
        {
            if (section.Type != ElfSectionType.Note || section.Name != ".note.stapsdt")
                continue;
            foreach (ElfNote note in ReadNotes(section))
            {
                if (note.Owner != StapSdtOwner || note.Type != StapSdtNoteType)
                    continue;
                ReadOnlySpan<byte> d = note.Descriptor.Span;
                int n = probes.Count;
                if (d.Length < StapSdtAddressesSize)
                    throw Malformed($"{Describe(section)}: USDT note {n} has a {d.Length}-byte descriptor, shorter than its three addresses");
                ulong pc = BinaryPrimitives.ReadUInt64LittleEndian(d);
                ulong recordedBase = BinaryPrimitives.ReadUInt64LittleEndian(d[8..]);
                ulong semaphore = BinaryPrimitives.ReadUInt64LittleEndian(d[16..]);
                ReadOnlySpan<byte> rest = d[StapSdtAddressesSize..];
                string provider = NextNoteString(ref rest, section, n, "provider", required: true);
                string name = NextNoteString(ref rest, section, n, "name", required: true);
                string arguments = NextNoteString(ref rest, section, n, "argument string", required: false);

                if (actualBase != 0 && recordedBase != 0)
                {
                    ulong delta = unchecked(actualBase - recordedBase);
                    pc = unchecked(pc + delta);
                    if (semaphore != 0)
                        semaphore = unchecked(semaphore + delta);
                }
                probes.Add(new UsdtProbe
                {
                    Provider = provider,
                    Name = name,
                    Address = pc,
                    Base = recordedBase,
                    SemaphoreAddress = semaphore,
                    Arguments = arguments,
                });
            }
        }
        return [.. probes];
    }

    private string NextNoteString(ref ReadOnlySpan<byte> rest, ElfSection section, int probe, string what, bool required)
    {
        // A probe without arguments may end right after its name.
        if (rest.IsEmpty && !required)
            return "";
        int end = rest.IndexOf((byte)0);
        if (end < 0)
            throw Malformed($"{Describe(section)}: the {what} of USDT note {probe} is missing or not NUL-terminated");
        string value = Encoding.UTF8.GetString(rest[..end]);
        rest = rest[(end + 1)..];
        return value;
    }

    private static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
}
