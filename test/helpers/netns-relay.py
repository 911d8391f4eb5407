"""TCP relay from a test network namespace to this host's loopback (tests only).

netns-relay.py NETNS_FILE LISTEN_IP LISTEN_PORT TARGET_HOST TARGET_PORT

Started in the host's namespace: it enters NETNS_FILE (/run/netns/NAME) only to open its listening
socket on LISTEN_IP:LISTEN_PORT, returns to the host's namespace (sockets keep the namespace they
were made in), prints "ready", and copies every accepted connection both ways to
TARGET_HOST:TARGET_PORT on the host (e.g. a simulator bound to 127.0.0.1). Python 3.11 has no
os.setns, hence libc's setns(2) through ctypes. Stopped by the test with SIGKILL by PID.
"""
import ctypes
import os
import socket
import sys
import threading

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), 'setns failed')


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main(ns_file, listen_ip, listen_port, target_host, target_port):
    home = os.open('/proc/self/ns/net', os.O_RDONLY)
    there = os.open(ns_file, os.O_RDONLY)
    setns(there)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((listen_ip, listen_port))
    server.listen(64)
    setns(home)
    print('ready', flush=True)
    while True:
        conn, _ = server.accept()
        try:
            up = socket.create_connection((target_host, target_port), timeout=5)
            up.settimeout(None)
        except OSError:
            conn.close()
            continue
        threading.Thread(target=pipe, args=(conn, up), daemon=True).start()
        threading.Thread(target=pipe, args=(up, conn), daemon=True).start()


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
