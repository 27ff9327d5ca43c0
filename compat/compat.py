#!/usr/bin/env python3
"""Compatibility harness: BPF programs nobody on this project wrote, through BpfSharp and through libbpf.

  compat/compat.py prepare [--corpus C]...     on the host, as root, with network: packages, the libbpf oracle,
                                                the corpora, the BpfSharp runner (cached; a second run costs nothing)
  compat/compat.py run [--corpus C]... [--out DIR] [--markdown FILE] [--no-build] [--timeout S]
                                                both sides on this kernel, compared; exits 1 when libbpf loads or
                                                attaches a program BpfSharp does not, or BpfSharp crashes or hangs
  compat/compat.py objects [--corpus C]... [--both-load]
                                                the corpus objects, one path a line; with --both-load only those
                                                both sides loaded whole in the last run (bench/compare.sh)

Corpora (docs/COMPATIBILITY.md): libbpf-tools (the BPF objects embedded in Debian's libbpf-tools executables)
and selftests (tools/testing/selftests/bpf/progs/*.c of Debian's linux-source-6.1, compiled with clang-19
against the vmlinux.h of the same Debian kernel). The oracle is libbpf built statically from that same source
tree and compat/loader.c; the BpfSharp side is compat/BpfSharp.Compat. Both read object paths on stdin and
print one line per attempt (the format is at the top of compat/loader.c). Each side runs as one process per
corpus (a .NET start costs seconds under emulation); when it crashes or stops answering for --timeout seconds,
the attempt it was on is recorded as CRASH/HANG and a new process resumes after it.

Everything built lives under $BPFSHARP_COMPAT_CACHE (default /var/cache/bpfsharp-compat), keyed by package
version, so `run` needs no network and works on a read-only host tree (the CI guests).
"""
import argparse
import hashlib
import os
import select
import shutil
import struct
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("BPFSHARP_COMPAT_CACHE", "/var/cache/bpfsharp-compat")
CORPORA = ("libbpf-tools", "selftests")
PACKAGES = ("libbpf-tools", "linux-source-6.1", "clang-19", "libelf-dev", "zlib1g-dev", "bpftool", "make", "gcc", "xz-utils")
RUNNER = os.path.join(REPO, "compat/BpfSharp.Compat/bin/Release/net10.0/BpfSharp.Compat")


def log(msg):
    print(f"compat: {msg}", file=sys.stderr, flush=True)


def sh(*args, **kw):
    return subprocess.run(args, check=True, **kw)


def package_version(name):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}", name], capture_output=True, text=True)
    parts = r.stdout.split()
    return parts[-1] if r.returncode == 0 and "installed" in parts else None


# ---------------------------------------------------------------- cache layout (one place)

def source_dir():
    """The linux-source-6.1 tree's cache: its tools/, the static libbpf, vmlinux.h, the oracle, the selftests."""
    version = package_version("linux-source-6.1")
    if version is None:
        sys.exit("compat: linux-source-6.1 is not installed: run compat/compat.py prepare on the host first")
    return os.path.join(CACHE, f"linux-source-{version}")


def tools_dir():
    version = package_version("libbpf-tools")
    if version is None:
        sys.exit("compat: libbpf-tools is not installed: run compat/compat.py prepare on the host first")
    return os.path.join(CACHE, f"libbpf-tools-{version}")


def loader_path():
    """The oracle binary, keyed by loader.c's content as well as by the source tree."""
    with open(os.path.join(REPO, "compat/loader.c"), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    return os.path.join(source_dir(), f"loader-{digest}")


def corpus_objects(corpus):
    d = os.path.join(tools_dir(), "objects") if corpus == "libbpf-tools" else os.path.join(source_dir(), "selftests")
    if not os.path.exists(os.path.join(d, ".done")):
        sys.exit(f"compat: corpus {corpus} is not built ({d}): run compat/compat.py prepare on the host first")
    return sorted(os.path.join(d, n) for n in os.listdir(d) if n.endswith(".bpf.o"))


# ---------------------------------------------------------------- prepare

def install_packages():
    missing = [p for p in PACKAGES if package_version(p) is None]
    if not missing:
        return
    log(f"installing {' '.join(missing)}")
    sh("apt-get", "update", "-qq")
    sh("apt-get", "install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=600", *missing,
       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), stdout=subprocess.DEVNULL)


def done(d):
    return os.path.exists(os.path.join(d, ".done"))


def mark_done(d):
    open(os.path.join(d, ".done"), "w").close()


def prepare_source():
    """Extracts tools/ of the kernel tree and builds libbpf statically from it (tools/lib/bpf)."""
    src = source_dir()
    tree = os.path.join(src, "linux")
    if not done(tree):
        log(f"extracting tools/ of /usr/src/linux-source-6.1.tar.xz into {tree}")
        shutil.rmtree(tree, ignore_errors=True)
        os.makedirs(tree)
        sh("tar", "-xJf", "/usr/src/linux-source-6.1.tar.xz", "-C", tree, "--strip-components=1",
           "linux-source-6.1/tools", "linux-source-6.1/scripts/bpf_doc.py", "linux-source-6.1/include/uapi/linux/bpf.h")
        mark_done(tree)
    libbpf = os.path.join(src, "libbpf")
    if not done(libbpf):
        log("building libbpf (static) from the tree's tools/lib/bpf")
        shutil.rmtree(libbpf, ignore_errors=True)
        os.makedirs(os.path.join(libbpf, "build"))
        sh("make", "-s", "-j2", "-C", os.path.join(tree, "tools/lib/bpf"), "BUILD_STATIC_ONLY=1",
           f"OUTPUT={libbpf}/build/", f"DESTDIR={libbpf}", "prefix=", "install_headers", "install_lib")
        mark_done(libbpf)
    loader = loader_path()
    if not os.path.exists(loader):
        log(f"building the oracle {loader}")
        sh("gcc", "-O2", "-Wall", "-Werror", "-I", os.path.join(libbpf, "include"), "-o", loader + ".tmp",
           os.path.join(REPO, "compat/loader.c"), os.path.join(libbpf, "lib64/libbpf.a"), "-lelf", "-lz")
        os.rename(loader + ".tmp", loader)


def prepare_vmlinux_h():
    """vmlinux.h of the Debian kernel built from the same source version (the kernel the 6.1 guest boots):
    its image package is downloaded (not installed), the ELF kernel taken out of the bzImage, its BTF dumped."""
    src = source_dir()
    header = os.path.join(src, "vmlinux", "vmlinux.h")
    if os.path.exists(header):
        return os.path.dirname(header)
    work = os.path.join(src, "vmlinux.tmp")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    version = package_version("linux-source-6.1")
    image = subprocess.run(["apt-cache", "depends", "linux-image-amd64"], capture_output=True, text=True, check=True).stdout
    package = next(line.split()[-1] for line in image.splitlines() if "Depends: linux-image-" in line)
    log(f"vmlinux.h: downloading {package}={version} (not installed)")
    sh("apt-get", "download", "-q", f"{package}={version}", cwd=work, stdout=subprocess.DEVNULL)
    deb = next(os.path.join(work, n) for n in os.listdir(work) if n.endswith(".deb"))
    kver = package[len("linux-image-"):]
    sh("sh", "-c", f'dpkg-deb --fsys-tarfile "$1" | tar -xf - -C "$2" ./boot/vmlinuz-{kver}', "-", deb, work)
    sh(os.path.join(REPO, "scripts/guest/extract-vmlinux.sh"), os.path.join(work, f"boot/vmlinuz-{kver}"), os.path.join(work, "vmlinux"))
    with open(os.path.join(work, "vmlinux.h"), "w") as out:
        sh("bpftool", "btf", "dump", "file", os.path.join(work, "vmlinux"), "format", "c", stdout=out)
    final = os.path.dirname(header)
    shutil.rmtree(final, ignore_errors=True)
    os.makedirs(final)
    os.rename(os.path.join(work, "vmlinux.h"), header)
    shutil.rmtree(work)
    return final


def prepare_selftests():
    src = source_dir()
    out = os.path.join(src, "selftests")
    if done(out):
        return
    vmlinux = prepare_vmlinux_h()
    os.makedirs(out, exist_ok=True)
    log("compiling tools/testing/selftests/bpf/progs/*.c with clang-19 (make -j2; a few minutes)")
    start = time.time()
    r = subprocess.run(["timeout", "1800", "make", "-s", "-k", "-j2", "-f", os.path.join(REPO, "compat/selftests.mk"),
                        f"SELFTESTS={src}/linux/tools/testing/selftests/bpf", f"LIBBPF_INCLUDE={src}/libbpf/include",
                        f"VMLINUX_DIR={vmlinux}", f"OUT={out}"])
    if r.returncode != 0:
        sys.exit(f"compat: compiling the selftests failed or took over 30 minutes (make: {r.returncode})")
    # The list of what was left out, with clang's reason, is part of the corpus.
    with open(os.path.join(out, "skipped.tsv"), "w") as f:
        for name in sorted(n for n in os.listdir(out) if n.endswith(".err")):
            with open(os.path.join(out, name)) as e:
                f.write(f"{name[:-4]}.c\t{e.read().strip()}\n")
    log(f"selftests compiled in {time.time() - start:.0f}s")
    mark_done(out)


def extract_bpf_elves(data):
    """Every ELF image with e_machine EM_BPF inside data, found by its header and sized by its section table."""
    found, at = [], data.find(b"\x7fELF")
    while at >= 0:
        header = data[at:at + 64]
        # ELFCLASS64, little-endian, version 1, EM_BPF (247)
        if len(header) == 64 and header[4] == 2 and header[5] == 1 and header[6] == 1 \
                and struct.unpack_from("<H", header, 18)[0] == 247:
            shoff, = struct.unpack_from("<Q", header, 0x28)
            shentsize, shnum = struct.unpack_from("<HH", header, 0x3A)
            end = shoff + shentsize * shnum
            for i in range(shnum):
                sh_type, = struct.unpack_from("<I", data, at + shoff + i * shentsize + 4)
                sh_offset, sh_size = struct.unpack_from("<QQ", data, at + shoff + i * shentsize + 24)
                if sh_type != 8:  # SHT_NOBITS has no bytes in the file
                    end = max(end, sh_offset + sh_size)
            found.append(data[at:at + end])
            at = data.find(b"\x7fELF", at + end)
        else:
            at = data.find(b"\x7fELF", at + 1)
    return found


def prepare_libbpf_tools():
    out = os.path.join(tools_dir(), "objects")
    if done(out):
        return
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    files = subprocess.run(["dpkg", "-L", "libbpf-tools"], capture_output=True, text=True, check=True).stdout.split()
    seen = set()
    for path in sorted(files):
        # Several names are links to one executable (ext4dist -> fsdist): each image once, under its file's name.
        if not path.startswith("/usr/sbin/") or not os.path.isfile(path) or os.path.realpath(path) in seen:
            continue
        seen.add(os.path.realpath(path))
        with open(os.path.realpath(path), "rb") as f:
            elves = extract_bpf_elves(f.read())
        name = os.path.basename(os.path.realpath(path))
        for i, elf in enumerate(elves):
            with open(os.path.join(out, f"{name}.bpf.o" if len(elves) == 1 else f"{name}.{i}.bpf.o"), "wb") as f:
                f.write(elf)
    log(f"libbpf-tools: {len(os.listdir(out))} BPF objects from {len(seen)} executables")
    mark_done(out)


def build_runner():
    log("building compat/BpfSharp.Compat (Release)")
    sh("dotnet", "build", os.path.join(REPO, "compat/BpfSharp.Compat"), "-c", "Release", "-nologo", "-clp:ErrorsOnly", "-v:q",
       stdout=subprocess.DEVNULL)


def prepare(args):
    install_packages()
    os.makedirs(CACHE, exist_ok=True)
    prepare_source()
    if "libbpf-tools" in args.corpus:
        prepare_libbpf_tools()
    if "selftests" in args.corpus:
        prepare_selftests()
    if not args.no_build:
        build_runner()


# ---------------------------------------------------------------- run one side

def run_side(label, command, objects, timeout, skip):
    """Runs one side over every object, in as few processes as crashes allow, leaving out the programs skip names
    per object. Returns {(object, program): fields}."""
    results, skip = {}, {o: set(names) for o, names in skip.items()}
    remaining = list(objects)
    processes = 0
    while remaining:
        processes += 1
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        lines = "".join(o + "".join("\t" + p for p in sorted(skip.get(o, ()))) + "\n" for o in remaining).encode()

        def feed():
            try:
                proc.stdin.write(lines)
                proc.stdin.close()
            except BrokenPipeError:
                pass
        threading.Thread(target=feed, daemon=True).start()
        current, buffer, outcome = None, b"", None
        while outcome is None:
            ready, _, _ = select.select([proc.stdout], [], [], timeout)
            if not ready:
                proc.kill()
                outcome = "HANG"
                break
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                outcome = "EOF"
                break
            buffer += chunk
            *complete, buffer = buffer.split(b"\n")
            for raw in complete:
                f = raw.decode(errors="replace").split("\t")
                if f[0] == "B":
                    current = (f[1], f[2])
                elif f[0] == "R" and len(f) == 8:
                    results[(f[1], f[2])] = dict(section=f[3], load=f[4], attach=f[5], load_error=f[6], attach_error=f[7])
                    skip.setdefault(f[1], set()).add(f[2])
                    current = None
        rc = proc.wait()
        if outcome == "EOF" and rc == 0 and current is None:
            break
        if current is None:
            # Died between attempts: nothing to blame, nothing to resume from.
            log(f"{label}: exited with {rc} between attempts")
            break
        kind = "HANG" if outcome == "HANG" else f"CRASH(exit {rc})"
        log(f"{label}: {kind} on {current[0]} {current[1]}; resuming after it")
        results[current] = dict(section="-", load=kind, attach="-", load_error=kind, attach_error="")
        skip.setdefault(current[0], set()).add(current[1])
        remaining = remaining[remaining.index(current[0]):]
    return results, processes


def program_sections(path):
    """{program name: section name} of a BPF object: the function symbols of its executable sections other than
    .text (the subprograms' section), as libbpf finds programs."""
    with open(path, "rb") as f:
        data = f.read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]

    def string(table, at):
        start = headers[table][4] + at
        return data[start:data.index(b"\0", start)].decode(errors="replace")
    programs = {}
    for name_at, sh_type, _, _, offset, size, link, _, _, entsize in headers:
        if sh_type != 2 or not entsize:  # SHT_SYMTAB
            continue
        for at in range(offset, offset + size, entsize):
            st_name, st_info, _, st_shndx = struct.unpack_from("<IBBH", data, at)
            if st_info & 0xF != 2 or not 0 < st_shndx < shnum:  # STT_FUNC in a real section
                continue
            section = string(shstrndx, headers[st_shndx][0])
            if headers[st_shndx][2] & 0x4 and section != ".text":  # SHF_EXECINSTR
                programs[string(link, st_name)] = section
    return programs


def select_sections(objects, prefixes):
    """With prefixes (section kinds such as fentry or kprobe), only the programs whose section is of one of those
    kinds: the objects without any are left out, the other programs of the rest are skipped (each object's
    whole-object attempt still runs). Returns (objects, {object: programs to skip})."""
    if not prefixes:
        return objects, {}
    kept, skip = [], {}
    for o in objects:
        sections = program_sections(o)
        # A leading "?" only turns autoload off.
        chosen = {p for p, s in sections.items()
                  if any(s.lstrip("?") == k or s.lstrip("?").startswith((k + "/", k + ".")) for k in prefixes)}
        if chosen:
            kept.append(o)
            skip[o] = set(sections) - chosen
    return kept, skip


# ---------------------------------------------------------------- compare

def is_ok(value):
    return value == "ok"


def attached(value):
    """The whole-object attach count "N/M" as N (0 when the object did not load)."""
    return int(value.split("/")[0]) if "/" in value else 0


def crashed(r):
    return r["load"].startswith(("CRASH", "HANG")) or r["load"].startswith("open:CRASH") or r["attach"].startswith("CRASH")


def error_of(r):
    if not is_ok(r["load"]):
        return f"load {r['load']}: {r['load_error']}".rstrip(": ")
    if r["attach"] == "ok":
        return "ok"
    return f"load ok, attach {r['attach']}: {r['attach_error']}".rstrip(": ")


def same_attach_failure(lib, bpf):
    # libbpf says EOPNOTSUPP when the section does not say where to attach; BpfSharp an InvalidOperationException.
    return lib == bpf or (lib == "EOPNOTSUPP" and bpf == "noauto")


COUNT_ROWS = ("load", "load + attach", "whole object: load", "whole object: attach all")


def compare(corpus, lib, bpf):
    """Counts and differences of one corpus. Returns (markdown lines, failures)."""
    programs = sorted(k for k in set(lib) | set(bpf) if k[1] != "*")
    objects = sorted(k for k in set(lib) | set(bpf) if k[1] == "*")
    missing = dict(section="-", load="missing", attach="-", load_error="no result", attach_error="")
    counts = {row: [0, 0, 0, 0] for row in COUNT_ROWS}
    differ, failures = [], []
    text_only = {}  # (libbpf outcome, BpfSharp outcome) -> [example row, count]

    def count(row, l_ok, b_ok):
        counts[row][0 if l_ok and b_ok else 1 if l_ok else 2 if b_ok else 3] += 1

    def result(side, key):
        # A program of an object the side could not open has that open failure as its result.
        whole = side.get((key[0], "*"))
        return side.get(key) or (whole if whole and whole["load"].startswith("open:") else missing)

    for key in programs:
        l, b = result(lib, key), result(bpf, key)
        lo, bo = is_ok(l["load"]), is_ok(b["load"])
        la, ba = lo and is_ok(l["attach"]), bo and is_ok(b["attach"])
        count("load", lo, bo)
        count("load + attach", la, ba)
        name = f"`{key[0]}` `{key[1]}` (`{l['section'] if l['section'] != '-' else b['section']}`)"
        if lo != bo or la != ba:
            differ.append(f"| {name} | {error_of(l)} | {error_of(b)} |")
        elif not lo and l["load"] != b["load"] or lo and not la and not same_attach_failure(l["attach"], b["attach"]):
            outcome = (f"load {l['load']}" if not lo else f"attach {l['attach']}", f"load {b['load']}" if not bo else f"attach {b['attach']}")
            text_only.setdefault(outcome, [f"{name} | {error_of(l)} | {error_of(b)}", 0])[1] += 1
        if (lo and not bo) or (la and not ba) or crashed(b):
            failures.append(f"{corpus}: {key[0]} {key[1]}: libbpf {error_of(l)}; BpfSharp {error_of(b)}")
    for key in objects:
        l, b = lib.get(key, missing), bpf.get(key, missing)
        lo, bo = is_ok(l["load"]), is_ok(b["load"])
        count("whole object: load", lo, bo)
        total = l["attach"].split("/")[-1] if lo else b["attach"].split("/")[-1]
        la = lo and l["attach"] == f"{total}/{total}"
        ba = bo and b["attach"] == f"{total}/{total}"
        count("whole object: attach all", la, ba)
        name = f"`{key[0]}` whole object"
        if lo != bo or (lo and l["attach"] != b["attach"]):
            differ.append(f"| {name} | load {l['load']}, attached {l['attach']} {l['load_error'] or l['attach_error']} "
                          f"| load {b['load']}, attached {b['attach']} {b['load_error'] or b['attach_error']} |")
        if (lo and not bo) or (lo and bo and attached(l["attach"]) > attached(b["attach"])) or crashed(b):
            failures.append(f"{corpus}: {key[0]} whole object: libbpf {l['load']} {l['attach']}; "
                            f"BpfSharp {b['load']} {b['attach']} {b['load_error']}")

    md = [f"### {corpus}: {len(objects)} objects, {len(programs)} programs", "",
          "| | both | libbpf only | BpfSharp only | neither |", "|---|---|---|---|---|"]
    md += [f"| {row} | {' | '.join(map(str, c))} |" for row, c in counts.items()]
    md += ["", f"Programs where the two differ ({len(differ)}):", ""]
    if differ:
        md += ["| program (section) | libbpf | BpfSharp |", "|---|---|---|", *differ]
    else:
        md += ["none."]
    md += ["", f"Same outcome, only the error differs ({sum(c for _, c in text_only.values())} programs; "
           "one example per pair of errors):", ""]
    if text_only:
        md += ["| libbpf | BpfSharp | programs | example (section) | libbpf says | BpfSharp says |", "|---|---|---|---|---|---|"]
        md += [f"| {lo} | {bo} | {c} | {example} |" for (lo, bo), (example, c) in
               sorted(text_only.items(), key=lambda kv: -kv[1][1])]
    else:
        md += ["none."]
    return md + [""], failures


FIELDS = ("section", "load", "attach", "load_error", "attach_error")


def run_one_side(args, corpus, label, command, objects, skip):
    start = time.time()
    results, processes = run_side(f"{corpus}/{label}", command, objects, args.timeout, skip)
    log(f"{corpus}/{label}: {len(results)} results from {len(objects)} objects in {time.time() - start:.0f}s "
        f"({processes} process(es))")
    with open(os.path.join(args.out, f"{corpus}-{label}.tsv"), "w") as f:
        for (o, p), r in sorted(results.items()):
            f.write("\t".join([os.path.basename(o), p, *(r[k] for k in FIELDS)]) + "\n")


def oracle_results_path(corpus, objects, skip):
    """libbpf's results depend only on the kernel build, the corpus, the programs left out and the oracle: they are
    kept per kernel build, so that a second run on the same kernel only runs the BpfSharp side."""
    u = os.uname()
    left_out = [f"{o}:{p}" for o in sorted(skip) for p in sorted(skip[o])]
    key = hashlib.sha256("\n".join([u.release, u.version, u.machine, loader_path(), *objects, *left_out]).encode()).hexdigest()[:16]
    return os.path.join(CACHE, "oracle-results", f"{corpus}-{u.release}-{key}.tsv")


def is_root_writable(directory):
    try:
        os.makedirs(directory, exist_ok=True)
        return os.access(directory, os.W_OK)
    except OSError:
        return False


def read_results(tsv):
    with open(tsv) as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    return {(r[0], r[1]): dict(zip(FIELDS, r[2:])) for r in rows}


def run(args):
    if not args.no_build and not args.reuse:
        build_runner()
    for needed in (RUNNER, loader_path()):
        if not os.path.exists(needed):
            sys.exit(f"compat: {needed} is missing: run compat/compat.py prepare on the host first")
    os.makedirs(args.out, exist_ok=True)
    kernel = os.uname().release
    # Attachments by section name that follow the calling thread's network namespace (sk_lookup, flow
    # dissector) must not touch the host's: each side runs in a network namespace of its own.
    # Each side also gets a bpffs of its own (a private mount namespace): objects that pin by name (the
    # selftests' LIBBPF_PIN_BY_NAME maps) leave nothing in the system's /sys/fs/bpf, and neither side sees the
    # other's pins.
    netns = ["unshare", "--net", "--mount", "--", "sh", "-c", 'mount -t bpf bpf /sys/fs/bpf && exec "$0" "$@"']
    md = [f"## Kernel {kernel}", "", f"libbpf {libbpf_version()} (static, from linux-source-6.1 "
          f"{package_version('linux-source-6.1')}), libbpf-tools {package_version('libbpf-tools')}, clang-19.", ""]
    failures = []
    compared = 0
    for corpus in args.corpus:
        objects = [o for o in corpus_objects(corpus) if os.path.basename(o) not in (args.leave_out or [])]
        objects, skip = select_sections(objects, (args.only_sections or {}).get(corpus))
        sides = {}
        oracle_cache = oracle_results_path(corpus, objects, skip)
        if not args.reuse and not args.fresh_oracle and os.path.exists(oracle_cache):
            log(f"{corpus}/libbpf: results of this kernel, corpus and oracle from {oracle_cache}")
            shutil.copy(oracle_cache, os.path.join(args.out, f"{corpus}-libbpf.tsv"))
            sides_to_run = [("BpfSharp", [RUNNER])]
        else:
            sides_to_run = [("libbpf", [loader_path()]), ("BpfSharp", [RUNNER])]
        if not args.reuse:
            # The two sides run at the same time, each in its own network namespace.
            threads = [threading.Thread(target=run_one_side, args=(args, corpus, label, netns + command, objects, skip))
                       for label, command in sides_to_run]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            fresh = os.path.join(args.out, f"{corpus}-libbpf.tsv")
            # A crash or a hang of libbpf (a verifier run slowed past --timeout by a loaded machine) is not kept.
            if len(sides_to_run) == 2 and not any(crashed(r) for r in read_results(fresh).values()) \
                    and is_root_writable(os.path.dirname(oracle_cache)):
                shutil.copy(fresh, oracle_cache)
        sides = {label: read_results(os.path.join(args.out, f"{corpus}-{label}.tsv")) for label in ("libbpf", "BpfSharp")}
        lines, fails = compare(corpus, sides["libbpf"], sides["BpfSharp"])
        compared += len(set(sides["libbpf"]) | set(sides["BpfSharp"]))
        if corpus == "selftests":
            skipped = os.path.join(source_dir(), "selftests", "skipped.tsv")
            with open(skipped) as f:
                left_out = [line.rstrip("\n").split("\t", 1) for line in f if line.strip()]
            lines += [f"Left out: {len(left_out)} source files clang-19 did not compile (file: first error):", ""]
            lines += [f"- `{name}`: {reason}" for name, reason in left_out] + [""]
        md += lines
        failures += fails
    text = "\n".join(md)
    with open(os.path.join(args.out, f"compat-{kernel}.md"), "w") as f:
        f.write(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    for line in md:
        if line.startswith("### ") or line.startswith("| ") and line.split(" | ")[0][2:] in COUNT_ROWS:
            print(line)
    for failure in failures:
        print("FAIL " + failure)
    write_summary_xml(args.out, kernel, compared, len(failures))
    print(f"compat: {len(failures)} programs or objects that libbpf loads or attaches and BpfSharp does not "
          f"(or where BpfSharp crashed or hung); details in {args.out}/compat-{kernel}.md")
    return 1 if failures else 0


def write_summary_xml(out, kernel, compared, failed):
    """The comparison as CI counts tests (the assembly tag scripts/summarize-results.sh reads): each program or
    object compared passes unless libbpf loads or attaches it and BpfSharp does not, or BpfSharp crashed or hung."""
    with open(os.path.join(out, "results.xml"), "w") as f:
        f.write(f'<assemblies><assembly name="compat ({kernel})" total="{compared}" '
                f'passed="{compared - failed}" failed="{failed}" skipped="0" errors="0" not-run="0" />'
                f'</assemblies>\n')


def libbpf_version():
    path = os.path.join(source_dir(), "libbpf", "include", "bpf", "libbpf_version.h")
    major = minor = "?"
    with open(path) as f:
        for line in f:
            if "LIBBPF_MAJOR_VERSION" in line:
                major = line.split()[-1]
            if "LIBBPF_MINOR_VERSION" in line:
                minor = line.split()[-1]
    return f"{major}.{minor}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=("prepare", "run", "objects"))
    p.add_argument("--corpus", action="append", choices=CORPORA, help="default: both")
    p.add_argument("--out", default=os.path.join(REPO, "test-results/compat"))
    p.add_argument("--markdown", help="also write this kernel's section of docs/COMPATIBILITY.md here")
    p.add_argument("--no-build", action="store_true", help="use the runner as built (in a guest: the host built it)")
    p.add_argument("--reuse", action="store_true", help="compare the results --out holds instead of running the sides again")
    p.add_argument("--fresh-oracle", action="store_true", help="run libbpf again even when its results for this kernel are cached")
    p.add_argument("--both-load", action="store_true", help="objects: only those both sides loaded whole in the last run in --out")
    p.add_argument("--leave-out", action="append", metavar="OBJECT",
                   help="run: leave this object (file name, e.g. klockstat.bpf.o) out, for a reason the caller states")
    p.add_argument("--only-sections", action="append", metavar="CORPUS=KIND,...", type=lambda v: v.split("=", 1),
                   help="run: in CORPUS, only the programs whose section is of these kinds (e.g. "
                        "selftests=fentry,kprobe: fentry/..., fentry.s/..., kprobe.multi/...)")
    p.add_argument("--timeout", type=float, default=600, help="seconds without output before an attempt counts as hung")
    args = p.parse_args()
    args.corpus = args.corpus or list(CORPORA)
    args.only_sections = {corpus: kinds.split(",") for corpus, kinds in (args.only_sections or [])}
    if args.command == "prepare":
        prepare(args)
        return 0
    if args.command == "objects":
        for corpus in args.corpus:
            objects = corpus_objects(corpus)
            if args.both_load:
                # The objects whose whole-object load succeeded on both sides in the last run in --out.
                # check.sh keeps each kernel's results in a folder named after it.
                out = args.out if os.path.exists(os.path.join(args.out, f"{corpus}-libbpf.tsv")) \
                    else os.path.join(args.out, os.uname().release)
                sides = [read_results(os.path.join(out, f"{corpus}-{label}.tsv")) for label in ("libbpf", "BpfSharp")]
                objects = [o for o in objects if all(side.get((os.path.basename(o), "*"), {}).get("load") == "ok" for side in sides)]
            print("\n".join(objects))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
