"""A small real SMTP server for scripts/fault-tests.sh: plain SMTP on 127.0.0.1, no TLS, no
authentication. Every message it accepts is written to OUT_DIR as one `.eml` file (the data
after DATA, dot-stuffing undone) *before* the 250 that acknowledges it, so a file on disk is a
message the sink took responsibility for, and a message the client saw acknowledged is on disk.

    python3 scripts/smtp_sink.py PORT OUT_DIR [DELAY_FILE]

DELAY_FILE, when it exists, holds `MS [TEXT]`: the sink waits MS milliseconds after the DATA
command of each message (of each message with a recipient containing TEXT, when given) before
inviting it. A slow relay: the message is not accepted yet, so a client that dies in the wait
has delivered nothing.

Stopping it (SIGTERM or SIGKILL) is the relay going down: the port refuses connections and
open connections drop. SIGTERM waits for a message being written and acknowledged to finish,
so a stop never leaves a message on disk that its sender did not see accepted.
"""

import os
import pathlib
import signal
import socket
import socketserver
import sys
import threading
import time
import uuid

PORT = int(sys.argv[1])
OUT = pathlib.Path(sys.argv[2])
OUT.mkdir(parents=True, exist_ok=True)
DELAY = pathlib.Path(sys.argv[3]) if len(sys.argv) > 3 else None
# Held while a message is written and acknowledged; SIGTERM takes it before exiting.
ACCEPTING = threading.Lock()


class Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.reply("220 fault-sink ESMTP")
        sender, rcpts = None, []
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250-fault-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                self.wfile.flush()
            elif verb == "MAIL":
                sender, rcpts = line[10:].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                rcpts.append(line[8:].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                time.sleep(delay_secs(rcpts))
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while True:
                    raw = self.rfile.readline(1 << 20)
                    if not raw:
                        return  # the client went away mid-message: nothing accepted
                    if raw in (b".\r\n", b".\n"):
                        break
                    lines.append(raw[1:] if raw.startswith(b"..") else raw)
                with ACCEPTING:
                    name = OUT / f"{uuid.uuid4()}.eml"
                    tmp = name.with_suffix(".tmp")
                    envelope = f"X-Sink-Envelope: {sender} -> {', '.join(rcpts)}\r\n".encode()
                    tmp.write_bytes(envelope + b"".join(lines))
                    os.rename(tmp, name)
                    self.reply("250 OK queued")
                sender, rcpts = None, []
            elif verb == "RSET":
                sender, rcpts = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 command not implemented")


def delay_secs(rcpts):
    try:
        ms, *only = DELAY.read_text().split() if DELAY else ["0"]
        if only and not any(only[0] in r for r in rcpts):
            return 0
        return int(ms) / 1000
    except (OSError, ValueError):
        return 0


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that drops the connection (a killed `serve`) is part of the job.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def stop(_sig, _frame):
    ACCEPTING.acquire()
    os._exit(0)


signal.signal(signal.SIGTERM, stop)
server = Server(("127.0.0.1", PORT), Session)
server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
print(f"sink listening on {PORT}", flush=True)
server.serve_forever()
