// SPDX-License-Identifier: MIT
// The libbpf side of BpfSharp's side-by-side benchmarks (bench/README.md). Every workload here has a twin
// in bench/BpfSharp.Benchmarks/Workloads.cs doing the same kernel work with BpfSharp: the same map shapes
// and operation counts, the same objects (bench/objects/*.bpf.o), the same producers.
//
// Usage: bench-native [--objects DIR] [--serve | WORKLOAD...]
//   --serve   read workload names from stdin, one per line, answering each with one JSON line on stdout
//   WORKLOAD  run these (default: all) and print one JSON line each
//   --list    print the workload names
//   --loadable  read object paths from stdin, print those this libbpf opens and loads (bench/compare.sh
//             keeps compat_corpus_open_load to objects both libraries load)
// Every JSON line: {"impl":"libbpf","workload":...,"unit":...,"value":...,"lower_is_better":...,"ops":...}
#define _GNU_SOURCE
#include <pthread.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "../objects/flows.h"
#include "flows.skel.h"

// Workload sizes: keep them equal to Workloads.cs.
#define MAP_KEYS 1024            // existing keys in the element-operation maps
#define MAP_CAPACITY 4096        // their max_entries
/* A workload's first run in a process is a warm-up (not reported) at an eighth of these counts (at least 1). */
#define SCALED(n) (warming ? ((n) / 8 > 0 ? (n) / 8 : 1) : (n))
#define MAP_OPS SCALED(100000)   // element operations per measurement
#define ITER_ENTRIES 100000      // entries of the iterated hash map
#define ITER_WALKS SCALED(2)     // whole-map walks per measurement
#define BATCH 4096               // elements per batch lookup
#define OBJECT_LOADS SCALED(4)   // open+load+close of the large object per measurement
#define BTF_PARSES SCALED(8)     // vmlinux BTF parses per measurement
#define LINKS 1000               // attach+destroy per measurement (BENCH_RAW_TP_LINKS, BENCH_TRACEPOINT_LINKS)
/* Producer runs (each followed by one timed drain) per measurement: more for larger records, whose drains are short. */
#define EVENT_FILLS(size) SCALED((size) == 16 ? 4 : (size) == 128 ? 8 : 32)
#define PERF_PAGES 2048          // perf buffer pages per CPU (8 MiB)

static const char *objects_dir = "bench/objects";
static uint64_t sink;

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "bench-native: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* This thread's user-mode CPU time: what the library itself costs around the system calls. */
static double user_ns(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_utime.tv_sec * 1e9 + ru.ru_utime.tv_usec * 1e3;
}

/* Set during a workload's warm-up run (its first run in this process): nothing is printed. */
static bool warming;

/* user_per_op < 0: not measured. */
static void report_user(const char *workload, const char *unit, double value, bool lower_is_better, long ops, double user_per_op)
{
	if (warming)
		return;
	printf("{\"impl\":\"libbpf\",\"workload\":\"%s\",\"unit\":\"%s\",\"value\":%.6g,\"lower_is_better\":%s,\"ops\":%ld",
	       workload, unit, value, lower_is_better ? "true" : "false", ops);
	if (user_per_op >= 0)
		printf(",\"user_ns_per_op\":%.4g", user_per_op);
	printf("}\n");
	fflush(stdout);
}

static void report(const char *workload, const char *unit, double value, bool lower_is_better, long ops)
{
	report_user(workload, unit, value, lower_is_better, ops, -1);
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

static char *object_path(const char *name)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf), "%s/%s", objects_dir, name);
	return buf;
}

/* ---- 1. element operations ---- */

struct elem_map {
	int fd;
	int value_size;
};

static struct elem_map hash8, hash64, array8, percpu8;
static int ncpus;

static struct elem_map create_map(enum bpf_map_type type, const char *name, int value_size)
{
	struct elem_map m = { .value_size = value_size };
	uint8_t value[64 * 256] = { 0 };
	m.fd = bpf_map_create(type, name, 4, value_size, type == BPF_MAP_TYPE_HASH ? MAP_CAPACITY : MAP_KEYS, NULL);
	if (m.fd < 0)
		die("bpf_map_create %s: %s", name, strerror(-m.fd));
	for (uint32_t k = 0; k < MAP_KEYS; k++)
		if (bpf_map_update_elem(m.fd, &k, value, BPF_ANY))
			die("fill %s: %s", name, strerror(errno));
	return m;
}

static void setup_maps(void)
{
	if (hash8.fd)
		return;
	ncpus = libbpf_num_possible_cpus();
	hash8 = create_map(BPF_MAP_TYPE_HASH, "hash8", 8);
	hash64 = create_map(BPF_MAP_TYPE_HASH, "hash64", 64);
	array8 = create_map(BPF_MAP_TYPE_ARRAY, "array8", 8);
	percpu8 = create_map(BPF_MAP_TYPE_PERCPU_ARRAY, "percpu8", 8);
}

static void bench_lookup(const char *workload, struct elem_map *m)
{
	uint8_t value[64 * 256];
	setup_maps();
	int ops = MAP_OPS;
	double u0 = user_ns();
	uint64_t t0 = now_ns();
	for (int i = 0; i < ops; i++) {
		uint32_t key = i & (MAP_KEYS - 1);
		if (bpf_map_lookup_elem(m->fd, &key, value))
			die("%s: %s", workload, strerror(errno));
	}
	uint64_t t1 = now_ns();
	double u1 = user_ns();
	sink += value[0];
	report_user(workload, "ns/op", (double)(t1 - t0) / ops, true, ops, (u1 - u0) / ops);
}

static void bench_update(const char *workload, struct elem_map *m)
{
	uint8_t value[64] = { 1 };
	setup_maps();
	int ops = MAP_OPS;
	double u0 = user_ns();
	uint64_t t0 = now_ns();
	for (int i = 0; i < ops; i++) {
		uint32_t key = i & (MAP_KEYS - 1);
		if (bpf_map_update_elem(m->fd, &key, value, BPF_ANY))
			die("%s: %s", workload, strerror(errno));
	}
	uint64_t t1 = now_ns();
	double u1 = user_ns();
	report_user(workload, "ns/op", (double)(t1 - t0) / ops, true, ops, (u1 - u0) / ops);
}

/* Deletes every existing key (timed), puts them back (not timed), until MAP_OPS deletions. */
static void bench_delete(const char *workload, struct elem_map *m)
{
	uint8_t value[64] = { 0 };
	uint64_t total = 0;
	double user = 0;
	setup_maps();
	int passes = MAP_OPS / MAP_KEYS;
	for (int pass = 0; pass < passes; pass++) {
		double u0 = user_ns();
		uint64_t t0 = now_ns();
		for (uint32_t key = 0; key < MAP_KEYS; key++)
			if (bpf_map_delete_elem(m->fd, &key))
				die("%s: %s", workload, strerror(errno));
		total += now_ns() - t0;
		user += user_ns() - u0;
		for (uint32_t key = 0; key < MAP_KEYS; key++)
			if (bpf_map_update_elem(m->fd, &key, value, BPF_NOEXIST))
				die("%s refill: %s", workload, strerror(errno));
	}
	long ops = (long)passes * MAP_KEYS;
	report_user(workload, "ns/op", (double)total / ops, true, ops, user / ops);
}

/* ---- 2. iteration ---- */

static int big_fd = -1;

static void setup_big(void)
{
	if (big_fd >= 0)
		return;
	big_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "big", 4, 8, ITER_ENTRIES, NULL);
	if (big_fd < 0)
		die("create big: %s", strerror(-big_fd));
	static uint32_t keys[ITER_ENTRIES];
	static uint64_t values[ITER_ENTRIES];
	for (uint32_t i = 0; i < ITER_ENTRIES; i++) {
		keys[i] = i * 2654435761u; /* spread over the buckets */
		values[i] = i;
	}
	uint32_t count = ITER_ENTRIES;
	if (bpf_map_update_batch(big_fd, keys, values, &count, NULL) || count != ITER_ENTRIES)
		die("fill big: %s", strerror(errno));
}

static void bench_iter_next_key(void)
{
	setup_big();
	uint64_t sum = 0;
	long elements = 0;
	int walks = ITER_WALKS;
	double u0 = user_ns();
	uint64_t t0 = now_ns();
	for (int walk = 0; walk < walks; walk++) {
		uint32_t key, next;
		uint64_t value;
		int err = bpf_map_get_next_key(big_fd, NULL, &next);
		while (!err) {
			if (bpf_map_lookup_elem(big_fd, &next, &value) == 0) {
				sum += value;
				elements++;
			}
			key = next;
			err = bpf_map_get_next_key(big_fd, &key, &next);
		}
		if (err != -ENOENT)
			die("get_next_key: %s", strerror(-err));
	}
	uint64_t t1 = now_ns();
	double u1 = user_ns();
	if (elements != (long)walks * ITER_ENTRIES)
		die("next-key walk saw %ld elements", elements);
	sink += sum;
	report_user("iter_next_key_100k", "ms", (double)(t1 - t0) / walks / 1e6, true, elements, (u1 - u0) / elements);
}

static void bench_iter_batch(void)
{
	static uint32_t keys[BATCH];
	static uint64_t values[BATCH];
	setup_big();
	uint64_t sum = 0;
	long elements = 0;
	int walks = ITER_WALKS;
	double u0 = user_ns();
	uint64_t t0 = now_ns();
	for (int walk = 0; walk < walks; walk++) {
		uint64_t in_batch = 0, out_batch = 0;
		bool first = true;
		while (true) {
			uint32_t count = BATCH;
			int err = bpf_map_lookup_batch(big_fd, first ? NULL : &in_batch, &out_batch, keys, values, &count, NULL);
			if (err && err != -ENOENT)
				die("lookup_batch: %s", strerror(-err));
			for (uint32_t i = 0; i < count; i++)
				sum += values[i];
			elements += count;
			if (err == -ENOENT)
				break;
			in_batch = out_batch;
			first = false;
		}
	}
	uint64_t t1 = now_ns();
	double u1 = user_ns();
	if (elements != (long)walks * ITER_ENTRIES)
		die("batch walk saw %ld elements", elements);
	sink += sum;
	report_user("iter_batch_100k", "ms", (double)(t1 - t0) / walks / 1e6, true, elements, (u1 - u0) / elements);
}

/* ---- 3, 4. events; 6. links: the events object ---- */

static struct bpf_object *events;

static void setup_events(void)
{
	if (events)
		return;
	events = bpf_object__open_file(object_path("events.bpf.o"), NULL);
	if (!events)
		die("open events.bpf.o: %s", strerror(errno));
	int err = bpf_object__load(events);
	if (err)
		die("load events.bpf.o: %s", strerror(-err));
}

static int program_fd(const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(events, name);
	if (!p)
		die("no program %s", name);
	return bpf_program__fd(p);
}

static void produce(int prog_fd, int records)
{
	uint8_t packet[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof(packet), .repeat = records);
	int err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err || opts.retval != XDP_PASS)
		die("test run: %s (retval %u)", strerror(-err), opts.retval);
}

struct consume_state {
	uint64_t sum;
	long records;
};

static int ring_record(void *ctx, void *data, size_t size)
{
	struct consume_state *s = ctx;
	s->sum += *(uint64_t *)data;
	s->records++;
	return 0;
}

static void perf_record(void *ctx, int cpu, void *data, __u32 size)
{
	struct consume_state *s = ctx;
	s->sum += *(uint64_t *)data;
	s->records++;
}

static void perf_lost(void *ctx, int cpu, __u64 count)
{
	die("perf buffer lost %llu records on CPU %d", (unsigned long long)count, cpu);
}

/* Records per producer run: about half of the ring (8 MiB of the 16 MiB ring; 4 MiB of a CPU's 8 MiB). */
static int ring_records(int size) { return size == 16 ? 262144 : size == 128 ? 49152 : 8192; }
static int perf_records(int size) { return size == 16 ? 131072 : size == 128 ? 32768 : 4096; }

/* One reader per map for the whole run, as an application keeps it (Workloads.cs does the same). */
static struct ring_buffer *ring_reader;
static struct perf_buffer *perf_reader;
static struct consume_state state;

static void bench_ringbuf(int size)
{
	char prog[32], workload[32];
	setup_events();
	snprintf(prog, sizeof(prog), "rb_%d", size);
	snprintf(workload, sizeof(workload), "ringbuf_%dB", size);
	int fd = program_fd(prog);
	if (!ring_reader)
		ring_reader = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(events, "rb")), ring_record, &state, NULL);
	if (!ring_reader)
		die("ring_buffer__new: %s", strerror(errno));
	struct ring_buffer *rb = ring_reader;
	memset(&state, 0, sizeof(state));
	int records = ring_records(size);
	uint64_t total = 0;
	for (int fill = 0; fill < EVENT_FILLS(size); fill++) {
		produce(fd, records);
		uint64_t t0 = now_ns();
		int n = ring_buffer__consume(rb);
		total += now_ns() - t0;
		if (n != records)
			die("%s: consumed %d of %d", workload, n, records);
	}
	sink += state.sum;
	report(workload, "Mev/s", (double)state.records / ((double)total / 1e9) / 1e6, false, state.records);
}

static void bench_perfbuf(int size)
{
	char prog[32], workload[32];
	setup_events();
	snprintf(prog, sizeof(prog), "pb_%d", size);
	snprintf(workload, sizeof(workload), "perfbuf_%dB", size);
	int fd = program_fd(prog);
	if (!perf_reader)
		perf_reader = perf_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(events, "pb")), PERF_PAGES,
					       perf_record, perf_lost, &state, NULL);
	if (!perf_reader)
		die("perf_buffer__new: %s", strerror(errno));
	struct perf_buffer *pb = perf_reader;
	memset(&state, 0, sizeof(state));
	int records = perf_records(size);
	uint64_t total = 0;
	for (int fill = 0; fill < EVENT_FILLS(size); fill++) {
		long before = state.records;
		produce(fd, records);
		uint64_t t0 = now_ns();
		int err = perf_buffer__consume(pb);
		total += now_ns() - t0;
		if (err || state.records - before != records)
			die("%s: consumed %ld of %d (%d)", workload, state.records - before, records, err);
	}
	sink += state.sum;
	report(workload, "Mev/s", (double)state.records / ((double)total / 1e9) / 1e6, false, state.records);
}

/*
 * Link churn: LINKS times attach one link, then destroy it. Another program (keep_*) stays attached to the
 * same tracepoint meanwhile and is not timed: when a tracepoint loses its last probe the kernel waits for an
 * RCU grace period (raw tracepoints on the next 0->1 transition, perf tracepoints in perf_trace_event_unreg),
 * which would turn the benchmark into a measurement of the grace period (13-75 ms per link on the reference
 * machine). A perf tracepoint takes each program once (EEXIST), so links are not stacked.
 */
static struct bpf_link *attach_raw_tp(struct bpf_program *p)
{
	struct bpf_link *link = bpf_program__attach_raw_tracepoint(p, "task_rename");
	if (!link)
		die("attach raw_tp: %s", strerror(errno));
	return link;
}

static struct bpf_link *attach_tp(struct bpf_program *p)
{
	struct bpf_link *link = bpf_program__attach_tracepoint(p, "task", "task_rename");
	if (!link)
		die("attach tracepoint: %s", strerror(errno));
	return link;
}

static int env_int(const char *name, int fallback)
{
	const char *v = getenv(name);
	int n = v ? atoi(v) : 0;
	return n > 0 ? n : fallback;
}

static void bench_links(const char *workload, const char *prog, const char *keep,
			struct bpf_link *(*attach)(struct bpf_program *), int links)
{
	setup_events();
	struct bpf_program *p = bpf_object__find_program_by_name(events, prog);
	struct bpf_link *keeper = attach(bpf_object__find_program_by_name(events, keep));
	links = SCALED(links);
	uint64_t t0 = now_ns();
	for (int i = 0; i < links; i++)
		bpf_link__destroy(attach(p));
	uint64_t t1 = now_ns();
	bpf_link__destroy(keeper);
	report(workload, "us/link", (double)(t1 - t0) / links / 1e3, true, links);
}

static void bench_raw_tp_links(void) { bench_links("raw_tp_link_churn", "churn_raw_tp", "keep_raw_tp", attach_raw_tp, env_int("BENCH_RAW_TP_LINKS", LINKS)); }
static void bench_tracepoint_links(void) { bench_links("tracepoint_link_churn", "churn_tp", "keep_tp", attach_tp, env_int("BENCH_TRACEPOINT_LINKS", LINKS)); }

/* ---- 5. objects and BTF ---- */

static void bench_object_load(void)
{
	int loads = OBJECT_LOADS;
	uint64_t t0 = now_ns();
	for (int i = 0; i < loads; i++) {
		struct bpf_object *obj = bpf_object__open_file(object_path("large.bpf.o"), NULL);
		if (!obj)
			die("open large.bpf.o: %s", strerror(errno));
		int err = bpf_object__load(obj);
		if (err)
			die("load large.bpf.o: %s", strerror(-err));
		bpf_object__close(obj);
	}
	uint64_t t1 = now_ns();
	report("object_open_load_large", "ms", (double)(t1 - t0) / loads / 1e6, true, loads);
}

static void bench_btf(void)
{
	int parses = BTF_PARSES;
	uint64_t t0 = now_ns();
	for (int i = 0; i < parses; i++) {
		struct btf *btf = btf__load_vmlinux_btf();
		if (!btf)
			die("btf__load_vmlinux_btf: %s", strerror(errno));
		sink += btf__type_cnt(btf);
		btf__free(btf);
	}
	uint64_t t1 = now_ns();
	report("btf_vmlinux_parse", "ms", (double)(t1 - t0) / parses / 1e6, true, parses);
}

// Open + load + close of every object of the compatibility corpora that both libraries load (the list, one path a
// line, is BENCH_COMPAT_OBJECTS, written by bench/compare.sh from compat/compat.py's last results): the objects
// nobody on this project wrote, each with its default autoload.
static void bench_compat_corpus(void)
{
	const char *list = getenv("BENCH_COMPAT_OBJECTS");
	FILE *f = list ? fopen(list, "r") : NULL;
	if (!f)
		die("compat_corpus_open_load: BENCH_COMPAT_OBJECTS names no readable list");
	static char paths[4096][512];
	int count = 0;
	while (count < 4096 && fgets(paths[count], sizeof(paths[count]), f))
		if ((paths[count][strcspn(paths[count], "\n")] = 0, paths[count][0]))
			count++;
	fclose(f);
	int loads = SCALED(count);
	uint64_t t0 = now_ns();
	for (int i = 0; i < loads; i++) {
		struct bpf_object *obj = bpf_object__open_file(paths[i], NULL);
		if (!obj)
			die("open %s: %s", paths[i], strerror(errno));
		int err = bpf_object__load(obj);
		if (err)
			die("load %s: %s", paths[i], strerror(-err));
		bpf_object__close(obj);
	}
	uint64_t t1 = now_ns();
	report("compat_corpus_open_load", "ms/object", (double)(t1 - t0) / loads / 1e6, true, loads);
}

/* ---- driver ---- */

/* ---- 7. a generated skeleton: bpftool gen skeleton's (flows.skel.h, from bench/objects/flows.bpf.o) ---- */

/* The object embedded in the skeleton, opened and loaded once. */
static struct flows_bpf *flows;

/* The i-th key of the flows map; Workloads.cs builds the same keys. */
static struct flow_key flow_key_of(uint32_t i)
{
	return (struct flow_key){ .saddr = i, .daddr = 0x0100007f, .sport = (__u16)i, .dport = 443, .proto = 6 };
}

static void setup_flows(void)
{
	if (flows)
		return;
	flows = flows_bpf__open_and_load();
	if (!flows)
		die("flows_bpf__open_and_load: %s", strerror(errno));
	struct flow_stats stats = { 0 };
	for (uint32_t k = 0; k < MAP_KEYS; k++) {
		struct flow_key key = flow_key_of(k);
		if (bpf_map__update_elem(flows->maps.flows, &key, sizeof(key), &stats, sizeof(stats), BPF_ANY))
			die("fill flows: %s", strerror(errno));
	}
}

static void bench_skeleton_lookup(void)
{
	setup_flows();
	int ops = MAP_OPS;
	struct flow_stats stats;
	uint64_t sum = 0;
	double u0 = user_ns();
	uint64_t t0 = now_ns();
	for (int i = 0; i < ops; i++) {
		struct flow_key key = flow_key_of(i & (MAP_KEYS - 1));
		if (bpf_map__lookup_elem(flows->maps.flows, &key, sizeof(key), &stats, sizeof(stats), 0))
			die("skeleton_hash_lookup_16B: %s", strerror(errno));
		sum += stats.packets;
	}
	uint64_t t1 = now_ns();
	double u1 = user_ns();
	sink += sum;
	report_user("skeleton_hash_lookup_16B", "ns/op", (double)(t1 - t0) / ops, true, ops, (u1 - u0) / ops);
}

static void bench_skeleton_update(void)
{
	setup_flows();
	int ops = MAP_OPS;
	double u0 = user_ns();
	uint64_t t0 = now_ns();
	for (int i = 0; i < ops; i++) {
		struct flow_key key = flow_key_of(i & (MAP_KEYS - 1));
		struct flow_stats stats = { .packets = (__u64)i, .bytes = 64 };
		if (bpf_map__update_elem(flows->maps.flows, &key, sizeof(key), &stats, sizeof(stats), BPF_ANY))
			die("skeleton_hash_update_16B: %s", strerror(errno));
	}
	uint64_t t1 = now_ns();
	double u1 = user_ns();
	report_user("skeleton_hash_update_16B", "ns/op", (double)(t1 - t0) / ops, true, ops, (u1 - u0) / ops);
}

/* The record, typed by the shared header: add its sequence number, as the other event rows add their first u64. */
static int flow_record(void *ctx, void *data, size_t size)
{
	struct consume_state *s = ctx;
	const struct flow_event *e = data;
	s->sum += e->seq;
	s->records++;
	return 0;
}

static struct ring_buffer *flow_reader;

static void bench_skeleton_ringbuf(void)
{
	setup_flows();
	int fd = bpf_program__fd(flows->progs.flow_events);
	if (!flow_reader)
		flow_reader = ring_buffer__new(bpf_map__fd(flows->maps.events), flow_record, &state, NULL);
	if (!flow_reader)
		die("ring_buffer__new: %s", strerror(errno));
	memset(&state, 0, sizeof(state));
	int records = ring_records(16);
	uint64_t total = 0;
	for (int fill = 0; fill < EVENT_FILLS(16); fill++) {
		produce(fd, records);
		uint64_t t0 = now_ns();
		int n = ring_buffer__consume(flow_reader);
		total += now_ns() - t0;
		if (n != records)
			die("skeleton_ringbuf_16B: consumed %d of %d", n, records);
	}
	sink += state.sum;
	report("skeleton_ringbuf_16B", "Mev/s", (double)state.records / ((double)total / 1e9) / 1e6, false, state.records);
}

/* A .bss global read through the skeleton's mmap'ed section (what BpfSharp's Variables.Seq reads). */
static void bench_skeleton_global_read(void)
{
	setup_flows();
	int ops = MAP_OPS;
	uint64_t sum = 0;
	uint64_t t0 = now_ns();
	for (int i = 0; i < ops; i++)
		sum += *(volatile __u64 *)&flows->bss->seq;
	uint64_t t1 = now_ns();
	sink += sum;
	report("skeleton_global_read", "ns/op", (double)(t1 - t0) / ops, true, ops);
}

static void w_hash8_lookup(void) { bench_lookup("hash_lookup_8B", &hash8); }
static void w_hash8_update(void) { bench_update("hash_update_8B", &hash8); }
static void w_hash8_delete(void) { bench_delete("hash_delete_8B", &hash8); }
static void w_hash64_lookup(void) { bench_lookup("hash_lookup_64B", &hash64); }
static void w_hash64_update(void) { bench_update("hash_update_64B", &hash64); }
static void w_hash64_delete(void) { bench_delete("hash_delete_64B", &hash64); }
static void w_array_lookup(void) { bench_lookup("array_lookup_8B", &array8); }
static void w_percpu_lookup(void) { bench_lookup("percpu_array_lookup_8B", &percpu8); }
static void w_rb16(void) { bench_ringbuf(16); }
static void w_rb128(void) { bench_ringbuf(128); }
static void w_rb1024(void) { bench_ringbuf(1024); }
static void w_pb16(void) { bench_perfbuf(16); }
static void w_pb128(void) { bench_perfbuf(128); }
static void w_pb1024(void) { bench_perfbuf(1024); }

static const struct {
	const char *name;
	void (*run)(void);
} workloads[] = {
	{ "hash_lookup_8B", w_hash8_lookup },
	{ "hash_update_8B", w_hash8_update },
	{ "hash_delete_8B", w_hash8_delete },
	{ "hash_lookup_64B", w_hash64_lookup },
	{ "hash_update_64B", w_hash64_update },
	{ "hash_delete_64B", w_hash64_delete },
	{ "array_lookup_8B", w_array_lookup },
	{ "percpu_array_lookup_8B", w_percpu_lookup },
	{ "iter_next_key_100k", bench_iter_next_key },
	{ "iter_batch_100k", bench_iter_batch },
	{ "ringbuf_16B", w_rb16 },
	{ "ringbuf_128B", w_rb128 },
	{ "ringbuf_1024B", w_rb1024 },
	{ "perfbuf_16B", w_pb16 },
	{ "perfbuf_128B", w_pb128 },
	{ "perfbuf_1024B", w_pb1024 },
	{ "object_open_load_large", bench_object_load },
	{ "btf_vmlinux_parse", bench_btf },
	{ "raw_tp_link_churn", bench_raw_tp_links },
	{ "tracepoint_link_churn", bench_tracepoint_links },
	{ "compat_corpus_open_load", bench_compat_corpus },
	{ "skeleton_hash_lookup_16B", bench_skeleton_lookup },
	{ "skeleton_hash_update_16B", bench_skeleton_update },
	{ "skeleton_ringbuf_16B", bench_skeleton_ringbuf },
	{ "skeleton_global_read", bench_skeleton_global_read },
};

// compat_corpus_open_load exists only when bench/compare.sh found the compatibility corpora.
static bool available(const char *name)
{
	return strcmp(name, "compat_corpus_open_load") || getenv("BENCH_COMPAT_OBJECTS");
}

static bool run(const char *name)
{
	static bool warmed[sizeof(workloads) / sizeof(workloads[0])];
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		if (!strcmp(workloads[i].name, name)) {
			/* The first run warms caches, page tables and the event rings up, unreported, as Workloads.cs does. */
			if (!warmed[i]) {
				warmed[i] = warming = true;
				workloads[i].run();
				warming = false;
			}
			workloads[i].run();
			return true;
		}
	fprintf(stderr, "bench-native: unknown workload %s\n", name);
	return false;
}

static void *idle_thread(void *arg)
{
	for (;;)
		pause();
	return arg;
}

int main(int argc, char **argv)
{
	bool serve = false;
	int first = argc;
	if (getenv("BENCH_IDLE_THREAD")) {
		pthread_t t;
		pthread_create(&t, NULL, idle_thread, NULL);
	}
	libbpf_set_print(quiet_print);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--objects") && i + 1 < argc)
			objects_dir = argv[++i];
		else if (!strcmp(argv[i], "--serve"))
			serve = true;
		else if (!strcmp(argv[i], "--loadable")) {
			char path[4096];
			while (fgets(path, sizeof(path), stdin)) {
				path[strcspn(path, "\n")] = 0;
				struct bpf_object *obj = path[0] ? bpf_object__open_file(path, NULL) : NULL;
				if (obj && !bpf_object__load(obj))
					printf("%s\n", path);
				bpf_object__close(obj);
			}
			return 0;
		} else if (!strcmp(argv[i], "--list")) {
			for (size_t w = 0; w < sizeof(workloads) / sizeof(workloads[0]); w++)
				if (available(workloads[w].name))
					printf("%s\n", workloads[w].name);
			return 0;
		} else {
			first = i;
			break;
		}
	}
	if (serve) {
		char line[256];
		while (fgets(line, sizeof(line), stdin)) {
			line[strcspn(line, "\r\n")] = 0;
			if (!*line)
				continue;
			if (!run(line))
				printf("{\"impl\":\"libbpf\",\"workload\":\"%s\",\"error\":\"unknown\"}\n", line), fflush(stdout);
		}
	} else if (first < argc) {
		for (int i = first; i < argc; i++)
			if (!run(argv[i]))
				return 2;
	} else {
		for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
			if (available(workloads[i].name))
				run(workloads[i].name);
	}
	if (ring_reader)
		ring_buffer__free(ring_reader);
	if (perf_reader)
		perf_buffer__free(perf_reader);
	if (flow_reader)
		ring_buffer__free(flow_reader);
	flows_bpf__destroy(flows);
	if (events)
		bpf_object__close(events);
	return sink == 42 ? 3 : 0; /* keeps the sink alive */
}
