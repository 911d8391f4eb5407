"""TCP helper run inside test network namespaces (ip netns exec).

serve PORT...           listen on every PORT (IPv4 and IPv6); each connection gets one line
                        "<listening port> <original destination ip:port>" (SO_ORIGINAL_DST when the
                        connection was redirected, else the local address), then is closed.
connect HOST PORT [UID] connect (as UID when given), print the line received, exit 0; exit 1 on failure.
"""
import os
import select
import socket
import struct
import sys

SO_ORIGINAL_DST = 80


def original_dst(conn, family):
    try:
        if family == socket.AF_INET:
            raw = conn.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)
            port, ip = struct.unpack_from('!2xH4s', raw)
            return f'{socket.inet_ntop(socket.AF_INET, ip)}:{port}'
        raw = conn.getsockopt(socket.IPPROTO_IPV6, SO_ORIGINAL_DST, 28)
        port, = struct.unpack_from('!H', raw, 2)
        ip = raw[8:24]
        return f'[{socket.inet_ntop(socket.AF_INET6, ip)}]:{port}'
    except OSError:
        host, port = conn.getsockname()[:2]
        return f'[{host}]:{port}' if family == socket.AF_INET6 else f'{host}:{port}'


def serve(ports):
    socks = {}
    for port in ports:
        for fam, addr in ((socket.AF_INET, '0.0.0.0'), (socket.AF_INET6, '::')):
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((addr, port))
            s.listen(64)
            socks[s] = (port, fam)
    print('ready', flush=True)
    while True:
        ready, _, _ = select.select(list(socks), [], [], 120)
        if not ready:
            return
        for s in ready:
            conn, _ = s.accept()
            port, fam = socks[s]
            conn.sendall(f'{port} {original_dst(conn, fam)}\n'.encode())
            conn.close()


def connect(host, port, uid):
    if uid is not None:
        os.setgid(uid)
        os.setuid(uid)
    fam = socket.AF_INET6 if ':' in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect((host, port))
        print(s.makefile().readline().strip(), flush=True)
    except OSError as e:
        print(f'error {e}', flush=True)
        sys.exit(1)


if __name__ == '__main__':
    if sys.argv[1] == 'serve':
        serve([int(p) for p in sys.argv[2:]])
    else:
        connect(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else None)
