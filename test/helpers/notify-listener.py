# A stand-in for systemd's notification socket in tests: binds a real AF_UNIX SOCK_DGRAM socket
# at argv[1], prints "BOUND", then one JSON line per datagram received: its text, how many file
# descriptors came with it (SCM_RIGHTS; closed at once, which is what releases systemd-notify's
# BARRIER=1 wait), the sender's PID (SCM_CREDENTIALS) and CLOCK_MONOTONIC at arrival in us.
import array, json, os, socket, struct, sys, time

sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sys.argv[1])
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print("BOUND", flush=True)
while True:
    data, anc, _flags, _addr = sock.recvmsg(65536, socket.CMSG_SPACE(64 * 4) + socket.CMSG_SPACE(12))
    at = time.monotonic_ns() // 1000
    fds, pid = [], None
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            a = array.array("i")
            a.frombytes(payload[: len(payload) - len(payload) % a.itemsize])
            fds.extend(a)
        elif level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", payload[:12])[0]
    for fd in fds:
        os.close(fd)
    print(json.dumps({"data": data.decode(), "fds": len(fds), "pid": pid, "atUsec": at}), flush=True)
