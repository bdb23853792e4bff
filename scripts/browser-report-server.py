#!/usr/bin/env python3
"""Serve the Veil browser viewer and collect its reports (standard library only).

GET  /viewer.html (or /)  scripts/browser-viewer.html (or --viewer)
GET  /janus-watch.js      scripts/janus-watch.js, the viewers' Janus side
GET  /janus.js            janus.js from libjs-janus-gateway
GET  /adapter.js          adapter.js from libjs-webrtc-adapter
POST /report              JSON from the viewer; written to OUT/NAME.json, its
                          "png" data URL decoded to OUT/NAME.png

Exits 0 after --count reports, 3 on --timeout.  Binds 127.0.0.1 on --port
(0 = any free port) and writes the chosen port to --port-file once it is
listening, so the caller never races the bind.
"""
import argparse
import base64
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_BODY = 64 * 1024 * 1024  # a 1080p PNG is a few MB; refuse anything absurd


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="directory for NAME.json / NAME.png")
    p.add_argument("--count", type=int, default=1, help="exit after this many reports")
    p.add_argument("--timeout", type=float, default=60, help="give up after this many seconds")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", help="write the listening port here")
    p.add_argument("--viewer", default=os.path.join(HERE, "browser-viewer.html"))
    p.add_argument("--janus-js", default="/usr/share/javascript/janus-gateway/janus.js")
    p.add_argument("--adapter-js", default="/usr/share/javascript/webrtc-adapter/adapter.js")
    return p.parse_args()


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    files = {
        "/": (args.viewer, "text/html; charset=utf-8"),
        "/viewer.html": (args.viewer, "text/html; charset=utf-8"),
        "/janus-watch.js": (os.path.join(HERE, "janus-watch.js"), "application/javascript"),
        "/janus.js": (args.janus_js, "application/javascript"),
        "/adapter.js": (args.adapter_js, "application/javascript"),
    }
    for path, _ in files.values():
        if not os.path.isfile(path):
            print(f"browser-report-server: missing {path}", file=sys.stderr)
            return 2

    state = {"reports": 0}
    lock = threading.Lock()
    done = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        server_version = "veil-report/1"

        def log_message(self, fmt, *a):
            sys.stderr.write("browser-report-server: %s %s\n" % (self.address_string(), fmt % a))

        def reply(self, code, body=b"", ctype="text/plain; charset=utf-8"):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/favicon.ico":
                return self.reply(204)
            if path not in files:
                return self.reply(404, b"not found\n")
            fname, ctype = files[path]
            with open(fname, "rb") as f:
                self.reply(200, f.read(), ctype)

        do_HEAD = do_GET

        def do_POST(self):
            if self.path.split("?", 1)[0] != "/report":
                return self.reply(404, b"not found\n")
            n = int(self.headers.get("Content-Length") or 0)
            if n <= 0 or n > MAX_BODY:
                return self.reply(413, b"bad length\n")
            try:
                report = json.loads(self.rfile.read(n))
                if not isinstance(report, dict):
                    raise ValueError("report is not a JSON object")
            except ValueError as e:
                return self.reply(400, f"bad JSON: {e}\n".encode())
            with lock:
                state["reports"] += 1
                idx = state["reports"]
            # The name comes from a URL parameter; keep it to a safe file name.
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", str(report.get("name") or f"report-{idx}"))[:64]
            png = report.pop("png", None)
            report["png_file"] = None
            if isinstance(png, str) and png.startswith("data:image/png;base64,"):
                with open(os.path.join(args.out, name + ".png"), "wb") as f:
                    f.write(base64.b64decode(png.split(",", 1)[1]))
                report["png_file"] = name + ".png"
            tmp = os.path.join(args.out, name + ".json.tmp")
            with open(tmp, "w") as f:
                json.dump(report, f, indent=1, sort_keys=True)
            os.replace(tmp, os.path.join(args.out, name + ".json"))  # readers never see half a file
            self.reply(200, b'{"ok":true}\n', "application/json")
            print(f"browser-report-server: report {idx} '{name}' ok={report.get('ok')} "
                  f"framesDecoded={report.get('framesDecoded')}", file=sys.stderr)
            if idx >= args.count:
                done.set()

    httpd = ThreadingHTTPServer((args.bind, args.port), Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    print(f"browser-report-server: listening on http://{args.bind}:{port}/", file=sys.stderr)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    finished = done.wait(args.timeout)
    time.sleep(0.2)  # let the last response reach the browser before closing
    httpd.shutdown()
    if not finished:
        print(f"browser-report-server: timeout after {args.timeout:g} s with "
              f"{state['reports']}/{args.count} reports", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
