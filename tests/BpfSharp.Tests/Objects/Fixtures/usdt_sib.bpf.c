// The USDT spec layout of libbpf 1.7's usdt.bpf.h, which Debian 12's libbpf-dev predates: argument specs grew to
// 24 bytes with the base + index * scale kind (BPF_USDT_ARG_SIB). The structs and maps are declared here as that
// header declares them, and the program reads arguments with this file's own code (cookie path only), so the tests
// can check BpfSharp's encoding of indexed and symbol-relative operands against what a probe passed.
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

enum __bpf_usdt_arg_type {
	BPF_USDT_ARG_CONST,
	BPF_USDT_ARG_REG,
	BPF_USDT_ARG_REG_DEREF,
	BPF_USDT_ARG_SIB,
};

struct __bpf_usdt_arg_spec {
	__u64 val_off;
	enum __bpf_usdt_arg_type arg_type: 8;
	__u16 idx_reg_off: 12;
	__u16 scale_bitshift: 4;
	__u8 __reserved: 8;
	short reg_off;
	bool arg_signed;
	char arg_bitshift;
};

struct __bpf_usdt_spec {
	struct __bpf_usdt_arg_spec args[12];
	__u64 usdt_cookie;
	short arg_cnt;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, int);
	__type(value, struct __bpf_usdt_spec);
} __bpf_usdt_specs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, long);
	__type(value, __u32);
} __bpf_usdt_ip_to_spec_id SEC(".maps");

#define MAX_ARGS 4

struct sib_event {
	__s32 count;
	__s32 pad;
	__s64 args[MAX_ARGS];
	__s32 errors[MAX_ARGS];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024);
} sib_events SEC(".maps");

static __always_inline int read_arg(struct pt_regs *ctx, struct __bpf_usdt_arg_spec *a, long *res)
{
	unsigned long val = 0, idx = 0;
	int err = 0;

	switch (a->arg_type) {
	case BPF_USDT_ARG_CONST:
		val = a->val_off;
		break;
	case BPF_USDT_ARG_REG:
		err = bpf_probe_read_kernel(&val, sizeof(val), (void *)ctx + a->reg_off);
		break;
	case BPF_USDT_ARG_REG_DEREF:
		err = bpf_probe_read_kernel(&val, sizeof(val), (void *)ctx + a->reg_off);
		if (!err)
			err = bpf_probe_read_user(&val, sizeof(val), (void *)val + a->val_off);
		break;
	case BPF_USDT_ARG_SIB:
		err = bpf_probe_read_kernel(&val, sizeof(val), (void *)ctx + a->reg_off);
		if (!err)
			err = bpf_probe_read_kernel(&idx, sizeof(idx), (void *)ctx + a->idx_reg_off);
		if (!err)
			err = bpf_probe_read_user(&val, sizeof(val), (void *)(val + (idx << a->scale_bitshift) + a->val_off));
		break;
	default:
		return -22;
	}
	if (err)
		return err;
	val <<= a->arg_bitshift;
	*res = a->arg_signed ? (long)val >> a->arg_bitshift : (long)(val >> a->arg_bitshift);
	return 0;
}

SEC("usdt")
int on_usdt_sib(struct pt_regs *ctx)
{
	int id = bpf_get_attach_cookie(ctx);
	struct __bpf_usdt_spec *spec = bpf_map_lookup_elem(&__bpf_usdt_specs, &id);
	if (!spec)
		return 0;
	struct sib_event *e = bpf_ringbuf_reserve(&sib_events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->count = spec->arg_cnt;
	e->pad = 0;
	for (int i = 0; i < MAX_ARGS; i++) {
		long v = 0;
		e->errors[i] = i < spec->arg_cnt ? read_arg(ctx, &spec->args[i], &v) : -2;
		e->args[i] = v;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
