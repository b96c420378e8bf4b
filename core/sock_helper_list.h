/* SPDX-License-Identifier: MIT */
/*
 * The socket helpers (core/sock.h): HELPER(name, contexts, concrete,
 * symbolic); see core/helpers.h. sk_lookup_* and skc_lookup_tcp are
 * bpf_sk_lookup_*_proto (tc, cgroup skb, sk_skb) and sock_addr's, whose
 * arguments are the same; XDP's takes its own context and is not these.
 */
#define HC_SKB_SOCK                                                                                  \
	(HC_TC | HC(CGROUP_SKB) | HC(SK_SKB) | HC(CGROUP_SOCK_ADDR_BIND) | HC(CGROUP_SOCK_ADDR_CONNECT) | \
	 HC(CGROUP_SOCK_ADDR_SENDMSG) | HC(CGROUP_SOCK_ADDR_RECVMSG) | HC(CGROUP_SOCK_ADDR_GETNAME))
HELPER(sk_lookup_tcp, HC_SKB_SOCK, sock_sk_lookup, sock_sk_lookup_tcp)
HELPER(sk_lookup_udp, HC_SKB_SOCK, sock_sk_lookup, sock_sk_lookup_udp)
HELPER(skc_lookup_tcp, HC_SKB_SOCK, sock_skc_lookup, sock_skc_lookup_tcp)
HELPER(sk_release, HC_SKB_SOCK, sock_sk_release, sock_sk_release)
HELPER(sk_fullsock, HC_ALL, sock_sk_fullsock, sock_sk_fullsock)
HELPER(tcp_sock, HC_ALL, sock_tcp_sock, sock_tcp_sock)
HELPER(get_listener_sock, HC_ALL, sock_get_listener_sock, sock_get_listener_sock)
/* bpf_tc_sk_assign_proto; sk_lookup's sk_assign is another */
HELPER(sk_assign, HC_TC, sock_sk_assign, sock_sk_assign)
#undef HC_SKB_SOCK
