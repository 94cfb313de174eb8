#!/usr/bin/python3
"""SMTP sink for intake's tests (Debian's python3-aiosmtpd; run with
/usr/bin/python3).  Every message accepted is written to DIR as NNNN.eml,
with its envelope in NNNN.json, atomically (temp file, rename).  The
listening port is written to --port-file once the server is ready.

  --port N            listen on N (0: any free port)
  --mode plain|starttls|tls   with --cert/--key for the TLS modes
  --auth USER:PASS    offer AUTH (PLAIN, LOGIN), require it, check it
  --rcpt-code "550 5.1.1 no such user"   refuse every RCPT with this reply
  --refuse-rcpt ADDR  refuse only this recipient (550), repeatable
  --data-code "451 4.3.0 try later"      refuse every message at end of DATA
  --hang-after-data   store the message, then never answer (a client that
                      dies now has sent the message but not recorded it)
Stops on SIGTERM.
"""
import argparse, asyncio, json, os, signal, socket, ssl, sys, threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

ap = argparse.ArgumentParser()
ap.add_argument("--dir", required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--mode", default="plain", choices=["plain", "starttls", "tls"])
ap.add_argument("--cert")
ap.add_argument("--key")
ap.add_argument("--auth")
ap.add_argument("--rcpt-code")
ap.add_argument("--refuse-rcpt", action="append", default=[])
ap.add_argument("--data-code")
ap.add_argument("--hang-after-data", action="store_true")
args = ap.parse_args()


class Handler:
    count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if args.rcpt_code:
            return args.rcpt_code
        if address.lower() in [a.lower() for a in args.refuse_rcpt]:
            return "550 5.1.1 <%s>: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if args.data_code:
            return args.data_code
        Handler.count += 1
        base = os.path.join(args.dir, "%04d" % Handler.count)
        # Count what is already there: a restarted sink goes on numbering.
        n = len([f for f in os.listdir(args.dir) if f.endswith(".eml")]) + 1
        base = os.path.join(args.dir, "%04d" % n)
        with open(base + ".json.tmp", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "tls": server.transport.get_extra_info("ssl_object") is not None,
                       "auth": getattr(session, "x_login", None)}, f)
        os.rename(base + ".json.tmp", base + ".json")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(base + ".eml.tmp", base + ".eml")
        if args.hang_after_data:
            await asyncio.sleep(3600)
        return "250 2.0.0 OK stored"


def authenticator(server, session, envelope, mechanism, auth_data):
    user, pw = args.auth.split(":", 1)
    ok = isinstance(auth_data, LoginPassword) and \
        auth_data.login.decode() == user and auth_data.password.decode() == pw
    if ok:
        session.x_login = user
    return AuthResult(success=ok, handled=False)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


port = args.port or free_port()
kw = dict(hostname="127.0.0.1", port=port, decode_data=False)
ctx = None
if args.mode != "plain":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
if args.mode == "starttls":
    kw.update(tls_context=ctx, require_starttls=True)
elif args.mode == "tls":
    kw.update(ssl_context=ctx)
if args.auth:
    kw.update(authenticator=authenticator, auth_required=True,
              auth_require_tls=(args.mode == "starttls"))


class Quiet(Controller):
    # The readiness probe of aiosmtpd would need our test CA for implicit
    # TLS; probe with a plain TCP connect instead.
    def _trigger_server(self):
        if args.mode == "tls":
            with socket.create_connection((self.hostname, self.port), 1.0) as s:
                c = ssl.create_default_context()
                c.check_hostname = False
                c.verify_mode = ssl.CERT_NONE
                with c.wrap_socket(s) as t:
                    t.recv(1024)
            return
        super()._trigger_server()


controller = Quiet(Handler(), **kw)
controller.start()
with open(args.port_file + ".tmp", "w") as f:
    f.write("%d\n" % port)
os.rename(args.port_file + ".tmp", args.port_file)

stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: stop.set())
signal.signal(signal.SIGINT, lambda *a: stop.set())
while not stop.wait(0.2):
    pass
try:
    controller.stop()
except Exception:
    pass
sys.exit(0)
