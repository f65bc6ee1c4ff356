#!/usr/bin/env python3
"""Joins one TCP connection to the standard input and output of a command (python3 stdlib only):
the glue that puts `openssl s_client` / `openssl s_server` between sipp (which speaks TCP, not TLS)
and the TLS leg of a lab capture.

  stdio_tunnel.py --listen IP:PORT -- CMD...    accept one TCP connection, then run CMD
  stdio_tunnel.py --connect IP:PORT -- CMD...   run CMD, then connect to IP:PORT

Bytes from the socket go to CMD's stdin as they come, CMD's stdout goes to the socket. When the
socket closes, CMD's stdin is closed (s_client -no_ign_eof then ends the TLS connection with a
close_notify); when CMD's stdout ends, the socket is shut down for writing.

--key-update-before TEXT: the first time a chunk from the socket starts with TEXT, write "K\\n"
to CMD first and wait a moment: s_client (with command letters on) then sends a TLS 1.3
KeyUpdate asking the peer to update too, and the chunk follows under the new keys.
"""
import argparse
import os
import socket
import subprocess
import sys
import threading
import time


def endpoint(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def main():
    ap = argparse.ArgumentParser()
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--listen")
    group.add_argument("--connect")
    ap.add_argument("--key-update-before")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    if args.listen:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(endpoint(args.listen))
        server.listen(1)
        print("listening", flush=True)
        conn, _ = server.accept()
        server.close()
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    else:
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        conn = None
        for _ in range(200):
            try:
                conn = socket.create_connection(endpoint(args.connect))
                break
            except OSError:
                time.sleep(0.05)
        if conn is None:
            sys.exit("cannot connect to %s" % args.connect)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def socket_to_command():
        pending_update = args.key_update_before.encode() if args.key_update_before else None
        while True:
            data = conn.recv(65536)
            if not data:
                break
            if pending_update and data.startswith(pending_update):
                proc.stdin.write(b"K\n")
                time.sleep(0.5)
                pending_update = None
            proc.stdin.write(data)
        proc.stdin.close()

    def command_to_socket():
        while True:
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                break
            conn.sendall(data)
        try:
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    pumps = [threading.Thread(target=socket_to_command, daemon=True),
             threading.Thread(target=command_to_socket, daemon=True)]
    for pump in pumps:
        pump.start()
    pumps[1].join()
    pumps[0].join(timeout=5)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.terminate()
    conn.close()


if __name__ == "__main__":
    main()
