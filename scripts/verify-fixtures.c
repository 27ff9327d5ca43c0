// SPDX-License-Identifier: GPL-2.0
// A witness for tests/BpfSharp.Tests/Objects/Fixtures/README.md: loads every fixture with the
// distribution's libbpf (the reference loader) and checks each documented BPF_PROG_TEST_RUN result and
// map content against the real kernel. Not part of BpfSharp; run through scripts/verify-fixtures.sh.
// legacy_maps.bpf.o (which libbpf 1.x refuses) goes through a minimal loader written here; the
// struct_ops object is registered from a ".struct_ops" build of its source (libbpf 1.1 predates
// ".struct_ops.link").
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* Newer than Debian 12's 6.1 UAPI headers; values from the kernel's BTF. */
#define BPF_F_LINK_FLAG (1U << 13)
#define BPF_STRUCT_OPS_ATTACH 44

static const char *dir;
static int failures, checks;

#define CHECK(cond, ...)                                                         \
	do {                                                                     \
		checks++;                                                        \
		if (!(cond)) {                                                   \
			failures++;                                              \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);              \
			printf(__VA_ARGS__);                                     \
			printf("\n");                                            \
		}                                                                \
	} while (0)

#define EXPECT_EQ(actual, expected, what)                                        \
	CHECK((unsigned long long)(actual) == (unsigned long long)(expected),    \
	      "%s: got %llu (0x%llx), expected %llu", what,                      \
	      (unsigned long long)(actual), (unsigned long long)(actual),        \
	      (unsigned long long)(expected))

static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_WARN && !getenv("VERIFY_QUIET"))
		return vfprintf(stderr, fmt, args);
	if (level <= LIBBPF_INFO && getenv("VERIFY_VERBOSE"))
		return vfprintf(stderr, fmt, args);
	return 0;
}

static struct bpf_object *open_obj(const char *name)
{
	char path[4096];
	struct bpf_object *obj;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		printf("FAIL: cannot open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return obj;
}

static void load_obj(struct bpf_object *obj)
{
	int err = bpf_object__load(obj);

	if (err) {
		printf("FAIL: cannot load %s: %s\n", bpf_object__name(obj), strerror(-err));
		exit(1);
	}
}

static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, name);

	if (!prog) {
		printf("FAIL: no program %s\n", name);
		exit(1);
	}
	return bpf_program__fd(prog);
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	if (!map) {
		printf("FAIL: no map %s\n", name);
		exit(1);
	}
	return bpf_map__fd(map);
}

/* Runs a program on a packet (xdp, tc); returns retval. */
static __u32 run_packet(int fd, const void *data, __u32 size)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = size, .repeat = 1);
	int err = bpf_prog_test_run_opts(fd, &opts);

	CHECK(!err, "BPF_PROG_TEST_RUN: %s", strerror(errno));
	return opts.retval;
}

static __u32 run_byte(int fd, __u8 b0, __u8 b1)
{
	__u8 packet[64] = { b0, b1 };

	return run_packet(fd, packet, sizeof(packet));
}

/* Runs a program on a context only (syscall, raw_tp): no data, no repeat. */
static __u32 run_ctx(int fd, void *ctx, __u32 size)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx, .ctx_size_in = size);
	int err = bpf_prog_test_run_opts(fd, &opts);

	CHECK(!err, "BPF_PROG_TEST_RUN: %s", strerror(errno));
	return opts.retval;
}

static __u64 lookup_u64(int fd, __u32 key)
{
	__u64 value = 0xdeadbeef;

	CHECK(!bpf_map_lookup_elem(fd, &key, &value), "lookup %u: %s", key, strerror(errno));
	return value;
}

static __u64 lookup_percpu_sum(int fd, __u32 key, int *nonzero)
{
	int n = libbpf_num_possible_cpus();
	__u64 values[n], sum = 0;

	*nonzero = 0;
	CHECK(!bpf_map_lookup_elem(fd, &key, values), "percpu lookup %u: %s", key, strerror(errno));
	for (int i = 0; i < n; i++) {
		sum += values[i];
		*nonzero += values[i] != 0;
	}
	return sum;
}

/* The address of a global in its (not yet loaded) internal map, found through the object's BTF. */
static void *global(struct bpf_object *obj, const char *section, const char *var)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;
	size_t size;
	char *data = NULL;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t n = strlen(name), s = strlen(section);

		if (n >= s && !strcmp(name + n - s, section))
			data = (char *)bpf_map__initial_value(map, &size);
	}
	int id = btf__find_by_name_kind(btf, section, BTF_KIND_DATASEC);
	if (!data || id < 0) {
		printf("FAIL: no section %s\n", section);
		exit(1);
	}
	const struct btf_type *sec = btf__type_by_id(btf, id);
	const struct btf_var_secinfo *vsi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *v = btf__type_by_id(btf, vsi->type);

		if (!strcmp(btf__name_by_offset(btf, v->name_off), var))
			return data + vsi->offset;
	}
	printf("FAIL: no global %s in %s\n", var, section);
	exit(1);
}

/* ---------------------------------------------------------------------------------------------- */

static int ringbuf_seen;
static __u64 ringbuf_value;
static int on_ringbuf(void *ctx, void *data, size_t size)
{
	ringbuf_seen++;
	if (size == 8)
		ringbuf_value = *(__u64 *)data;
	return 0;
}

static void verify_maps(void)
{
	struct bpf_object *obj = open_obj("maps.bpf.o");
	int nonzero;

	load_obj(obj);
	EXPECT_EQ(run_byte(prog_fd(obj, "touch_maps"), 0, 0), XDP_PASS, "maps: touch_maps");
	EXPECT_EQ(lookup_u64(map_fd(obj, "hash_map"), 1), 100, "maps: hash_map[1]");
	EXPECT_EQ(lookup_u64(map_fd(obj, "array_map"), 0), 200, "maps: array_map[0]");
	EXPECT_EQ(lookup_percpu_sum(map_fd(obj, "percpu_hash"), 2, &nonzero), 300, "maps: percpu_hash[2]");
	EXPECT_EQ(nonzero, 1, "maps: percpu_hash CPUs set");
	EXPECT_EQ(lookup_percpu_sum(map_fd(obj, "percpu_array"), 0, &nonzero), 400, "maps: percpu_array[0]");
	EXPECT_EQ(nonzero, 1, "maps: percpu_array CPUs set");
	EXPECT_EQ(lookup_u64(map_fd(obj, "lru_hash"), 3), 500, "maps: lru_hash[3]");
	EXPECT_EQ(lookup_percpu_sum(map_fd(obj, "lru_percpu_hash"), 4, &nonzero), 600, "maps: lru_percpu_hash[4]");
	struct { __u32 prefixlen; __u8 addr[4]; } lk = { 32, { 10, 0, 0, 42 } };
	__u32 v32 = 0;
	CHECK(!bpf_map_lookup_elem(map_fd(obj, "lpm_trie"), &lk, &v32), "lpm lookup");
	EXPECT_EQ(v32, 700, "maps: lpm_trie 10.0.0.42/32");
	lk.addr[2] = 1;
	CHECK(bpf_map_lookup_elem(map_fd(obj, "lpm_trie"), &lk, &v32) && errno == ENOENT, "lpm 10.0.1.42 miss");
	int q = map_fd(obj, "queue"), s = map_fd(obj, "stack");
	CHECK(!bpf_map_lookup_and_delete_elem(q, NULL, &v32), "queue pop");
	EXPECT_EQ(v32, 11, "maps: queue first");
	CHECK(!bpf_map_lookup_and_delete_elem(q, NULL, &v32), "queue pop");
	EXPECT_EQ(v32, 22, "maps: queue second");
	CHECK(bpf_map_lookup_and_delete_elem(q, NULL, &v32) && errno == ENOENT, "queue empty");
	CHECK(!bpf_map_lookup_and_delete_elem(s, NULL, &v32), "stack pop");
	EXPECT_EQ(v32, 44, "maps: stack first");
	CHECK(!bpf_map_lookup_and_delete_elem(s, NULL, &v32), "stack pop");
	EXPECT_EQ(v32, 33, "maps: stack second");
	v32 = 1234;
	CHECK(!bpf_map_lookup_elem(map_fd(obj, "bloom_filter"), NULL, &v32), "bloom_filter has 1234");
	EXPECT_EQ(lookup_u64(map_fd(obj, "sized_array"), 1), 0x1122334455667788ULL, "maps: sized_array[1]");
	EXPECT_EQ(lookup_u64(map_fd(obj, "sized_array"), 0), 0, "maps: sized_array[0]");
	EXPECT_EQ(lookup_u64(map_fd(obj, "mmap_array"), 0), 900, "maps: mmap_array[0]");
	__u64 *mem = mmap(NULL, 4096, PROT_READ, MAP_SHARED, map_fd(obj, "mmap_array"), 0);
	CHECK(mem != MAP_FAILED && mem[0] == 900, "maps: mmap_array mmap[0] == 900");
	if (mem != MAP_FAILED)
		munmap(mem, 4096);
	EXPECT_EQ(lookup_u64(map_fd(obj, "numa_hash"), 5), 800, "maps: numa_hash[5]");

	struct ring_buffer *rb = ring_buffer__new(map_fd(obj, "ringbuf"), on_ringbuf, NULL, NULL);
	CHECK(rb, "ring_buffer__new");
	if (rb) {
		ring_buffer__consume(rb);
		ring_buffer__free(rb);
	}
	EXPECT_EQ(ringbuf_seen, 1, "maps: ringbuf records");
	EXPECT_EQ(ringbuf_value, 0xcafef00d, "maps: ringbuf record");

	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	bpf_obj_get_info_by_fd(map_fd(obj, "numa_hash"), &info, &len);
	EXPECT_EQ(info.map_flags, BPF_F_NUMA_NODE, "maps: numa_hash flags");
	len = sizeof(info);
	bpf_obj_get_info_by_fd(map_fd(obj, "perf_events"), &info, &len);
	EXPECT_EQ(info.max_entries, libbpf_num_possible_cpus(), "maps: perf_events max_entries");
	len = sizeof(info);
	bpf_obj_get_info_by_fd(map_fd(obj, "bloom_filter"), &info, &len);
	EXPECT_EQ(info.map_extra, 3, "maps: bloom_filter map_extra");
	EXPECT_EQ(info.key_size, 0, "maps: bloom_filter key_size");

	/* Every map of the object exists in the kernel with the type the source declares. */
	struct bpf_map *map;
	int count = 0;
	bpf_object__for_each_map(map, obj) {
		len = sizeof(info);
		memset(&info, 0, sizeof(info));
		CHECK(!bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len), "info %s", bpf_map__name(map));
		EXPECT_EQ(info.type, bpf_map__type(map), bpf_map__name(map));
		count++;
	}
	EXPECT_EQ(count, 31, "maps: map count");

	__u64 ctx[2] = { 0, 42 };
	EXPECT_EQ(run_ctx(prog_fd(obj, "touch_task"), ctx, sizeof(ctx)), 1, "maps: touch_task");
	int pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	__u64 v64 = 0;
	CHECK(!bpf_map_lookup_elem(map_fd(obj, "task_storage"), &pidfd, &v64), "task_storage lookup: %s", strerror(errno));
	EXPECT_EQ(v64, 42, "maps: task_storage[self]");
	close(pidfd);
	bpf_object__close(obj);
}

/* A minimal loader for legacy SEC("maps") objects (libbpf 1.x refuses them). */
static void verify_legacy_maps(void)
{
	char path[4096];
	int fd, map_fds[16] = {}, nmaps = 0, prog_fds[2] = { -1, -1 };
	const char *names[16] = {};
	Elf *elf;
	Elf_Scn *scn = NULL, *maps_scn = NULL, *sym_scn = NULL;
	size_t shstrndx, maps_idx = 0;
	GElf_Shdr sh;

	snprintf(path, sizeof(path), "%s/legacy_maps.bpf.o", dir);
	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	elf_getshdrstrndx(elf, &shstrndx);
	while ((scn = elf_nextscn(elf, scn))) {
		gelf_getshdr(scn, &sh);
		const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!strcmp(name, "maps")) {
			maps_scn = scn;
			maps_idx = elf_ndxscn(scn);
		}
		if (sh.sh_type == SHT_SYMTAB)
			sym_scn = scn;
	}
	Elf_Data *maps_data = elf_getdata(maps_scn, NULL);
	GElf_Shdr symsh;
	gelf_getshdr(sym_scn, &symsh);
	Elf_Data *syms = elf_getdata(sym_scn, NULL);
	int nsyms = symsh.sh_size / symsh.sh_entsize;
	int map_of_sym[nsyms];
	for (int i = 0; i < nsyms; i++) {
		GElf_Sym sym;
		gelf_getsym(syms, i, &sym);
		map_of_sym[i] = -1;
		if (sym.st_shndx != maps_idx || GELF_ST_TYPE(sym.st_info) != STT_OBJECT)
			continue;
		const unsigned int *def = (const unsigned int *)((char *)maps_data->d_buf + sym.st_value);
		const char *name = elf_strptr(elf, symsh.sh_link, sym.st_name);
		LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = def[4]);
		map_fds[nmaps] = bpf_map_create(def[0], name, def[1], def[2], def[3], &mopts);
		CHECK(map_fds[nmaps] >= 0, "legacy: create %s: %s", name, strerror(errno));
		names[nmaps] = name;
		map_of_sym[i] = nmaps++;
	}
	EXPECT_EQ(nmaps, 2, "legacy: maps");
	const char *progs[2] = { "xdp", "tc" };
	for (int p = 0; p < 2; p++) {
		Elf_Scn *code = NULL, *rel = NULL;
		scn = NULL;
		while ((scn = elf_nextscn(elf, scn))) {
			gelf_getshdr(scn, &sh);
			const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
			if (!strcmp(name, progs[p]))
				code = scn;
			if (sh.sh_type == SHT_REL && !strncmp(name, ".rel", 4) && !strcmp(name + 4, progs[p]))
				rel = scn;
		}
		Elf_Data *d = elf_getdata(code, NULL);
		struct bpf_insn *insns = malloc(d->d_size);
		memcpy(insns, d->d_buf, d->d_size);
		if (rel) {
			GElf_Shdr rsh;
			gelf_getshdr(rel, &rsh);
			Elf_Data *rd = elf_getdata(rel, NULL);
			for (size_t r = 0; r < rsh.sh_size / rsh.sh_entsize; r++) {
				GElf_Rel rr;
				gelf_getrel(rd, r, &rr);
				int m = map_of_sym[GELF_R_SYM(rr.r_info)];
				CHECK(m >= 0, "legacy: relocation against a non-map symbol");
				insns[rr.r_offset / 8].src_reg = BPF_PSEUDO_MAP_FD;
				insns[rr.r_offset / 8].imm = map_fds[m];
			}
		}
		static char log[65536];
		LIBBPF_OPTS(bpf_prog_load_opts, popts, .log_buf = log, .log_size = sizeof(log), .log_level = 0);
		prog_fds[p] = bpf_prog_load(p == 0 ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS,
					    p == 0 ? "legacy_count" : "legacy_get", "GPL", insns,
					    d->d_size / 8, &popts);
		CHECK(prog_fds[p] >= 0, "legacy: load %s: %s\n%s", progs[p], strerror(errno), log);
		free(insns);
	}
	int counters = strcmp(names[0], "counters") ? map_fds[1] : map_fds[0];
	int hash = strcmp(names[0], "counters") ? map_fds[0] : map_fds[1];
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(run_byte(prog_fds[0], 0, 0), XDP_PASS, "legacy: legacy_count");
	EXPECT_EQ(run_byte(prog_fds[1], 0, 0), 3, "legacy: legacy_get after 3 runs");
	__u32 one = 1, two = 2;
	bpf_map_update_elem(counters, &one, &two, BPF_ANY);
	EXPECT_EQ(run_byte(prog_fds[1], 0, 0), 203, "legacy: legacy_get with counters[1] = 2");
	EXPECT_EQ(lookup_u64(hash, 7), 0x1234, "legacy: legacy_hash[7]");
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	bpf_obj_get_info_by_fd(hash, &info, &len);
	EXPECT_EQ(info.map_flags, BPF_F_NO_PREALLOC, "legacy: legacy_hash flags");
	for (int i = 0; i < nmaps; i++)
		close(map_fds[i]);
	close(prog_fds[0]);
	close(prog_fds[1]);
	elf_end(elf);
	close(fd);
}

static void verify_map_in_map(void)
{
	struct bpf_object *obj = open_obj("map_in_map.bpf.o");
	int arr, hash;

	load_obj(obj);
	arr = prog_fd(obj, "lookup_array");
	hash = prog_fd(obj, "lookup_hash");
	EXPECT_EQ(run_byte(arr, 0, 0), 0, "map_in_map: lookup_array [0] before fill_inner");
	EXPECT_EQ(run_byte(prog_fd(obj, "fill_inner"), 0, 0), 0, "map_in_map: fill_inner");
	EXPECT_EQ(run_byte(arr, 0, 0), 111, "map_in_map: lookup_array [0]");
	EXPECT_EQ(run_byte(arr, 1, 0), 0xee, "map_in_map: lookup_array [1]");
	EXPECT_EQ(run_byte(arr, 2, 0), 222, "map_in_map: lookup_array [2]");
	EXPECT_EQ(run_byte(arr, 3, 0), 0xee, "map_in_map: lookup_array [3]");
	EXPECT_EQ(run_byte(hash, 0, 0), 0xee, "map_in_map: lookup_hash [0]");
	EXPECT_EQ(run_byte(hash, 1, 0), 222, "map_in_map: lookup_hash [1]");
	EXPECT_EQ(run_byte(hash, 2, 0), 0xee, "map_in_map: lookup_hash [2]");
	EXPECT_EQ(run_byte(hash, 3, 0), 111, "map_in_map: lookup_hash [3]");
	bpf_object__close(obj);
}

static void verify_map_in_map_btf(void)
{
	struct bpf_object *obj = open_obj("map_in_map_btf.bpf.o");
	int has;

	load_obj(obj);
	has = prog_fd(obj, "has_timer_map");
	EXPECT_EQ(run_byte(has, 0, 0), 1, "map_in_map_btf: has_timer_map [0]");
	EXPECT_EQ(run_byte(has, 1, 0), 0, "map_in_map_btf: has_timer_map [1]");
	bpf_object__close(obj);
}

static void verify_no_license(void)
{
	struct bpf_object *obj = open_obj("no_license.bpf.o");
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	bpf_program__set_autoload(bpf_object__find_program_by_name(obj, "gpl_helper"), false);
	load_obj(obj);
	EXPECT_EQ(run_byte(prog_fd(obj, "plain"), 0, 0), 7, "no_license: plain");
	EXPECT_EQ(bpf_obj_get_info_by_fd(prog_fd(obj, "plain"), &info, &len), 0, "no_license: prog info");
	EXPECT_EQ(info.gpl_compatible, 0, "no_license: gpl_compatible");
	bpf_object__close(obj);
	obj = open_obj("no_license.bpf.o");
	EXPECT_EQ(bpf_object__load(obj), -EINVAL, "no_license: gpl_helper refused");
	bpf_object__close(obj);
}

static void verify_tail_calls(void)
{
	struct bpf_object *obj = open_obj("tail_calls.bpf.o");
	int entry;

	load_obj(obj);
	entry = prog_fd(obj, "entry");
	EXPECT_EQ(run_byte(entry, 0, 0), 10, "tail_calls: entry [0]");
	EXPECT_EQ(run_byte(entry, 1, 0), 20, "tail_calls: entry [1]");
	EXPECT_EQ(run_byte(entry, 1, 0xaa), 10, "tail_calls: entry [1, 0xaa]");
	EXPECT_EQ(run_byte(entry, 2, 0), 1, "tail_calls: entry [2]");
	EXPECT_EQ(run_byte(entry, 3, 0), 1, "tail_calls: entry [3]");
	EXPECT_EQ(run_byte(entry, 255, 0), 1, "tail_calls: entry [255]");
	EXPECT_EQ(run_byte(prog_fd(obj, "prog_a"), 0, 0), 10, "tail_calls: prog_a");
	EXPECT_EQ(run_byte(prog_fd(obj, "prog_b"), 0, 0), 20, "tail_calls: prog_b");
	bpf_object__close(obj);
}

struct snapshot {
	__u32 data_int, static_data;
	__u64 data_array_sum;
	__u32 data_pair_a, data_pair_b, bss_int, bss_pair_b;
	__u64 bss_array_sum;
	__u32 ro_mult, ro_action;
	__u64 ro_magic;
	__u32 counter, limit;
	char greeting[8];
	__u32 config_mult, counter_step;
};

static void verify_globals(void)
{
	struct bpf_object *obj = open_obj("globals.bpf.o");
	struct snapshot s;
	int read, xdp;

	load_obj(obj);
	read = prog_fd(obj, "read_globals");
	xdp = prog_fd(obj, "xdp_action");
	memset(&s, 0, sizeof(s));
	EXPECT_EQ(run_ctx(read, &s, sizeof(s)), 26, "globals: read_globals");
	EXPECT_EQ(s.data_int, 7, "globals: data_int");
	EXPECT_EQ(s.static_data, 9, "globals: static_data");
	EXPECT_EQ(s.data_array_sum, 10, "globals: data_array sum");
	EXPECT_EQ(s.data_pair_a, 10, "globals: data_pair.a");
	EXPECT_EQ(s.data_pair_b, 20, "globals: data_pair.b");
	EXPECT_EQ(s.bss_int, 0, "globals: bss_int");
	EXPECT_EQ(s.bss_pair_b, 0, "globals: bss_pair.b");
	EXPECT_EQ(s.bss_array_sum, 0, "globals: bss_array sum");
	EXPECT_EQ(s.ro_mult, 3, "globals: ro_mult");
	EXPECT_EQ(s.ro_action, 2, "globals: ro_config.action");
	EXPECT_EQ(s.ro_magic, 0x0123456789abcdefULL, "globals: ro_config.magic");
	EXPECT_EQ(s.counter, 5, "globals: counter");
	EXPECT_EQ(s.limit, 1000, "globals: limit");
	CHECK(!memcmp(s.greeting, "hello\0\0\0", 8), "globals: greeting");
	EXPECT_EQ(s.config_mult, 2, "globals: ro_config.mult");
	EXPECT_EQ(s.counter_step, 1, "globals: counter_step");
	LIBBPF_OPTS(bpf_test_run_opts, small, .ctx_in = &s, .ctx_size_in = 76);
	CHECK(bpf_prog_test_run_opts(read, &small) && errno == EINVAL, "globals: read_globals with a 76-byte ctx fails");

	EXPECT_EQ(run_ctx(prog_fd(obj, "bump_globals"), NULL, 0), 1, "globals: bump_globals first");
	memset(&s, 0, sizeof(s));
	EXPECT_EQ(run_ctx(read, &s, sizeof(s)), 30, "globals: read_globals after bump");
	EXPECT_EQ(s.data_int, 8, "globals: data_int after bump");
	EXPECT_EQ(s.static_data, 10, "globals: static_data after bump");
	EXPECT_EQ(s.data_array_sum, 20, "globals: data_array sum after bump");
	EXPECT_EQ(s.data_pair_b, 21, "globals: data_pair.b after bump");
	EXPECT_EQ(s.bss_int, 1, "globals: bss_int after bump");
	EXPECT_EQ(s.bss_pair_b, 2, "globals: bss_pair.b after bump");
	EXPECT_EQ(s.bss_array_sum, 77, "globals: bss_array sum after bump");
	EXPECT_EQ(s.counter, 6, "globals: counter after bump");
	EXPECT_EQ(run_ctx(prog_fd(obj, "bump_globals"), NULL, 0), 2, "globals: bump_globals second");

	EXPECT_EQ(run_byte(xdp, 0, 0), XDP_PASS, "globals: xdp_action");
	static __u8 big[1001];
	EXPECT_EQ(run_packet(xdp, big, sizeof(big)), XDP_DROP, "globals: xdp_action 1001 bytes");
	EXPECT_EQ(run_packet(xdp, big, 1000), XDP_PASS, "globals: xdp_action 1000 bytes");

	/* Internal map names (libbpf's convention) and contents seen from user space. */
	struct bpf_map *map;
	bpf_object__for_each_map(map, obj) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len);
		if (getenv("VERIFY_VERBOSE"))
			printf("  globals map %-16s kernel name %-16s value_size %u flags 0x%x\n",
			       bpf_map__name(map), info.name, info.value_size, info.map_flags);
	}
	bpf_object__close(obj);

	/* .rodata set before load. */
	obj = open_obj("globals.bpf.o");
	*(__u32 *)global(obj, ".rodata", "ro_mult") = 5;
	((__u32 *)global(obj, ".rodata", "ro_config"))[1] = XDP_TX;
	*(__u32 *)global(obj, ".rodata.limits", "limit") = 100;
	*(__u32 *)global(obj, ".data.counters", "counter") = 50;
	load_obj(obj);
	memset(&s, 0, sizeof(s));
	EXPECT_EQ(run_ctx(prog_fd(obj, "read_globals"), &s, sizeof(s)), 85, "globals: read_globals with ro_mult 5, counter 50");
	EXPECT_EQ(run_byte(prog_fd(obj, "xdp_action"), 0, 0), XDP_TX, "globals: xdp_action with action XDP_TX");
	EXPECT_EQ(run_packet(prog_fd(obj, "xdp_action"), big, 101), XDP_DROP, "globals: xdp_action 101 bytes, limit 100");
	bpf_object__close(obj);
}

static void verify_subprogs(void)
{
	struct bpf_object *obj = open_obj("subprogs.bpf.o");

	load_obj(obj);
	EXPECT_EQ(run_byte(prog_fd(obj, "xdp_one"), 3, 0), 8, "subprogs: xdp_one [3]");
	EXPECT_EQ(run_byte(prog_fd(obj, "xdp_one"), 0, 0), 2, "subprogs: xdp_one [0]");
	EXPECT_EQ(run_byte(prog_fd(obj, "xdp_two"), 3, 0), 14, "subprogs: xdp_two [3]");
	EXPECT_EQ(run_byte(prog_fd(obj, "xdp_two"), 0, 0), 2, "subprogs: xdp_two [0]");
	EXPECT_EQ(run_byte(prog_fd(obj, "loop_sum"), 0, 0), 45, "subprogs: loop_sum");
	EXPECT_EQ(run_byte(prog_fd(obj, "for_each_sum"), 0, 0), 104, "subprogs: for_each_sum");
	for (__u32 i = 0; i < 4; i++)
		EXPECT_EQ(lookup_u64(map_fd(obj, "values"), i), (i + 1) * 10, "subprogs: values[i]");
	bpf_object__close(obj);
}

static void verify_hidden_funcs(void)
{
	struct bpf_object *obj = open_obj("hidden_funcs.bpf.o");
	const struct btf_type *t;
	struct btf *btf;
	__u32 id;

	load_obj(obj);
	EXPECT_EQ(run_byte(prog_fd(obj, "call_hidden"), 0, 0), 127, "hidden_funcs: call_hidden");
	btf = bpf_object__btf(obj);
	id = btf__find_by_name_kind(btf, "hidden_add", BTF_KIND_FUNC);
	t = btf__type_by_id(btf, id);
	CHECK(t && btf_vlen(t) == BTF_FUNC_STATIC, "hidden_funcs: libbpf makes hidden_add static");
	id = btf__find_by_name_kind(btf, "visible_add", BTF_KIND_FUNC);
	t = btf__type_by_id(btf, id);
	CHECK(t && btf_vlen(t) == BTF_FUNC_GLOBAL, "hidden_funcs: visible_add stays global");
	bpf_object__close(obj);
}

static void verify_verifier_reject(void)
{
	struct bpf_object *obj = open_obj("verifier_reject.bpf.o");
	static char log[1 << 16];
	struct bpf_program *bad;
	int err;

	CHECK(!bpf_program__autoload(bpf_object__find_program_by_name(obj, "bad_packet_read")),
	      "verifier_reject: '?xdp' is not autoloaded");
	load_obj(obj);
	EXPECT_EQ(run_byte(prog_fd(obj, "good_pass"), 0, 0), XDP_PASS, "verifier_reject: good_pass");
	bpf_object__close(obj);

	obj = open_obj("verifier_reject.bpf.o");
	bad = bpf_object__find_program_by_name(obj, "bad_packet_read");
	bpf_program__set_autoload(bad, true);
	bpf_program__set_log_buf(bad, log, sizeof(log));
	bpf_program__set_log_level(bad, 1);
	err = bpf_object__load(obj);
	CHECK(err == -EACCES, "verifier_reject: load with bad_packet_read fails with EACCES (got %d)", err);
	CHECK(strstr(log, "; return *(__u32 *)data; @ verifier_reject.bpf.c:16"), "verifier_reject: log line info:\n%s", log);
	CHECK(strstr(log, "invalid access to packet"), "verifier_reject: log reason:\n%s", log);
	if (getenv("VERIFY_VERBOSE"))
		printf("%s", log);
	bpf_object__close(obj);
}


static int cc_available(const char *name)
{
	char buf[4096] = {};
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "r");

	if (!f)
		return -1;
	fgets(buf, sizeof(buf), f);
	fclose(f);
	return strstr(buf, name) != NULL;
}

static void verify_struct_ops(const char *legacy_build)
{
	struct bpf_object *obj = bpf_object__open_file(legacy_build, NULL);
	struct bpf_link *link;

	CHECK(obj, "struct_ops: open %s", legacy_build);
	if (!obj)
		return;
	load_obj(obj);
	CHECK(cc_available("bpfsharp_fx") == 0, "struct_ops: bpfsharp_fx registered before attach");
	link = bpf_map__attach_struct_ops(bpf_object__find_map_by_name(obj, "fx_cc"));
	CHECK(link, "struct_ops: register: %s", strerror(errno));
	CHECK(cc_available("bpfsharp_fx") == 1, "struct_ops: bpfsharp_fx available after register");
	bpf_link__destroy(link);
	bpf_object__close(obj);
	CHECK(cc_available("bpfsharp_fx") == 0, "struct_ops: bpfsharp_fx gone after unregister");

	/* What ".struct_ops.link" asks for: the map created with BPF_F_LINK, its value stored (which does
	 * not register), then registered by BPF_LINK_CREATE(BPF_STRUCT_OPS) and unregistered by closing
	 * the link. */
	obj = bpf_object__open_file(legacy_build, NULL);
	struct bpf_map *map = bpf_object__find_map_by_name(obj, "fx_cc");
	bpf_map__set_map_flags(map, BPF_F_LINK_FLAG);
	load_obj(obj);
	link = bpf_map__attach_struct_ops(map);
	CHECK(link, "struct_ops: store value: %s", strerror(errno));
	CHECK(cc_available("bpfsharp_fx") == 0, "struct_ops: BPF_F_LINK value stored but not registered");
	int link_fd = bpf_link_create(bpf_map__fd(map), 0, BPF_STRUCT_OPS_ATTACH, NULL);
	CHECK(link_fd >= 0, "struct_ops: BPF_LINK_CREATE: %s", strerror(errno));
	CHECK(cc_available("bpfsharp_fx") == 1, "struct_ops: bpfsharp_fx available after BPF_LINK_CREATE");
	close(link_fd);
	CHECK(cc_available("bpfsharp_fx") == 0, "struct_ops: bpfsharp_fx gone after closing the link");
	bpf_link__destroy(link);
	bpf_object__close(obj);
}

static void verify_large(void)
{
	struct bpf_object *obj = open_obj("large.bpf.o");
	struct bpf_program *prog;
	struct bpf_map *map;
	int programs = 0, maps = 0;

	load_obj(obj);
	bpf_object__for_each_program(prog, obj)
		programs++;
	bpf_object__for_each_map(map, obj)
		maps++;
	EXPECT_EQ(programs, 64, "large: programs");
	EXPECT_EQ(maps, 24, "large: maps");
	for (int i = 0; i < 64; i++) {
		char name[16];

		snprintf(name, sizeof(name), "prog_%02d", i);
		EXPECT_EQ(run_byte(prog_fd(obj, name), 0, 0), i, name);
		snprintf(name, sizeof(name), "map_%02d", i % 24);
		EXPECT_EQ(lookup_u64(map_fd(obj, name), i), i + 1, name);
	}
	EXPECT_EQ(run_byte(prog_fd(obj, "prog_05"), 0, 0), 5, "large: prog_05 again");
	EXPECT_EQ(lookup_u64(map_fd(obj, "map_05"), 5), 12, "large: map_05[5] after two runs");
	bpf_object__close(obj);
}

/* btf_kinds: every BTF kind a kernel may lack; libbpf loads it as is where the kernel has them all. */
static void verify_btf_kinds(void)
{
	struct bpf_object *obj = open_obj("btf_kinds.bpf.o");
	struct { float ratio; int value; __u64 kind; void *where; } rec;
	__u32 key = 0;

	load_obj(obj);
	EXPECT_EQ(run_byte(prog_fd(obj, "kinds"), 0, 0), 2, "btf_kinds: kinds");
	EXPECT_EQ(run_byte(prog_fd(obj, "kinds"), 0, 0), 2, "btf_kinds: kinds again");
	CHECK(!bpf_map_lookup_elem(map_fd(obj, "records"), &key, &rec), "btf_kinds: lookup records[0]");
	EXPECT_EQ(rec.value, 2, "btf_kinds: records[0].value after two runs");
	EXPECT_EQ(rec.kind, 1ULL << 32, "btf_kinds: records[0].kind");
	bpf_object__close(obj);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s FIXTURE_DIR STRUCT_OPS_LEGACY_BUILD.o\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	libbpf_set_print(print_warnings);
	verify_maps();
	verify_legacy_maps();
	verify_map_in_map();
	verify_map_in_map_btf();
	verify_no_license();
	verify_tail_calls();
	verify_globals();
	verify_subprogs();
	verify_hidden_funcs();
	verify_btf_kinds();
	verify_verifier_reject();
	/* core_reloc: checked by CoreRelocationTests against the kernel's BTF and libbpf's relocated instructions. */
	verify_struct_ops(argv[2]);
	verify_large();
	printf("%d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
