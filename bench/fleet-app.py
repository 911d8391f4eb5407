# The probed app of bench/fleet.mjs, for every VM of the fleet in ONE process: for each network
# namespace named on the command line it enters the namespace (setns), binds 0.0.0.0:<port> there
# and comes back, then answers every request on any of those sockets with 200 "ok" (a minimal
# HTTP/1.0 reply). Prints "listening <n>" once all are bound. One process instead of one per VM
# spares the fleet's memory and start-up; it serves only what vmlet's httpGet probe asks.
#   python3 bench/fleet-app.py <port> <netns>...
import ctypes
import os
import selectors
import socket
import sys

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def enter(fd, what):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns {what}: {os.strerror(err)}")


port = int(sys.argv[1])
home = os.open("/proc/self/ns/net", os.O_RDONLY)
sel = selectors.DefaultSelector()
for ns in sys.argv[2:]:
    fd = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
    enter(fd, ns)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(128)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, "listen")
    os.close(fd)
enter(home, "back")
print(f"listening {len(sys.argv) - 2}", flush=True)

REPLY = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
pending = {}
while True:
    for key, _ in sel.select():
        sock = key.fileobj
        if key.data == "listen":
            try:
                conn, _ = sock.accept()
            except BlockingIOError:
                continue
            conn.setblocking(False)
            pending[conn] = b""
            sel.register(conn, selectors.EVENT_READ, "conn")
            continue
        try:
            data = sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            data = b""
        buf = pending.get(sock, b"") + data
        if data and b"\r\n\r\n" not in buf and len(buf) < 65536:
            pending[sock] = buf
            continue
        if data:
            try:
                sock.send(REPLY)
            except OSError:
                pass
        sel.unregister(sock)
        pending.pop(sock, None)
        sock.close()
