"""A fake OpenAI: a real local HTTP server speaking OpenAI's wire format for images and
moderation. Tests point the official SDK at it with ``OPENAI_BASE_URL`` (``base_url``).

* ``POST /v1/images/edits`` (multipart: ``image``, ``mask``, ``prompt``, ``model``, ``size``
  ...): checks the key, that the mask is a PNG of the image's size with transparent pixels,
  and answers the image with a pattern painted where the mask is transparent, base64 in
  ``data[0].b64_json``, with token ``usage``;
* ``POST /v1/images/generations`` (JSON): a patterned image of the asked size;
* ``POST /v1/moderations`` (JSON): ``flagged`` when the input contains a flagged term.

Every call is recorded (:attr:`FakeOpenAI.calls`, :meth:`FakeOpenAI.count`). Failures are
switchable per endpoint: the next N calls (:meth:`fail_next`), every call
(:meth:`fail_always`), or a safety refusal (:meth:`refuse_next`). Errors use OpenAI's body
``{"error": {"message", "type", "param", "code"}}``; 5xx answers carry ``retry-after-ms`` so
the SDK's own retries run without slowing the tests.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image, ImageDraw
from werkzeug.formparser import parse_form_data

KINDS = {
    "/v1/images/edits": "edits",
    "/v1/images/generations": "generations",
    "/v1/moderations": "moderations",
}
CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
    "illicit/violent", "self-harm", "self-harm/instructions", "self-harm/intent", "sexual",
    "sexual/minors", "violence", "violence/graphic",
)  # fmt: skip


@dataclass
class Call:
    """One request the fake received."""

    kind: str
    headers: dict[str, str]
    fields: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200
    started: float = 0.0
    server_ms: float = 0.0  # time the fake spent on the request (reading to answering)


@dataclass
class _Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def error_body(message: str, type_: str, code: str | None = None) -> dict[str, Any]:
    """OpenAI's error envelope."""
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


class FakeOpenAI:
    """The images and moderation endpoints for one API key."""

    def __init__(self, api_key: str = "sk-test-luneo-fake") -> None:
        self.api_key = api_key
        self.calls: list[Call] = []
        self.flagged_terms: set[str] = set()
        self.usage = {"input_tokens": 320, "output_tokens": 1056}
        self.delay = 0.0
        self._failures: dict[str, list[_Failure]] = {}
        self._always: dict[str, _Failure] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> str:
        """Serve on a free loopback port; returns the base URL (``http://127.0.0.1:N/v1``)."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                fake._handle(self)

            def log_message(self, *_: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.base_url

    def stop(self) -> None:
        """Shut the server down."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        """What ``OPENAI_BASE_URL`` must be to reach the fake."""
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- switches -----------------------------------------------------------------------

    def fail_next(self, kind: str, status: int = 500, times: int = 1, **headers: str) -> None:
        """The next ``times`` calls of ``kind`` answer ``status`` with OpenAI's error body."""
        failure = self._failure(status, headers)
        with self._lock:
            self._failures.setdefault(kind, []).extend([failure] * times)

    def fail_always(self, kind: str, status: int = 500) -> None:
        """Every call of ``kind`` fails until :meth:`recover`."""
        with self._lock:
            self._always[kind] = self._failure(status, {})

    def recover(self, kind: str | None = None) -> None:
        """Stop failing (one kind, or all)."""
        with self._lock:
            for store in (self._failures, self._always):
                if kind is None:
                    store.clear()
                else:
                    store.pop(kind, None)

    def refuse_next(self, kind: str = "edits") -> None:
        """The next call is refused by OpenAI's safety system (400 ``moderation_blocked``)."""
        body = error_body(
            "Your request was rejected by the safety system.",
            "invalid_request_error",
            "moderation_blocked",
        )
        with self._lock:
            self._failures.setdefault(kind, []).append(_Failure(400, body, {}))

    def count(self, kind: str, status: int | None = None) -> int:
        """Calls of ``kind`` received (optionally only those answered ``status``)."""
        with self._lock:
            return sum(1 for c in self.calls if c.kind == kind and status in (None, c.status))

    def last(self, kind: str) -> Call:
        """The latest call of ``kind``."""
        with self._lock:
            return [c for c in self.calls if c.kind == kind][-1]

    @staticmethod
    def _failure(status: int, headers: dict[str, str]) -> _Failure:
        if status == 429:
            body = error_body("Rate limit reached.", "requests", "rate_limit_exceeded")
        elif status >= 500:
            body = error_body(
                "The server had an error while processing your request.", "server_error"
            )
        else:
            body = error_body("Invalid request.", "invalid_request_error")
        if status >= 500 or status == 429:
            headers = {"retry-after-ms": "5", **headers}
        return _Failure(status, body, headers)

    # -- serving --------------------------------------------------------------------------

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        started = time.perf_counter()
        path = req.path.split("?", 1)[0]
        kind = KINDS.get(path)
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length)
        headers = {k.lower(): v for k, v in req.headers.items()}
        call = Call(kind=kind or path, headers=headers, fields={}, started=started)
        with self._lock:
            self.calls.append(call)
            queue = self._failures.get(kind or "")
            failure = queue.pop(0) if queue else self._always.get(kind or "")
        if self.delay:
            time.sleep(self.delay)
        if kind is None:
            return self._send(req, call, 404, error_body("Unknown URL.", "invalid_request_error"))
        if headers.get("authorization") != f"Bearer {self.api_key}":
            body = error_body(
                "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
            )
            return self._send(req, call, 401, body)
        try:
            if kind == "edits":
                call.fields, call.files = _multipart(headers, raw)
            else:
                call.fields = json.loads(raw or b"{}")
        except (ValueError, json.JSONDecodeError):
            return self._send(req, call, 400, error_body("Bad body.", "invalid_request_error"))
        if failure is not None:
            return self._send(req, call, failure.status, failure.body, failure.headers)
        status, body = getattr(self, f"_{kind}")(call)
        return self._send(req, call, status, body)

    def _send(
        self,
        req: BaseHTTPRequestHandler,
        call: Call,
        status: int,
        body: dict,
        headers: dict[str, str] | None = None,
    ) -> None:
        call.status = status
        data = json.dumps(body).encode()
        req.send_response(status)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(data)))
        req.send_header("x-request-id", f"req_{len(self.calls)}")
        for key, value in (headers or {}).items():
            req.send_header(key, value)
        req.end_headers()
        req.wfile.write(data)
        call.server_ms = (time.perf_counter() - call.started) * 1000

    def _edits(self, call: Call) -> tuple[int, dict]:
        if not call.fields.get("prompt") or "image" not in call.files:
            return 400, error_body("image and prompt are required.", "invalid_request_error")
        try:
            image = Image.open(io.BytesIO(call.files["image"])).convert("RGBA")
            mask = Image.open(io.BytesIO(call.files["mask"])) if "mask" in call.files else None
        except OSError:
            return 400, error_body(
                "Invalid image file.", "invalid_request_error", "invalid_image_format"
            )
        if mask is not None:
            if mask.format != "PNG" or mask.size != image.size:
                return 400, error_body(
                    "Invalid mask image: the mask must be a PNG of the same size as the image.",
                    "invalid_request_error",
                )
            alpha = mask.convert("RGBA").getchannel("A")
            if alpha.getextrema()[0] != 0:
                return 400, error_body("The mask has no transparent area.", "invalid_request_error")
            editable = alpha.point(lambda a: 255 if a == 0 else 0)
            image.paste(_pattern(image.size), (0, 0), editable)
        return 200, self._images_answer(image, call.fields)

    def _generations(self, call: Call) -> tuple[int, dict]:
        if not call.fields.get("prompt"):
            return 400, error_body("prompt is required.", "invalid_request_error")
        w, h = (int(v) for v in str(call.fields.get("size") or "1024x1024").split("x"))
        return 200, self._images_answer(_pattern((w, h)), call.fields)

    def _moderations(self, call: Call) -> tuple[int, dict]:
        text = json.dumps(call.fields.get("input", "")).lower()
        flagged = any(term in text for term in self.flagged_terms)
        result = {
            "flagged": flagged,
            "categories": {c: flagged and c == "violence" for c in CATEGORIES},
            "category_scores": {
                c: (0.97 if flagged and c == "violence" else 0.001) for c in CATEGORIES
            },
            "category_applied_input_types": {c: ["text"] for c in CATEGORIES},
        }
        return 200, {
            "id": f"modr-{len(self.calls)}",
            "model": call.fields.get("model") or "omni-moderation-latest",
            "results": [result],
        }

    def _images_answer(self, image: Image.Image, fields: dict[str, Any]) -> dict:
        buf = io.BytesIO()
        image.save(buf, "PNG", compress_level=1)
        usage = {
            **self.usage,
            "total_tokens": sum(self.usage.values()),
            "input_tokens_details": {
                "image_tokens": self.usage["input_tokens"] - 20,
                "text_tokens": 20,
            },
        }
        return {
            "created": int(time.time()),
            "background": "opaque",
            "output_format": "png",
            "quality": fields.get("quality") or "medium",
            "size": f"{image.width}x{image.height}",
            "data": [{"b64_json": base64.b64encode(buf.getvalue()).decode()}],
            "usage": usage,
        }


def _multipart(headers: dict[str, str], raw: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": headers.get("content-type", ""),
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
    }
    _, form, files = parse_form_data(environ)
    if not headers.get("content-type", "").startswith("multipart/form-data"):
        raise ValueError("not multipart")
    fields = {key: form.get(key) for key in form}
    return fields, {key: files[key].read() for key in files}


def _pattern(size: tuple[int, int]) -> Image.Image:
    """Diagonal magenta stripes: unmistakable where the 'model' painted."""
    image = Image.new("RGBA", size, (250, 240, 250, 255))
    draw = ImageDraw.Draw(image)
    step = max(8, size[0] // 24)
    for x in range(-size[1], size[0], step * 2):
        draw.line((x, 0, x + size[1], size[1]), fill=(200, 20, 160, 255), width=step)
    return image
