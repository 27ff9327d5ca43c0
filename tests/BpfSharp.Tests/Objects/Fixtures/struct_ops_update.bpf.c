// SPDX-License-Identifier: GPL-2.0
// struct_ops.bpf.c in the older form: SEC(".struct_ops"), registered by the map update itself and unregistered
// by deleting the element. See README.md.
#define STRUCT_OPS_SECTION ".struct_ops"
#include "struct_ops.bpf.c"
