// Generated once from the kernel's enum bpf_func_id (Linux 6.18) with
//   bpftool btf dump file /sys/kernel/btf/vmlinux format c | grep BPF_FUNC_
// by turning each BPF_FUNC_snake_name into PascalCase. Helper ids are stable ABI: the kernel
// only appends new ones, so a value here never changes meaning. BpfHelperTests checks them
// against the running kernel.

namespace BpfSharp.Asm;

/// <summary>
/// The kernel's helper functions, by the id a <c>call</c> instruction carries in its immediate
/// (<c>enum bpf_func_id</c>). Which helpers a program may call depends on its program type;
/// the verifier rejects a call to one that is not allowed.
/// </summary>
public enum BpfHelper
{
    /// <summary>Helper 0, <c>BPF_FUNC_unspec</c>: not a helper; the kernel rejects a call to it.</summary>
    Unspec = 0,
    /// <summary><c>bpf_map_lookup_elem</c> (helper 1): Perform a lookup in map for an entry associated to key.</summary>
    MapLookupElem = 1,
    /// <summary><c>bpf_map_update_elem</c> (helper 2): Add or update the value of the entry associated to key in map with value.</summary>
    MapUpdateElem = 2,
    /// <summary><c>bpf_map_delete_elem</c> (helper 3): Delete entry with key from map.</summary>
    MapDeleteElem = 3,
    /// <summary><c>bpf_probe_read</c> (helper 4): Reads kernel memory (superseded by bpf_probe_read_kernel and bpf_probe_read_user).</summary>
    ProbeRead = 4,
    /// <summary><c>bpf_ktime_get_ns</c> (helper 5): Return the time elapsed since system boot, in nanoseconds.</summary>
    KtimeGetNs = 5,
    /// <summary><c>bpf_trace_printk</c> (helper 6): Writes a formatted message to the trace pipe (debugging).</summary>
    TracePrintk = 6,
    /// <summary><c>bpf_get_prandom_u32</c> (helper 7): Get a pseudo-random number.</summary>
    GetPrandomU32 = 7,
    /// <summary><c>bpf_get_smp_processor_id</c> (helper 8): Get the SMP (symmetric multiprocessing) processor id.</summary>
    GetSmpProcessorId = 8,
    /// <summary><c>bpf_skb_store_bytes</c> (helper 9): Store len bytes from address from into the packet associated to skb, at offset.</summary>
    SkbStoreBytes = 9,
    /// <summary><c>bpf_l3_csum_replace</c> (helper 10): Updates the layer 3 (IP) checksum of the packet after a change.</summary>
    L3CsumReplace = 10,
    /// <summary><c>bpf_l4_csum_replace</c> (helper 11): Updates the layer 4 (TCP, UDP) checksum of the packet after a change.</summary>
    L4CsumReplace = 11,
    /// <summary><c>bpf_tail_call</c> (helper 12): This special helper is used to trigger a "tail call", or in other words, to jump into another eBPF program.</summary>
    TailCall = 12,
    /// <summary><c>bpf_clone_redirect</c> (helper 13): Clone and redirect the packet associated to skb to another net device of index ifindex.</summary>
    CloneRedirect = 13,
    /// <summary><c>bpf_get_current_pid_tgid</c> (helper 14): Get the current pid and tgid.</summary>
    GetCurrentPidTgid = 14,
    /// <summary><c>bpf_get_current_uid_gid</c> (helper 15): Get the current uid and gid.</summary>
    GetCurrentUidGid = 15,
    /// <summary><c>bpf_get_current_comm</c> (helper 16): Copy the comm attribute of the current task into buf of size_of_buf.</summary>
    GetCurrentComm = 16,
    /// <summary><c>bpf_get_cgroup_classid</c> (helper 17): Retrieve the classid for the current task, i.e.</summary>
    GetCgroupClassid = 17,
    /// <summary><c>bpf_skb_vlan_push</c> (helper 18): Pushes a VLAN tag onto the packet.</summary>
    SkbVlanPush = 18,
    /// <summary><c>bpf_skb_vlan_pop</c> (helper 19): Pop a VLAN header from the packet associated to skb.</summary>
    SkbVlanPop = 19,
    /// <summary><c>bpf_skb_get_tunnel_key</c> (helper 20): Get tunnel metadata.</summary>
    SkbGetTunnelKey = 20,
    /// <summary><c>bpf_skb_set_tunnel_key</c> (helper 21): Sets the tunnel metadata of the packet.</summary>
    SkbSetTunnelKey = 21,
    /// <summary><c>bpf_perf_event_read</c> (helper 22): Read the value of a perf event counter.</summary>
    PerfEventRead = 22,
    /// <summary><c>bpf_redirect</c> (helper 23): Redirect the packet to another net device of index ifindex.</summary>
    Redirect = 23,
    /// <summary><c>bpf_get_route_realm</c> (helper 24): Retrieve the realm or the route, that is to say the tclassid field of the destination for the skb.</summary>
    GetRouteRealm = 24,
    /// <summary><c>bpf_perf_event_output</c> (helper 25): Write raw data blob into a special BPF perf event held by map of type BPF_MAP_TYPE_PERF_EVENT_ARRAY.</summary>
    PerfEventOutput = 25,
    /// <summary><c>bpf_skb_load_bytes</c> (helper 26): Copies bytes from the packet to a buffer.</summary>
    SkbLoadBytes = 26,
    /// <summary><c>bpf_get_stackid</c> (helper 27): Walk a user or a kernel stack and return its id.</summary>
    GetStackid = 27,
    /// <summary><c>bpf_csum_diff</c> (helper 28): Computes a checksum difference between two buffers.</summary>
    CsumDiff = 28,
    /// <summary><c>bpf_skb_get_tunnel_opt</c> (helper 29): Reads the tunnel options metadata of the packet.</summary>
    SkbGetTunnelOpt = 29,
    /// <summary><c>bpf_skb_set_tunnel_opt</c> (helper 30): Sets the tunnel options metadata of the packet.</summary>
    SkbSetTunnelOpt = 30,
    /// <summary><c>bpf_skb_change_proto</c> (helper 31): Change the protocol of the skb to proto.</summary>
    SkbChangeProto = 31,
    /// <summary><c>bpf_skb_change_type</c> (helper 32): Change the packet type for the packet associated to skb.</summary>
    SkbChangeType = 32,
    /// <summary><c>bpf_skb_under_cgroup</c> (helper 33): Check whether skb is a descendant of the cgroup2 held by map of type BPF_MAP_TYPE_CGROUP_ARRAY, at index.</summary>
    SkbUnderCgroup = 33,
    /// <summary><c>bpf_get_hash_recalc</c> (helper 34): Retrieve the hash of the packet, skb-&gt;hash.</summary>
    GetHashRecalc = 34,
    /// <summary><c>bpf_get_current_task</c> (helper 35): Get the current task.</summary>
    GetCurrentTask = 35,
    /// <summary><c>bpf_probe_write_user</c> (helper 36): Writes to user memory of the current task.</summary>
    ProbeWriteUser = 36,
    /// <summary><c>bpf_current_task_under_cgroup</c> (helper 37): Check whether the probe is being run is the context of a given subset of the cgroup2 hierarchy.</summary>
    CurrentTaskUnderCgroup = 37,
    /// <summary><c>bpf_skb_change_tail</c> (helper 38): Resize (trim or grow) the packet associated to skb to the new len.</summary>
    SkbChangeTail = 38,
    /// <summary><c>bpf_skb_pull_data</c> (helper 39): Pull in non-linear data in case the skb is non-linear and not all of len are part of the linear section.</summary>
    SkbPullData = 39,
    /// <summary><c>bpf_csum_update</c> (helper 40): Adds a checksum to the packet's full checksum (CHECKSUM_COMPLETE).</summary>
    CsumUpdate = 40,
    /// <summary><c>bpf_set_hash_invalid</c> (helper 41): Invalidate the current skb-&gt;hash.</summary>
    SetHashInvalid = 41,
    /// <summary><c>bpf_get_numa_node_id</c> (helper 42): Return the id of the current NUMA node.</summary>
    GetNumaNodeId = 42,
    /// <summary><c>bpf_skb_change_head</c> (helper 43): Grows the packet's headroom and moves its MAC header.</summary>
    SkbChangeHead = 43,
    /// <summary><c>bpf_xdp_adjust_head</c> (helper 44): Adjust (move) xdp_md-&gt;data by delta bytes.</summary>
    XdpAdjustHead = 44,
    /// <summary><c>bpf_probe_read_str</c> (helper 45): Copy a NUL terminated string from an unsafe kernel address unsafe_ptr to dst.</summary>
    ProbeReadStr = 45,
    /// <summary><c>bpf_get_socket_cookie</c> (helper 46): Returns the cookie of the packet's socket.</summary>
    GetSocketCookie = 46,
    /// <summary><c>bpf_get_socket_uid</c> (helper 47): Get the owner UID of the socket associated to skb.</summary>
    GetSocketUid = 47,
    /// <summary><c>bpf_set_hash</c> (helper 48): Set the full hash for skb (set the field skb-&gt;hash) to value hash.</summary>
    SetHash = 48,
    /// <summary><c>bpf_setsockopt</c> (helper 49): Emulate a call to setsockopt() on the socket associated to bpf_socket, which must be a full socket.</summary>
    Setsockopt = 49,
    /// <summary><c>bpf_skb_adjust_room</c> (helper 50): Grows or shrinks the room for data in the packet.</summary>
    SkbAdjustRoom = 50,
    /// <summary><c>bpf_redirect_map</c> (helper 51): Redirect the packet to the endpoint referenced by map at index key.</summary>
    RedirectMap = 51,
    /// <summary><c>bpf_sk_redirect_map</c> (helper 52): Redirect the packet to the socket referenced by map (of type BPF_MAP_TYPE_SOCKMAP) at index key.</summary>
    SkRedirectMap = 52,
    /// <summary><c>bpf_sock_map_update</c> (helper 53): Add an entry to, or update a map referencing sockets.</summary>
    SockMapUpdate = 53,
    /// <summary><c>bpf_xdp_adjust_meta</c> (helper 54): Adjust the address pointed by xdp_md-&gt;data_meta by delta (which can be positive or negative).</summary>
    XdpAdjustMeta = 54,
    /// <summary><c>bpf_perf_event_read_value</c> (helper 55): Read the value of a perf event counter, and store it into buf of size buf_size.</summary>
    PerfEventReadValue = 55,
    /// <summary><c>bpf_perf_prog_read_value</c> (helper 56): Reads the counter of the perf event the program is attached to.</summary>
    PerfProgReadValue = 56,
    /// <summary><c>bpf_getsockopt</c> (helper 57): Emulate a call to getsockopt() on the socket associated to bpf_socket, which must be a full socket.</summary>
    Getsockopt = 57,
    /// <summary><c>bpf_override_return</c> (helper 58): Overrides the return value of the probed function (error injection).</summary>
    OverrideReturn = 58,
    /// <summary><c>bpf_sock_ops_cb_flags_set</c> (helper 59): Sets the socket's <c>bpf_sock_ops_cb_flags</c>.</summary>
    SockOpsCbFlagsSet = 59,
    /// <summary><c>bpf_msg_redirect_map</c> (helper 60): Redirects the message to a socket of a sockmap.</summary>
    MsgRedirectMap = 60,
    /// <summary><c>bpf_msg_apply_bytes</c> (helper 61): For socket policies, apply the verdict of the eBPF program to the next bytes (number of bytes) of message msg.</summary>
    MsgApplyBytes = 61,
    /// <summary><c>bpf_msg_cork_bytes</c> (helper 62): Holds the verdict until the given number of bytes has accumulated.</summary>
    MsgCorkBytes = 62,
    /// <summary><c>bpf_msg_pull_data</c> (helper 63): Pulls non-linear message data in and sets <c>data</c> and <c>data_end</c>.</summary>
    MsgPullData = 63,
    /// <summary><c>bpf_bind</c> (helper 64): Bind the socket associated to ctx to the address pointed by addr, of length addr_len.</summary>
    Bind = 64,
    /// <summary><c>bpf_xdp_adjust_tail</c> (helper 65): Adjust (move) xdp_md-&gt;data_end by delta bytes.</summary>
    XdpAdjustTail = 65,
    /// <summary><c>bpf_skb_get_xfrm_state</c> (helper 66): Reads an XFRM state from the packet's security path.</summary>
    SkbGetXfrmState = 66,
    /// <summary><c>bpf_get_stack</c> (helper 67): Return a user or a kernel stack in bpf program provided buffer.</summary>
    GetStack = 67,
    /// <summary><c>bpf_skb_load_bytes_relative</c> (helper 68): Loads bytes from the packet relative to the MAC or network header.</summary>
    SkbLoadBytesRelative = 68,
    /// <summary><c>bpf_fib_lookup</c> (helper 69): Do FIB lookup in kernel tables using parameters in params.</summary>
    FibLookup = 69,
    /// <summary><c>bpf_sock_hash_update</c> (helper 70): Add an entry to, or update a sockhash map referencing sockets.</summary>
    SockHashUpdate = 70,
    /// <summary><c>bpf_msg_redirect_hash</c> (helper 71): Redirects the message to a socket of a sockhash.</summary>
    MsgRedirectHash = 71,
    /// <summary><c>bpf_sk_redirect_hash</c> (helper 72): Redirects the packet to a socket of a sockhash.</summary>
    SkRedirectHash = 72,
    /// <summary><c>bpf_lwt_push_encap</c> (helper 73): Encapsulate the packet associated to skb within a Layer 3 protocol header.</summary>
    LwtPushEncap = 73,
    /// <summary><c>bpf_lwt_seg6_store_bytes</c> (helper 74): Store len bytes from address from into the packet associated to skb, at offset.</summary>
    LwtSeg6StoreBytes = 74,
    /// <summary><c>bpf_lwt_seg6_adjust_srh</c> (helper 75): Resizes the TLVs of the outermost IPv6 Segment Routing Header.</summary>
    LwtSeg6AdjustSrh = 75,
    /// <summary><c>bpf_lwt_seg6_action</c> (helper 76): Apply an IPv6 Segment Routing action of type action to the packet associated to skb.</summary>
    LwtSeg6Action = 76,
    /// <summary><c>bpf_rc_repeat</c> (helper 77): Reports a decoded IR repeat.</summary>
    RcRepeat = 77,
    /// <summary><c>bpf_rc_keydown</c> (helper 78): Reports a decoded IR key press.</summary>
    RcKeydown = 78,
    /// <summary><c>bpf_skb_cgroup_id</c> (helper 79): Return the cgroup v2 id of the socket associated with the skb.</summary>
    SkbCgroupId = 79,
    /// <summary><c>bpf_get_current_cgroup_id</c> (helper 80): Get the current cgroup id based on the cgroup within which the current task is running.</summary>
    GetCurrentCgroupId = 80,
    /// <summary><c>bpf_get_local_storage</c> (helper 81): Get the pointer to the local storage area.</summary>
    GetLocalStorage = 81,
    /// <summary><c>bpf_sk_select_reuseport</c> (helper 82): Select a SO_REUSEPORT socket from a BPF_MAP_TYPE_REUSEPORT_SOCKARRAY map.</summary>
    SkSelectReuseport = 82,
    /// <summary><c>bpf_skb_ancestor_cgroup_id</c> (helper 83): Return id of cgroup v2 that is ancestor of cgroup associated with the skb at the ancestor_level.</summary>
    SkbAncestorCgroupId = 83,
    /// <summary><c>bpf_sk_lookup_tcp</c> (helper 84): Look for TCP socket matching tuple, optionally in a child network namespace netns.</summary>
    SkLookupTcp = 84,
    /// <summary><c>bpf_sk_lookup_udp</c> (helper 85): Look for UDP socket matching tuple, optionally in a child network namespace netns.</summary>
    SkLookupUdp = 85,
    /// <summary><c>bpf_sk_release</c> (helper 86): Release the reference held by sock.</summary>
    SkRelease = 86,
    /// <summary><c>bpf_map_push_elem</c> (helper 87): Push an element value in map.</summary>
    MapPushElem = 87,
    /// <summary><c>bpf_map_pop_elem</c> (helper 88): Pop an element from map.</summary>
    MapPopElem = 88,
    /// <summary><c>bpf_map_peek_elem</c> (helper 89): Get an element from map without removing it.</summary>
    MapPeekElem = 89,
    /// <summary><c>bpf_msg_push_data</c> (helper 90): For socket policies, insert len bytes into msg at offset start.</summary>
    MsgPushData = 90,
    /// <summary><c>bpf_msg_pop_data</c> (helper 91): Removes bytes from the message.</summary>
    MsgPopData = 91,
    /// <summary><c>bpf_rc_pointer_rel</c> (helper 92): Reports a decoded IR pointer movement.</summary>
    RcPointerRel = 92,
    /// <summary><c>bpf_spin_lock</c> (helper 93): Acquire a spinlock represented by the pointer lock, which is stored as part of a value of a map.</summary>
    SpinLock = 93,
    /// <summary><c>bpf_spin_unlock</c> (helper 94): Release the lock previously locked by a call to bpf_spin_lock(lock).</summary>
    SpinUnlock = 94,
    /// <summary><c>bpf_sk_fullsock</c> (helper 95): Returns the full socket of a socket pointer, or NULL.</summary>
    SkFullsock = 95,
    /// <summary><c>bpf_tcp_sock</c> (helper 96): Returns the <c>bpf_tcp_sock</c> of a socket, or NULL.</summary>
    TcpSock = 96,
    /// <summary><c>bpf_skb_ecn_set_ce</c> (helper 97): Sets the IP header's ECN field to Congestion Encountered.</summary>
    SkbEcnSetCe = 97,
    /// <summary><c>bpf_get_listener_sock</c> (helper 98): Return a struct bpf_sock pointer in TCP_LISTEN state.</summary>
    GetListenerSock = 98,
    /// <summary><c>bpf_skc_lookup_tcp</c> (helper 99): Look for TCP socket matching tuple, optionally in a child network namespace netns.</summary>
    SkcLookupTcp = 99,
    /// <summary><c>bpf_tcp_check_syncookie</c> (helper 100): Check whether iph and th contain a valid SYN cookie ACK for the listening socket in sk.</summary>
    TcpCheckSyncookie = 100,
    /// <summary><c>bpf_sysctl_get_name</c> (helper 101): Get name of sysctl in /proc/sys/ and copy it into provided by program buffer buf of size buf_len.</summary>
    SysctlGetName = 101,
    /// <summary><c>bpf_sysctl_get_current_value</c> (helper 102): Get current value of sysctl as it is presented in /proc/sys (incl.</summary>
    SysctlGetCurrentValue = 102,
    /// <summary><c>bpf_sysctl_get_new_value</c> (helper 103): Copies the value user space is writing to the sysctl.</summary>
    SysctlGetNewValue = 103,
    /// <summary><c>bpf_sysctl_set_new_value</c> (helper 104): Replaces the value user space is writing to the sysctl.</summary>
    SysctlSetNewValue = 104,
    /// <summary><c>bpf_strtol</c> (helper 105): Parses a string into a long.</summary>
    Strtol = 105,
    /// <summary><c>bpf_strtoul</c> (helper 106): Parses a string into an unsigned long.</summary>
    Strtoul = 106,
    /// <summary><c>bpf_sk_storage_get</c> (helper 107): Get a bpf-local-storage from a sk.</summary>
    SkStorageGet = 107,
    /// <summary><c>bpf_sk_storage_delete</c> (helper 108): Delete a bpf-local-storage from a sk.</summary>
    SkStorageDelete = 108,
    /// <summary><c>bpf_send_signal</c> (helper 109): Send signal sig to the process of the current task.</summary>
    SendSignal = 109,
    /// <summary><c>bpf_tcp_gen_syncookie</c> (helper 110): Issues a SYN cookie for the packet on a listening socket.</summary>
    TcpGenSyncookie = 110,
    /// <summary><c>bpf_skb_output</c> (helper 111): Write raw data blob into a special BPF perf event held by map of type BPF_MAP_TYPE_PERF_EVENT_ARRAY.</summary>
    SkbOutput = 111,
    /// <summary><c>bpf_probe_read_user</c> (helper 112): Safely attempt to read size bytes from user space address unsafe_ptr and store the data in dst.</summary>
    ProbeReadUser = 112,
    /// <summary><c>bpf_probe_read_kernel</c> (helper 113): Safely attempt to read size bytes from kernel space address unsafe_ptr and store the data in dst.</summary>
    ProbeReadKernel = 113,
    /// <summary><c>bpf_probe_read_user_str</c> (helper 114): Copy a NUL terminated string from an unsafe user address unsafe_ptr to dst.</summary>
    ProbeReadUserStr = 114,
    /// <summary><c>bpf_probe_read_kernel_str</c> (helper 115): Copy a NUL terminated string from an unsafe kernel address unsafe_ptr to dst.</summary>
    ProbeReadKernelStr = 115,
    /// <summary><c>bpf_tcp_send_ack</c> (helper 116): Send out a tcp-ack.</summary>
    TcpSendAck = 116,
    /// <summary><c>bpf_send_signal_thread</c> (helper 117): Send signal sig to the thread corresponding to the current task.</summary>
    SendSignalThread = 117,
    /// <summary><c>bpf_jiffies64</c> (helper 118): Obtain the 64bit jiffies.</summary>
    Jiffies64 = 118,
    /// <summary><c>bpf_read_branch_records</c> (helper 119): Reads the branch records of the perf event.</summary>
    ReadBranchRecords = 119,
    /// <summary><c>bpf_get_ns_current_pid_tgid</c> (helper 120): Returns the current pid and tgid as seen from a given pid namespace.</summary>
    GetNsCurrentPidTgid = 120,
    /// <summary><c>bpf_xdp_output</c> (helper 121): Write raw data blob into a special BPF perf event held by map of type BPF_MAP_TYPE_PERF_EVENT_ARRAY.</summary>
    XdpOutput = 121,
    /// <summary><c>bpf_get_netns_cookie</c> (helper 122): Retrieve the cookie (generated by the kernel) of the network namespace the input ctx is associated with.</summary>
    GetNetnsCookie = 122,
    /// <summary><c>bpf_get_current_ancestor_cgroup_id</c> (helper 123): Returns the id of an ancestor of the current task's cgroup v2.</summary>
    GetCurrentAncestorCgroupId = 123,
    /// <summary><c>bpf_sk_assign</c> (helper 124): Helper is overloaded depending on BPF program type.</summary>
    SkAssign = 124,
    /// <summary><c>bpf_ktime_get_boot_ns</c> (helper 125): Return the time elapsed since system boot, in nanoseconds.</summary>
    KtimeGetBootNs = 125,
    /// <summary><c>bpf_seq_printf</c> (helper 126): Prints formatted text to the iterator's seq_file.</summary>
    SeqPrintf = 126,
    /// <summary><c>bpf_seq_write</c> (helper 127): Writes bytes to the iterator's seq_file.</summary>
    SeqWrite = 127,
    /// <summary><c>bpf_sk_cgroup_id</c> (helper 128): Return the cgroup v2 id of the socket sk.</summary>
    SkCgroupId = 128,
    /// <summary><c>bpf_sk_ancestor_cgroup_id</c> (helper 129): Return id of cgroup v2 that is ancestor of cgroup associated with the sk at the ancestor_level.</summary>
    SkAncestorCgroupId = 129,
    /// <summary><c>bpf_ringbuf_output</c> (helper 130): Copy size bytes from data into a ring buffer ringbuf.</summary>
    RingbufOutput = 130,
    /// <summary><c>bpf_ringbuf_reserve</c> (helper 131): Reserve size bytes of payload in a ring buffer ringbuf.</summary>
    RingbufReserve = 131,
    /// <summary><c>bpf_ringbuf_submit</c> (helper 132): Submit reserved ring buffer sample, pointed to by data.</summary>
    RingbufSubmit = 132,
    /// <summary><c>bpf_ringbuf_discard</c> (helper 133): Discard reserved ring buffer sample, pointed to by data.</summary>
    RingbufDiscard = 133,
    /// <summary><c>bpf_ringbuf_query</c> (helper 134): Query various characteristics of provided ring buffer.</summary>
    RingbufQuery = 134,
    /// <summary><c>bpf_csum_level</c> (helper 135): Changes the packet's checksum level.</summary>
    CsumLevel = 135,
    /// <summary><c>bpf_skc_to_tcp6_sock</c> (helper 136): Dynamically cast a sk pointer to a tcp6_sock pointer.</summary>
    SkcToTcp6Sock = 136,
    /// <summary><c>bpf_skc_to_tcp_sock</c> (helper 137): Dynamically cast a sk pointer to a tcp_sock pointer.</summary>
    SkcToTcpSock = 137,
    /// <summary><c>bpf_skc_to_tcp_timewait_sock</c> (helper 138): Dynamically cast a sk pointer to a tcp_timewait_sock pointer.</summary>
    SkcToTcpTimewaitSock = 138,
    /// <summary><c>bpf_skc_to_tcp_request_sock</c> (helper 139): Dynamically cast a sk pointer to a tcp_request_sock pointer.</summary>
    SkcToTcpRequestSock = 139,
    /// <summary><c>bpf_skc_to_udp6_sock</c> (helper 140): Dynamically cast a sk pointer to a udp6_sock pointer.</summary>
    SkcToUdp6Sock = 140,
    /// <summary><c>bpf_get_task_stack</c> (helper 141): Return a user or a kernel stack in bpf program provided buffer.</summary>
    GetTaskStack = 141,
    /// <summary><c>bpf_load_hdr_opt</c> (helper 142): Load header option.</summary>
    LoadHdrOpt = 142,
    /// <summary><c>bpf_store_hdr_opt</c> (helper 143): Store header option.</summary>
    StoreHdrOpt = 143,
    /// <summary><c>bpf_reserve_hdr_opt</c> (helper 144): Reserve len bytes for the bpf header option.</summary>
    ReserveHdrOpt = 144,
    /// <summary><c>bpf_inode_storage_get</c> (helper 145): Get a bpf_local_storage from an inode.</summary>
    InodeStorageGet = 145,
    /// <summary><c>bpf_inode_storage_delete</c> (helper 146): Delete a bpf_local_storage from an inode.</summary>
    InodeStorageDelete = 146,
    /// <summary><c>bpf_d_path</c> (helper 147): Return full path for given struct path object, which needs to be the kernel BTF path object.</summary>
    DPath = 147,
    /// <summary><c>bpf_copy_from_user</c> (helper 148): Read size bytes from user space address user_ptr and store the data in dst.</summary>
    CopyFromUser = 148,
    /// <summary><c>bpf_snprintf_btf</c> (helper 149): Use BTF to store a string representation of ptr-&gt;ptr in str, using ptr-&gt;type_id.</summary>
    SnprintfBtf = 149,
    /// <summary><c>bpf_seq_printf_btf</c> (helper 150): Writes a BTF-typed value as text to a seq_file.</summary>
    SeqPrintfBtf = 150,
    /// <summary><c>bpf_skb_cgroup_classid</c> (helper 151): Returns the net_cls cgroup class id of the packet's socket.</summary>
    SkbCgroupClassid = 151,
    /// <summary><c>bpf_redirect_neigh</c> (helper 152): Redirect the packet to another net device of index ifindex and fill in L2 addresses from neighboring subsystem.</summary>
    RedirectNeigh = 152,
    /// <summary><c>bpf_per_cpu_ptr</c> (helper 153): Returns a pointer to a per-CPU kernel variable on the given CPU.</summary>
    PerCpuPtr = 153,
    /// <summary><c>bpf_this_cpu_ptr</c> (helper 154): Take a pointer to a percpu ksym, percpu_ptr, and return a pointer to the percpu kernel variable on this cpu.</summary>
    ThisCpuPtr = 154,
    /// <summary><c>bpf_redirect_peer</c> (helper 155): Redirect the packet to another net device of index ifindex.</summary>
    RedirectPeer = 155,
    /// <summary><c>bpf_task_storage_get</c> (helper 156): Get a bpf_local_storage from the task.</summary>
    TaskStorageGet = 156,
    /// <summary><c>bpf_task_storage_delete</c> (helper 157): Delete a bpf_local_storage from a task.</summary>
    TaskStorageDelete = 157,
    /// <summary><c>bpf_get_current_task_btf</c> (helper 158): Return a BTF pointer to the "current" task.</summary>
    GetCurrentTaskBtf = 158,
    /// <summary><c>bpf_bprm_opts_set</c> (helper 159): Sets options on the <c>linux_binprm</c> being executed.</summary>
    BprmOptsSet = 159,
    /// <summary><c>bpf_ktime_get_coarse_ns</c> (helper 160): Return a coarse-grained version of the time elapsed since system boot, in nanoseconds.</summary>
    KtimeGetCoarseNs = 160,
    /// <summary><c>bpf_ima_inode_hash</c> (helper 161): Returns the stored IMA hash of the inode (if it's available).</summary>
    ImaInodeHash = 161,
    /// <summary><c>bpf_sock_from_file</c> (helper 162): If the given file represents a socket, returns the associated socket.</summary>
    SockFromFile = 162,
    /// <summary><c>bpf_check_mtu</c> (helper 163): Check packet size against exceeding MTU of net device (based on ifindex).</summary>
    CheckMtu = 163,
    /// <summary><c>bpf_for_each_map_elem</c> (helper 164): For each element in map, call callback_fn function with map, callback_ctx and other map-specific parameters.</summary>
    ForEachMapElem = 164,
    /// <summary><c>bpf_snprintf</c> (helper 165): Formats a string into a buffer.</summary>
    Snprintf = 165,
    /// <summary><c>bpf_sys_bpf</c> (helper 166): Execute bpf syscall with given arguments.</summary>
    SysBpf = 166,
    /// <summary><c>bpf_btf_find_by_name_kind</c> (helper 167): Find BTF type with given name and kind in vmlinux BTF or in module's BTFs.</summary>
    BtfFindByNameKind = 167,
    /// <summary><c>bpf_sys_close</c> (helper 168): Execute close syscall for given FD.</summary>
    SysClose = 168,
    /// <summary><c>bpf_timer_init</c> (helper 169): Initialize the timer.</summary>
    TimerInit = 169,
    /// <summary><c>bpf_timer_set_callback</c> (helper 170): Configure the timer to call callback_fn static function.</summary>
    TimerSetCallback = 170,
    /// <summary><c>bpf_timer_start</c> (helper 171): Set timer expiration N nanoseconds from the current time.</summary>
    TimerStart = 171,
    /// <summary><c>bpf_timer_cancel</c> (helper 172): Cancel the timer and wait for callback_fn to finish if it was running.</summary>
    TimerCancel = 172,
    /// <summary><c>bpf_get_func_ip</c> (helper 173): Get address of the traced function (for tracing and kprobe programs).</summary>
    GetFuncIp = 173,
    /// <summary><c>bpf_get_attach_cookie</c> (helper 174): Get bpf_cookie value provided (optionally) during the program attachment.</summary>
    GetAttachCookie = 174,
    /// <summary><c>bpf_task_pt_regs</c> (helper 175): Get the struct pt_regs associated with task.</summary>
    TaskPtRegs = 175,
    /// <summary><c>bpf_get_branch_snapshot</c> (helper 176): Reads the hardware branch trace (such as Intel LBR).</summary>
    GetBranchSnapshot = 176,
    /// <summary><c>bpf_trace_vprintk</c> (helper 177): Like bpf_trace_printk, with the arguments in an array.</summary>
    TraceVprintk = 177,
    /// <summary><c>bpf_skc_to_unix_sock</c> (helper 178): Dynamically cast a sk pointer to a unix_sock pointer.</summary>
    SkcToUnixSock = 178,
    /// <summary><c>bpf_kallsyms_lookup_name</c> (helper 179): Get the address of a kernel symbol, returned in res.</summary>
    KallsymsLookupName = 179,
    /// <summary><c>bpf_find_vma</c> (helper 180): Find vma of task that contains addr, call callback_fn function with task, vma, and callback_ctx.</summary>
    FindVma = 180,
    /// <summary><c>bpf_loop</c> (helper 181): For nr_loops, call callback_fn function with callback_ctx as the context parameter.</summary>
    Loop = 181,
    /// <summary><c>bpf_strncmp</c> (helper 182): Compares two strings, up to a length.</summary>
    Strncmp = 182,
    /// <summary><c>bpf_get_func_arg</c> (helper 183): Get n-th argument register (zero based) of the traced function (for tracing programs) returned in value.</summary>
    GetFuncArg = 183,
    /// <summary><c>bpf_get_func_ret</c> (helper 184): Get return value of the traced function (for tracing programs) in value.</summary>
    GetFuncRet = 184,
    /// <summary><c>bpf_get_func_arg_cnt</c> (helper 185): Returns the number of arguments of the traced function.</summary>
    GetFuncArgCnt = 185,
    /// <summary><c>bpf_get_retval</c> (helper 186): Get the BPF program's return value that will be returned to the upper layers.</summary>
    GetRetval = 186,
    /// <summary><c>bpf_set_retval</c> (helper 187): Set the BPF program's return value that will be returned to the upper layers.</summary>
    SetRetval = 187,
    /// <summary><c>bpf_xdp_get_buff_len</c> (helper 188): Get the total size of a given xdp buff (linear and paged area).</summary>
    XdpGetBuffLen = 188,
    /// <summary><c>bpf_xdp_load_bytes</c> (helper 189): Copies bytes from the XDP buffer, fragments included.</summary>
    XdpLoadBytes = 189,
    /// <summary><c>bpf_xdp_store_bytes</c> (helper 190): Store len bytes from buffer buf into the frame associated to xdp_md, at offset.</summary>
    XdpStoreBytes = 190,
    /// <summary><c>bpf_copy_from_user_task</c> (helper 191): Read size bytes from user space address user_ptr in tsk's address space, and stores the data in dst.</summary>
    CopyFromUserTask = 191,
    /// <summary><c>bpf_skb_set_tstamp</c> (helper 192): Change the __sk_buff-&gt;tstamp_type to tstamp_type and set tstamp to the __sk_buff-&gt;tstamp together.</summary>
    SkbSetTstamp = 192,
    /// <summary><c>bpf_ima_file_hash</c> (helper 193): Returns a calculated IMA hash of the file.</summary>
    ImaFileHash = 193,
    /// <summary><c>bpf_kptr_xchg</c> (helper 194): Exchange kptr at pointer map_value with ptr, and return the old value.</summary>
    KptrXchg = 194,
    /// <summary><c>bpf_map_lookup_percpu_elem</c> (helper 195): Perform a lookup in percpu map for an entry associated to key on cpu.</summary>
    MapLookupPercpuElem = 195,
    /// <summary><c>bpf_skc_to_mptcp_sock</c> (helper 196): Dynamically cast a sk pointer to a mptcp_sock pointer.</summary>
    SkcToMptcpSock = 196,
    /// <summary><c>bpf_dynptr_from_mem</c> (helper 197): Get a dynptr to local memory data.</summary>
    DynptrFromMem = 197,
    /// <summary><c>bpf_ringbuf_reserve_dynptr</c> (helper 198): Reserve size bytes of payload in a ring buffer ringbuf through the dynptr interface.</summary>
    RingbufReserveDynptr = 198,
    /// <summary><c>bpf_ringbuf_submit_dynptr</c> (helper 199): Submit reserved ring buffer sample, pointed to by data, through the dynptr interface.</summary>
    RingbufSubmitDynptr = 199,
    /// <summary><c>bpf_ringbuf_discard_dynptr</c> (helper 200): Discard reserved ring buffer sample through the dynptr interface.</summary>
    RingbufDiscardDynptr = 200,
    /// <summary><c>bpf_dynptr_read</c> (helper 201): Read len bytes from src into dst, starting from offset into src.</summary>
    DynptrRead = 201,
    /// <summary><c>bpf_dynptr_write</c> (helper 202): Write len bytes from src into dst, starting from offset into dst.</summary>
    DynptrWrite = 202,
    /// <summary><c>bpf_dynptr_data</c> (helper 203): Get a pointer to the underlying dynptr data.</summary>
    DynptrData = 203,
    /// <summary><c>bpf_tcp_raw_gen_syncookie_ipv4</c> (helper 204): Issues a SYN cookie for an IPv4/TCP packet without a listening socket.</summary>
    TcpRawGenSyncookieIpv4 = 204,
    /// <summary><c>bpf_tcp_raw_gen_syncookie_ipv6</c> (helper 205): Issues a SYN cookie for an IPv6/TCP packet without a listening socket.</summary>
    TcpRawGenSyncookieIpv6 = 205,
    /// <summary><c>bpf_tcp_raw_check_syncookie_ipv4</c> (helper 206): Check whether iph and th contain a valid SYN cookie ACK without depending on a listening socket.</summary>
    TcpRawCheckSyncookieIpv4 = 206,
    /// <summary><c>bpf_tcp_raw_check_syncookie_ipv6</c> (helper 207): Check whether iph and th contain a valid SYN cookie ACK without depending on a listening socket.</summary>
    TcpRawCheckSyncookieIpv6 = 207,
    /// <summary><c>bpf_ktime_get_tai_ns</c> (helper 208): A nonsettable system-wide clock derived from wall-clock time but ignoring leap seconds.</summary>
    KtimeGetTaiNs = 208,
    /// <summary><c>bpf_user_ringbuf_drain</c> (helper 209): Calls a callback for each sample of a user ring buffer.</summary>
    UserRingbufDrain = 209,
    /// <summary><c>bpf_cgrp_storage_get</c> (helper 210): Gets or creates the cgroup-local storage of a cgroup.</summary>
    CgrpStorageGet = 210,
    /// <summary><c>bpf_cgrp_storage_delete</c> (helper 211): Deletes the cgroup-local storage of a cgroup.</summary>
    CgrpStorageDelete = 211,
}
