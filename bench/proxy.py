"""A tiny round-robin HTTP proxy for the scale test: each request goes to the next backend.

    python -m bench.proxy PORT BACKEND_PORT [BACKEND_PORT ...]

Listens on 127.0.0.1:PORT and forwards every request, in turn, to 127.0.0.1:BACKEND_PORT,
passing the body and headers through (hop-by-hop ones excepted) and naming the backend that
answered in an `X-Backend` header (its position, 1, 2, ...). Not a production proxy: enough to
show that nothing a web instance keeps for itself is needed by the next request.
"""

from __future__ import annotations

import http.client
import itertools
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
}


class RoundRobin:
    def __init__(self, ports: list[int]):
        self.ports = ports
        self.turns = itertools.cycle(range(len(ports)))
        self.lock = threading.Lock()
        self.local = threading.local()

    def next(self) -> tuple[int, http.client.HTTPConnection]:
        with self.lock:
            index = next(self.turns)
        connections = self.local.__dict__.setdefault("connections", {})
        if index not in connections:
            connections[index] = http.client.HTTPConnection("127.0.0.1", self.ports[index], 60)
        return index, connections[index]

    def forget(self, index: int) -> None:
        self.local.__dict__.get("connections", {}).pop(index, None)


def handler_for(backends: RoundRobin) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["X-Forwarded-For"] = self.client_address[0]
            for attempt in range(2):  # a backend may have closed an idle connection
                index, connection = backends.next()
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    data = response.read()
                    break
                except (ConnectionError, http.client.HTTPException):
                    connection.close()
                    backends.forget(index)
                    if attempt:
                        self.send_error(502, "Bad gateway")
                        return
            self.send_response_only(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Backend", str(index + 1))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = forward

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Forward


def serve(port: int, backend_ports: list[int]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(RoundRobin(backend_ports)))
    server.daemon_threads = True
    return server


if __name__ == "__main__":
    port, *backends = (int(arg) for arg in sys.argv[1:])
    serve(port, backends).serve_forever()
