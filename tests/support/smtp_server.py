#!/usr/bin/python3
"""A real SMTP server for onbehalf's integration tests, driven by tests/support/smtp.rs.

Built on Debian's python3-aiosmtpd. It listens on loopback, optionally with implicit
TLS or STARTTLS and AUTH PLAIN/LOGIN, and stores every accepted message.

    smtp_server.py --dir DIR [--host 127.0.0.1] [--port 0] [--mode plain|starttls|tls]
                   [--cert PEM --key PEM] [--user NAME --password-file FILE]
                   [--size-limit OCTETS]

--size-limit announces "SIZE <octets>" in EHLO and answers 552 to a message larger
than that (aiosmtpd's own check); without it the limit is aiosmtpd's 32 MiB.

Out:
  - stdout, first line: "READY <port>" once the socket is listening.
  - DIR/new/<seq>.json per accepted message, written atomically (DIR/tmp, then rename):
    {"mail_from": "...", "rcpt_tos": ["..."], "data": "<base64 of the raw bytes>"}.
    The sequence continues across restarts on the same DIR.

Commands on stdin, one per line, each answered by one line on stdout:
  FAIL <n> <code> <stage>   the next n RCPT (stage "rcpt") or DATA (stage "data")
                            commands are answered with <code> instead of 250 -> "OK"
  STALL <n>                 the next n DATA commands get no answer (until the client
                            gives up) -> "OK"
  STATS                     -> "STATS <accepted> <refused> <stalled> <connections>"
                            (since this process started; connections = accepted TCP
                            connections)
  DROP                      closes every open client connection, as a server that
                            restarts or times out idle clients does -> "OK" once they
                            are closed

The server exits when stdin closes, so a test that dies leaves no server behind.
"""

import argparse
import asyncio
import base64
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class State:
    def __init__(self, directory):
        self.dir = directory
        self.fail_left = 0
        self.fail_code = 451
        self.fail_stage = "data"
        self.accepted = 0
        self.refused = 0
        self.stall_left = 0
        self.stalled = 0
        self.connections = 0
        self.open = set()
        for sub in ("tmp", "new"):
            os.makedirs(os.path.join(directory, sub), exist_ok=True)
        names = os.listdir(os.path.join(directory, "new"))
        self.seq = max((int(n.split(".")[0]) for n in names), default=0)

    def command(self, words):
        if len(words) == 4 and words[0] == "FAIL" and words[3] in ("rcpt", "data"):
            self.fail_left = int(words[1])
            self.fail_code = int(words[2])
            self.fail_stage = words[3]
            return "OK"
        if len(words) == 2 and words[0] == "STALL":
            self.stall_left = int(words[1])
            return "OK"
        if words == ["STATS"]:
            return (
                f"STATS {self.accepted} {self.refused} {self.stalled} {self.connections}"
            )
        return "ERROR unknown command"

    async def drop_connections(self):
        sessions = list(self.open)
        for session in sessions:
            # abort, not close: a TLS close would wait for the idle client's close_notify.
            session.transport.abort()
        # connection_lost runs in the same loop callback that closes the socket.
        await asyncio.gather(*(session.lost for session in sessions))
        return "OK"

    def refusal(self, stage):
        if self.fail_left > 0 and self.fail_stage == stage:
            self.fail_left -= 1
            self.refused += 1
            enhanced = "4.3.0" if self.fail_code < 500 else "5.7.1"
            return f"{self.fail_code} {enhanced} test server refuses this transaction"
        return None

    def store(self, envelope):
        self.seq += 1
        name = f"{self.seq:08d}.json"
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": base64.b64encode(envelope.original_content).decode("ascii"),
        }
        tmp = os.path.join(self.dir, "tmp", name)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.dir, "new", name))
        self.accepted += 1


class Handler:
    def __init__(self, state):
        self.state = state

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.state.refusal("rcpt")
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.state.stall_left > 0:
            self.state.stall_left -= 1
            self.state.stalled += 1
            await asyncio.sleep(3600)
            return "451 4.4.2 test server stalled"
        refusal = self.state.refusal("data")
        if refusal:
            return refusal
        self.state.store(envelope)
        return "250 OK: queued"


class CountedSMTP(SMTP):
    """aiosmtpd's SMTP session, counted and closable by DROP."""

    def __init__(self, state, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state = state
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        # STARTTLS calls this again for the encrypted layer of the same connection.
        if self._original_transport is None:
            self.state.connections += 1
            self.state.open.add(self)
        super().connection_made(transport)

    def connection_lost(self, exc):
        self.state.open.discard(self)
        if not self.lost.done():
            self.lost.set_result(None)
        super().connection_lost(exc)


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user
            and auth_data.password == password
        )
        # handled=False: aiosmtpd itself answers 535 on failure.
        return AuthResult(success=ok, handled=False)

    return authenticator


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", choices=("plain", "starttls", "tls"), default="plain")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password-file")
    parser.add_argument("--size-limit", type=int, default=None)
    args = parser.parse_args()

    state = State(args.dir)
    handler = Handler(state)
    context = None
    if args.mode != "plain":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)

    auth = {}
    if args.user:
        with open(args.password_file, "rb") as f:
            password = f.read().rstrip(b"\n")
        auth = {
            "auth_required": True,
            "authenticator": make_authenticator(args.user.encode(), password),
            # With implicit TLS the socket is already encrypted (aiosmtpd only knows
            # about STARTTLS); plain mode is loopback-only test traffic.
            "auth_require_tls": args.mode == "starttls",
        }
    else:
        auth = {"auth_require_tls": args.mode == "starttls"}

    def factory():
        return CountedSMTP(
            state,
            handler,
            hostname="smtp.test",
            enable_SMTPUTF8=True,
            decode_data=False,
            tls_context=context if args.mode == "starttls" else None,
            require_starttls=args.mode == "starttls",
            **({"data_size_limit": args.size_limit} if args.size_limit else {}),
            **auth,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        factory,
        host=args.host,
        port=args.port,
        ssl=context if args.mode == "tls" else None,
        reuse_address=True,
    )
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)

    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def commands():
        while True:
            line = await reader.readline()
            if not line:
                stop.set()
                return
            words = line.decode().split()
            if words == ["DROP"]:
                print(await state.drop_connections(), flush=True)
            else:
                print(state.command(words), flush=True)

    command_task = asyncio.create_task(commands())
    await stop.wait()
    command_task.cancel()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
