#!/usr/bin/env python3
"""free_ports.py N: N distinct free loopback TCP ports, one a line, for
processes a test or script starts a moment later (Kafka nodes, a broker from
deploy/compose.yaml).

Held together while chosen, and picked at random below ip_local_port_range:
a port from that range (what binding port 0 gives) can be taken by any
outgoing connection's local port between the choice and the process's start,
or while a killed Kafka node is down. Same rule as FreePort in
tests/support/http_client.cc."""
import random
import socket
import sys

FLOOR = 20000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            high = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        high = 32768
    socks = []
    if high - FLOOR >= 1000:
        for _ in range(200 * n):
            if len(socks) == n:
                break
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", random.randint(FLOOR, high - 1)))
                socks.append(s)
            except OSError:
                s.close()
    while len(socks) < n:  # no room below the range: the kernel chooses
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    print("\n".join(str(s.getsockname()[1]) for s in socks))


if __name__ == "__main__":
    main()
