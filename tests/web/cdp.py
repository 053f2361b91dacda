"""Drives the web page in headless Chromium over the DevTools protocol on a pipe
(--remote-debugging-pipe: JSON messages ending in NUL on fds 3 and 4), so no WebSocket
library is needed: only Python's standard library and Debian's chromium.

    with Browser() as b:
        page = b.open(url)            # a new tab, console collected
        page.wait_console("tcplab: ", lambda line: "step=3" in line)
        page.key("ArrowRight")
        page.click(x, y)
        png = page.screenshot()       # (width, height, rows of RGB tuples)
"""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import zlib
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

# The flags from ../shared/NOTES-deps.md item 4: software WebGL2 (SwiftShader), nothing
# fetched from the network by the browser itself.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--remote-debugging-pipe",
]

KEYS = {  # key -> (code, windowsVirtualKeyCode)
    "ArrowRight": ("ArrowRight", 39), "ArrowLeft": ("ArrowLeft", 37), "Home": ("Home", 36),
    "End": ("End", 35), " ": ("Space", 32), "Escape": ("Escape", 27), "F1": ("F1", 112), "F12": ("F12", 123),
}
for _c in "abcdefghijklmnopqrstuvwxyz":
    KEYS[_c] = ("Key" + _c.upper(), ord(_c.upper()))
for _d in "0123456789":
    KEYS[_d] = ("Digit" + _d, ord(_d))


class Server:
    """Serves a directory on 127.0.0.1 (a free port) from a thread, quietly."""

    def __init__(self, directory):
        handler = lambda *a, **k: _QuietHandler(*a, directory=directory, **k)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.requests = _QuietHandler.requests
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def base(self):
        return "http://127.0.0.1:%d/" % self.httpd.server_address[1]

    def close(self):
        self.httpd.shutdown()


class _QuietHandler(SimpleHTTPRequestHandler):
    requests = []

    def log_message(self, fmt, *args):
        _QuietHandler.requests.append(self.path)


class Browser:
    def __init__(self, chromium=None, timeout=60):
        self.chromium = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
        if not self.chromium:
            raise RuntimeError("chromium is not installed (scripts/install-deps installs it)")
        self.timeout = timeout

    def __enter__(self):
        self.profile = tempfile.mkdtemp(prefix="tcplab-chromium-")
        to_r, self._to_w = os.pipe()     # we write commands, chromium reads them on fd 3
        self._from_r, from_w = os.pipe()  # chromium writes replies on fd 4
        cmd = [self.chromium] + CHROMIUM_FLAGS + ["--user-data-dir=" + self.profile, "about:blank"]
        shell = 'exec "$@" 3<&%d 4>&%d' % (to_r, from_w)
        self.proc = subprocess.Popen(["sh", "-c", shell, "sh"] + cmd, pass_fds=(to_r, from_w),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self._buf = b""
        self._next_id = 0
        self.events = []  # (sessionId, method, params) not yet consumed
        return self

    def __exit__(self, *exc):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._to_w)
        os.close(self._from_r)
        shutil.rmtree(self.profile, ignore_errors=True)

    # ------------------------------------------------------------ protocol
    def _read_message(self, deadline):
        while b"\0" not in self._buf:
            if time.monotonic() > deadline:
                raise TimeoutError("no message from chromium")
            chunk = os.read(self._from_r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe (exit %s)" % self.proc.poll())
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=None):
        self._next_id += 1
        mid = self._next_id
        m = {"id": mid, "method": method, "params": params or {}}
        if session:
            m["sessionId"] = session
        os.write(self._to_w, json.dumps(m).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            r = self._read_message(deadline)
            if r.get("id") == mid:
                if "error" in r:
                    raise RuntimeError("%s: %s" % (method, r["error"]))
                return r.get("result", {})
            if "method" in r:
                self.events.append((r.get("sessionId"), r["method"], r.get("params", {})))

    def pump(self, seconds):
        """Collects events for up to `seconds`."""
        deadline = time.monotonic() + seconds
        import select
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if b"\0" not in self._buf:
                ready, _, _ = select.select([self._from_r], [], [], left)
                if not ready:
                    return
            r = self._read_message(deadline + 5)
            if "method" in r:
                self.events.append((r.get("sessionId"), r["method"], r.get("params", {})))

    def open(self, url, width=1400, height=900, downloads=None):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        page.send("Runtime.enable")
        page.send("Page.enable")
        page.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        if downloads:
            self.send("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads,
                                                      "eventsEnabled": True})
        page.send("Page.navigate", {"url": url})
        return page


class Page:
    def __init__(self, browser, session):
        self.b = browser
        self.session = session
        self.console = []  # every console line, in order
        self.errors = []   # uncaught exceptions

    def send(self, method, params=None):
        return self.b.send(method, params, session=self.session)

    def _drain(self):
        keep = []
        for sid, method, params in self.b.events:
            if method == "Runtime.consoleAPICalled" and sid == self.session:
                self.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown" and sid == self.session:
                d = params["exceptionDetails"]
                self.errors.append(d.get("exception", {}).get("description", d.get("text", "?")))
            else:
                keep.append((sid, method, params))
        self.b.events = keep

    def wait(self, seconds):
        self.b.pump(seconds)
        self._drain()

    def wait_console(self, prefix, pred=lambda line: True, timeout=30, after=0):
        """The first console line from index `after` on that starts with prefix and satisfies pred."""
        deadline = time.monotonic() + timeout
        while True:
            self._drain()
            for line in self.console[after:]:
                if line.startswith(prefix) and pred(line[len(prefix):]):
                    return line[len(prefix):]
            if self.errors:
                raise AssertionError("page error: %s" % self.errors[0])
            if time.monotonic() > deadline:
                tail = "\n  ".join(l if len(l) < 240 else l[:240] + "..." for l in self.console[-8:])
                raise AssertionError("no console line '%s...' as expected within %d s; last lines:\n  %s"
                                     % (prefix, timeout, tail))
            self.b.pump(0.1)

    def last(self, prefix):
        self._drain()
        for line in reversed(self.console):
            if line.startswith(prefix):
                return line[len(prefix):]
        return None

    def model(self, pred=lambda m: True, timeout=30, after=0):
        """The first logged draw model (tcplab-model: JSON) from `after` on satisfying pred."""
        return json.loads(self.wait_console("tcplab-model: ", lambda s: pred(json.loads(s)), timeout, after))

    def evaluate(self, expr):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        return r.get("result", {}).get("value")

    def key(self, key, shift=False):
        code, vk = KEYS[key]
        base = {"key": key, "code": code, "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk,
                "modifiers": 8 if shift else 0}
        self.send("Input.dispatchKeyEvent", dict(base, type="rawKeyDown"))
        self.wait(0.08)  # ImGui sees the key down for at least one frame
        self.send("Input.dispatchKeyEvent", dict(base, type="keyUp"))
        self.wait(0.08)

    def click(self, x, y):
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        self.wait(0.08)
        self.send("Input.dispatchMouseEvent", {"type": "mousePressed", "x": x, "y": y, "button": "left",
                                               "clickCount": 1})
        self.wait(0.08)
        self.send("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": x, "y": y, "button": "left",
                                               "clickCount": 1})
        self.wait(0.08)

    def click_rect(self, r):
        self.click((r[0] + r[2]) / 2, (r[1] + r[3]) / 2)

    def screenshot(self, path=None):
        data = base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])
        if path:
            with open(path, "wb") as f:
                f.write(data)
        return decode_png(data)


def decode_png(data):
    """8-bit RGB/RGBA PNG -> (width, height, rows of (r, g, b)). Enough for screenshots."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, ctype = body[0:4], body[4:8], body[8], body[9]
            width, height = int.from_bytes(width, "big"), int.from_bytes(height, "big")
            assert depth == 8 and ctype in (2, 6), "PNG type %d/%d not handled" % (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def fraction_near(img, rect, rgb, tol=40):
    """Share of the pixels in rect (x0, y0, x1, y1) within tol of rgb on every channel."""
    w, h, rows = img
    x0, y0, x1, y1 = (int(v) for v in rect)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    n = hit = 0
    for y in range(y0, y1):
        for x in range(x0, x1):
            n += 1
            p = rows[y][x]
            if all(abs(p[i] - rgb[i]) <= tol for i in range(3)):
                hit += 1
    return hit / n if n else 0.0
