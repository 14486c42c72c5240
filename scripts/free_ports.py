#!/usr/bin/env python3
"""free_ports.py N: N distinct free loopback TCP ports, one a line, for
processes a test or script starts a moment later (Kafka nodes, a broker from
deploy/compose.yaml).

Picked at random below ip_local_port_range: a port from that range (what
binding port 0 gives) can be taken by any outgoing connection's local port
between the choice and the process's start, or while a killed Kafka node is
down. A port that binds now can still be picked by another test at the same
moment (ctest -j runs several), and then only one of their processes binds
it: so each pick is also claimed, by creating a file named after the port in
a directory all pickers share (NEWSFLOW_PORT_CLAIMS, by default
$TMPDIR/newsflow-port-claims-UID), with O_EXCL, and no picker takes a port
claimed in the last CLAIM_TTL seconds. NEWSFLOW_PORT_RANGE=LOW-HIGH narrows
where ports are picked (both ends included). Same rules as FreePort in
tests/support/http_client.cc."""
import os
import random
import socket
import sys
import tempfile
import time

FLOOR = 20000
CLAIM_TTL = 3600  # seconds; longer than any test holds a port


def claims_dir() -> str:
    """Where claims live; "" when it cannot be made (picks are then unclaimed)."""
    d = os.environ.get("NEWSFLOW_PORT_CLAIMS") or os.path.join(
        tempfile.gettempdir(), f"newsflow-port-claims-{os.getuid()}")
    try:
        os.makedirs(d, mode=0o700, exist_ok=True)
    except OSError:
        return ""
    return d


def claim(d: str, port: int) -> bool:
    """True when this call claimed `port`: nobody else did in CLAIM_TTL."""
    if not d:
        return True
    path = os.path.join(d, str(port))
    for _ in range(2):
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            return True
        except FileExistsError:
            try:
                if time.time() - os.stat(path).st_mtime < CLAIM_TTL:
                    return False
                os.unlink(path)  # a stale claim: taken again below
            except FileNotFoundError:
                pass
    return False


def pick_range() -> tuple[int, int]:
    """[low, high) to pick from; high <= low when there is no room."""
    spec = os.environ.get("NEWSFLOW_PORT_RANGE", "")
    if spec:
        low, _, high = spec.partition("-")
        return int(low), int(high) + 1
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            high = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        high = 32768
    return FLOOR, high if high - FLOOR >= 1000 else FLOOR


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    low, high = pick_range()
    d = claims_dir() if high > low else ""
    socks = []
    for _ in range(200 * n if high > low else 0):
        if len(socks) == n:
            break
        port = random.randint(low, high - 1)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            s.close()
            continue
        if claim(d, port):
            socks.append(s)  # held until all are chosen: distinct
        else:
            s.close()
    while len(socks) < n:  # no room below the range: the kernel chooses
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    print("\n".join(str(s.getsockname()[1]) for s in socks))


if __name__ == "__main__":
    main()
