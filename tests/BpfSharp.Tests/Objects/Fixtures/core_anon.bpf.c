// SPDX-License-Identifier: GPL-2.0
// CO-RE through anonymous structs and unions: local views (flavoured ___local names, other layouts than the
// kernel's) of kernel types whose fields sit inside anonymous members, on the local side, the kernel side or
// both: sock_common's addresses and ports, dentry.d_name (a flavoured qstr behind an anonymous union, itself
// holding len in an anonymous struct inside an anonymous union), file.f_path, sk_buff.pkt_type (a bitfield in an
// anonymous struct in an anonymous union: core_anon_skb.bpf.c) and bpf_iter__task.meta/task. See README.md.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define __core __attribute__((preserve_access_index))

// The kernel: union { addrpair; struct { daddr; rcv_saddr; }; } then a hash union, then
// union { portpair; struct { dport; num; }; }, then family. Here: family first, ports before addresses, and a
// field the kernel lacks inside an anonymous struct.
struct sock_common___local {
	unsigned short skc_family;
	union {
		struct {
			__u16 skc_dport;
			__u16 skc_num;
		};
		__u32 skc_portpair;
	};
	struct {
		__u32 skc_not_in_kernel;
		union {
			struct {
				__u32 skc_daddr;
				__u32 skc_rcv_saddr;
			};
			__u64 skc_addrpair;
		};
	};
} __core;

struct sock___local {
	struct sock_common___local __sk_common;
} __core;

struct socket___local {
	struct sock___local *sk;
} __core;

// The kernel: union { struct { hash; len; }; hash_len; } then name. No hash_len here: "type matches" compares the
// names of integer types, and clang's "unsigned long long" is pahole's "long long unsigned int".
struct qstr___local {
	const unsigned char *name;
	union {
		struct {
			__u32 hash;
			__u32 len;
		};
	};
} __core;

// A flavoured type behind an anonymous member (the kernel: union { struct qstr __d_name; const struct qstr d_name; }).
struct dentry___local {
	union {
		const struct qstr___local d_name;
	};
} __core;

struct path___local {
	void *mnt;
	struct dentry___local *dentry;
} __core;

// The kernel's f_path is in an anonymous union; this view has it as a plain member.
struct file___local {
	void *private_data;
	struct path___local f_path;
} __core;

struct fdtable___local {
	struct file___local **fd;
} __core;

struct files_struct___local {
	struct fdtable___local *fdt;
} __core;

struct task_struct___local {
	int pid;
	struct files_struct___local *files;
} __core;

// Read in the calling thread (BPF_PROG_TEST_RUN of a raw tracepoint): context = { file fd, socket fd }.
char file_name[32];
__u64 file_name_len, family, dport, num, daddr, rcv_saddr;
// Relocated values, checked against the kernel's BTF.
__u64 daddr_offset, dport_offset, num_offset, name_offset, dentry_offset, len_offset, addrpair_offset;
__u64 dport_size, dport_signed, family_signed, daddr_exists, missing_exists, addrpair_size;
// Type-based relocations of types with anonymous members.
__u64 qstr_matches, sock_common_matches, qstr_size, dentry_exists;

static struct file___local *fd_file(struct task_struct___local *task, __u64 fd)
{
	struct file___local **fds = BPF_CORE_READ(task, files, fdt, fd);
	struct file___local *file = NULL;

	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

SEC("raw_tp/sys_enter")
int read_fds(__u64 *ctx)
{
	struct task_struct___local *task = (void *)bpf_get_current_task();
	struct file___local *file = fd_file(task, ctx[0]);
	struct file___local *sock_file = fd_file(task, ctx[1]);
	struct socket___local *sock = BPF_CORE_READ(sock_file, private_data);
	struct sock___local *sk = BPF_CORE_READ(sock, sk);

	bpf_probe_read_kernel_str(file_name, sizeof(file_name), BPF_CORE_READ(file, f_path.dentry, d_name.name));
	file_name_len = BPF_CORE_READ(file, f_path.dentry, d_name.len);
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	num = BPF_CORE_READ(sk, __sk_common.skc_num);
	daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	rcv_saddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

	daddr_offset = bpf_core_field_offset(sk->__sk_common.skc_daddr);
	dport_offset = bpf_core_field_offset(sk->__sk_common.skc_dport);
	num_offset = bpf_core_field_offset(sk->__sk_common.skc_num);
	addrpair_offset = bpf_core_field_offset(sk->__sk_common.skc_addrpair);
	addrpair_size = bpf_core_field_size(sk->__sk_common.skc_addrpair);
	dport_size = bpf_core_field_size(sk->__sk_common.skc_dport);
	dport_signed = __builtin_preserve_field_info(sk->__sk_common.skc_dport, BPF_FIELD_SIGNED);
	family_signed = __builtin_preserve_field_info(sk->__sk_common.skc_family, BPF_FIELD_SIGNED);
	daddr_exists = bpf_core_field_exists(sk->__sk_common.skc_rcv_saddr);
	missing_exists = bpf_core_field_exists(sk->__sk_common.skc_not_in_kernel);
	dentry_offset = bpf_core_field_offset(file->f_path.dentry);
	name_offset = bpf_core_field_offset(file->f_path.dentry->d_name.name);
	len_offset = bpf_core_field_offset(file->f_path.dentry->d_name.len);

	qstr_matches = bpf_core_type_matches(struct qstr___local);
	sock_common_matches = bpf_core_type_matches(struct sock_common___local);
	qstr_size = bpf_core_type_size(struct qstr___local);
	dentry_exists = bpf_core_type_exists(struct dentry___local);
	return 0;
}

// The kernel: union { struct bpf_iter_meta *meta; }; union { struct task_struct *task; }. Here the task first.
struct seq_file;

struct bpf_iter_meta___local {
	__u64 seq_num;
	union {
		struct seq_file *seq;
	};
} __core;

struct bpf_iter__task___local {
	union {
		struct task_struct___local *task;
	};
	struct bpf_iter_meta___local *meta;
} __core;

__u64 meta_offset, task_offset, seq_num_offset;

// One record { seq_num, pid } per task.
SEC("iter/task")
int dump_tasks(struct bpf_iter__task___local *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct___local *task = ctx->task;
	__u64 record[2];

	meta_offset = bpf_core_field_offset(ctx->meta);
	task_offset = bpf_core_field_offset(ctx->task);
	seq_num_offset = bpf_core_field_offset(ctx->meta->seq_num);
	if (!task)
		return 0;
	record[0] = ctx->meta->seq_num;
	record[1] = task->pid;
	bpf_seq_write(seq, record, sizeof(record));
	return 0;
}
