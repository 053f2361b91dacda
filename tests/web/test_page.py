#!/usr/bin/env python3
"""Browser tests of tcplab.html (the WebAssembly build) in headless Chromium.

    test_page.py --page BUILD_WEB_DIR --native-bin NATIVE_BIN_DIR --catalogue DIR --out DIR CASE

Each CASE opens the page from a local server, drives it as a student would (keys, clicks,
a file picker, drops), and checks what the page says it shows (the "tcplab: ..." status
line and the "tcplab-model: {...}" draw model it writes to the console), the pixels of a
screenshot, the address bar's link, and downloaded files against the native build's.
Exit 0 when the case passes; otherwise a message says what differed.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, Server, fraction_near  # noqa: E402

CASES = {}


def case(fn):
    CASES[fn.__name__.replace("_", "-")] = fn
    return fn


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def status_fields(line):
    return dict(kv.split("=", 1) for kv in line.split() if "=" in kv)


def step_of(line):
    return int(status_fields(line)["step"].split("/")[0])


def steps_in(line):
    return int(status_fields(line)["step"].split("/")[1])


class Ctx:
    def __init__(self, args, browser, server):
        self.args, self.b, self.srv = args, browser, server

    def open(self, link="", downloads=None):
        page = self.b.open(self.srv.base + "tcplab.html" + link, downloads=downloads)
        page.wait_console("tcplab: ", lambda s: s.startswith("lab="))
        return page

    def shot(self, page, name):
        return page.screenshot(os.path.join(self.args.out, name + ".png"))

    def native(self, *argv):
        return subprocess.run([os.path.join(self.args.native_bin, "tcplab")] + list(argv),
                              capture_output=True, text=True)


def badge_is(img, model, host, state, ctx_tol=22):
    e = [x for x in model["endpoints"] if x["host"] == host]
    check(e, "no endpoint panel for %s in the model" % host)
    e = e[0]
    check(e["state"] == state, "%s's badge says %s, not %s" % (host, e["state"], state))
    f = fraction_near(img, e["badge"], model["state_colors"][state], ctx_tol)
    check(f > 0.5, "%s's badge is not drawn in %s's colour (%.0f%% of its pixels)" % (host, state, 100 * f))


@case
def handshake(c):
    """The link opens the handshake at step 6: both sides ESTABLISHED, green badges."""
    p = c.open("#lab=handshake&step=6&seed=1")
    st = p.last("tcplab: ")
    f = status_fields(st)
    check(f["lab"] == "handshake" and f["seed"] == "1" and step_of(st) == 6, "status: " + st)
    check(f["client"] == "ESTABLISHED" and f["server"] == "ESTABLISHED", "status: " + st)
    m = p.model()
    img = c.shot(p, "handshake")
    badge_is(img, m, "client", "ESTABLISHED")
    badge_is(img, m, "server", "ESTABLISHED")
    check(m["ladder"]["segments_sent"] >= 3, "fewer than 3 segments drawn: %s" % m["ladder"])
    check(p.evaluate("location.hash") == "#lab=handshake&seed=1&step=6", "link: " + str(p.evaluate("location.hash")))
    check(p.evaluate("document.title") == "tcplab: handshake", "title: " + str(p.evaluate("document.title")))
    # Editing the address opens what it says.
    n = len(p.console)
    p.evaluate("location.hash = '#lab=lost-fin&step=3&seed=3'")
    st = p.wait_console("tcplab: ", lambda s: s.startswith("lab=lost-fin "), after=n)
    check(step_of(st) == 3 and status_fields(st)["seed"] == "3", "after a new #: " + st)
    # Nothing but the page's own three files was fetched.
    files = sorted(set(r.split("?")[0].split("#")[0] for r in c.srv.requests))
    check(files == ["/tcplab.html", "/tcplab.js", "/tcplab.wasm"], "fetched: %s" % files)


@case
def lost_fin(c):
    """lost-fin at step 12 (seed 3): the FIN was lost, a cross on the ladder, FIN_WAIT_1."""
    p = c.open("#lab=lost-fin&step=12&seed=3")
    st = p.last("tcplab: ")
    f = status_fields(st)
    check(step_of(st) == 12 and f["client"] == "FIN_WAIT_1" and f["server"] == "LAST_ACK", "status: " + st)
    m = p.model()
    img = c.shot(p, "lost-fin")
    badge_is(img, m, "client", "FIN_WAIT_1")
    badge_is(img, m, "server", "LAST_ACK")
    crosses = [a for a in m["ladder"]["arrows"] if "cross" in a]
    check(len(crosses) == 1, "expected one lost segment on the ladder, got %d" % len(crosses))
    x, y = crosses[0]["cross"]
    red = fraction_near(img, (x - 6, y - 6, x + 7, y + 7), m["lost_color"], 40)
    check(red > 0.08, "no red cross drawn at (%.0f, %.0f): %.0f%% red" % (x, y, 100 * red))
    check(any(a["retx"] for a in m["ladder"]["arrows"]), "the retransmitted FIN is not drawn as one")


@case
def projector(c):
    """On a 1024x768 projector the ladder keeps room: its two time lines are far apart."""
    p = c.b.open(c.srv.base + "tcplab.html#lab=lost-fin&step=12&seed=3", width=1024, height=768)
    p.wait_console("tcplab: ", lambda s: s.startswith("lab=lost-fin"))
    m = p.model(lambda m: m["ladder"]["arrows"])
    xs = sorted({round(x) for a in m["ladder"]["arrows"] for x in (a["line"][0], a["line"][2])})
    gap = xs[-1] - xs[0]
    check(gap >= 100, "the ladder's time lines are %d px apart at 1024 px wide" % gap)
    for e in m["endpoints"]:
        check(e["badge"][2] - e["badge"][0] > 250, "an endpoint badge is only %d px wide" % (e["badge"][2] - e["badge"][0]))
    c.shot(p, "projector")


@case
def picker(c):
    """No link: the page opens on the lab picker with every built-in lab; a click opens one."""
    p = c.open("")
    m = p.model(lambda m: m["picker_open"])
    labs = sorted(k.split(":", 1)[1] for k in m["items"] if k.startswith("picker:"))
    want = sorted(os.path.splitext(os.path.basename(f))[0] for f in glob.glob(os.path.join(c.args.catalogue, "*.toml")))
    check(labs == want, "the picker lists %s, the catalogue has %s" % (labs, want))
    c.shot(p, "picker")
    n = len(p.console)
    p.click_rect(m["items"]["picker:lost-fin"])
    st = p.wait_console("tcplab: ", lambda s: "lab=lost-fin" in s, after=n)
    check(step_of(st) == 0, "status: " + st)
    m = p.model(lambda m: m["lab"] == "lost-fin", after=n)
    check(not m["picker_open"], "the picker stayed open")
    check(p.evaluate("location.hash").startswith("#lab=lost-fin&seed="), "link: " + p.evaluate("location.hash"))


@case
def keys_and_rewind(c):
    """Step, step back, to the next state change, end, home, play, pause, and the rewind slider."""
    p = c.open("#lab=lost-fin&seed=3&speed=200ms")
    check(step_of(p.last("tcplab: ")) == 0, p.last("tcplab: "))
    for _ in range(3):
        p.key("ArrowRight")
    p.wait_console("tcplab: ", lambda s: step_of(s) == 3)
    p.key("ArrowLeft")
    p.wait_console("tcplab: ", lambda s: step_of(s) == 2)
    before = status_fields(p.last("tcplab: "))
    p.key("ArrowRight", shift=True)
    st = p.wait_console("tcplab: ", lambda s: step_of(s) > 2)
    after = status_fields(st)
    check(after["client"] != before["client"] or after["server"] != before["server"],
          "Shift+Right did not stop at a state change: %s -> %s" % (before, after))
    p.key("End")
    st = p.wait_console("tcplab: ", lambda s: step_of(s) == steps_in(s))
    total = steps_in(st)
    p.key("Home")
    p.wait_console("tcplab: ", lambda s: step_of(s) == 0)
    p.key(" ")  # play: 200 ms of virtual time per second
    p.wait_console("tcplab: ", lambda s: step_of(s) >= 2, timeout=15)
    p.key(" ")  # pause
    p.wait(0.3)
    a = p.last("tcplab: ")
    p.wait(1.0)
    check(p.last("tcplab: ") == a, "still playing after the second Space: %s then %s" % (a, p.last("tcplab: ")))
    # The rewind slider: a click three quarters along it.
    m = p.model(lambda m: "timeline" in m["items"])
    r = m["items"]["timeline"]
    n = len(p.console)
    p.click(r[0] + 0.75 * (r[2] - r[0]), (r[1] + r[3]) / 2)
    st = p.wait_console("tcplab: ", lambda s: True, after=n)
    s = step_of(st)
    check(total * 0.4 <= s <= total, "a click at 3/4 of the slider went to step %d of %d" % (s, total))


@case
def click_to_drop(c):
    """Click a segment's arrow, choose "Drop it": the fork is shown, the link carries it."""
    p = c.open("#lab=handshake&seed=1&step=8")
    m = p.model()
    data = [a for a in m["ladder"]["arrows"] if a["kind"] == "DATA"]
    check(data, "no data segment drawn at step 8: %s" % [a["label"] for a in m["ladder"]["arrows"]])
    x0, y0, x1, y1 = data[0]["line"]
    n = len(p.console)
    p.click(x0 + 0.5 * (x1 - x0), y0 + 0.5 * (y1 - y0))
    m = p.model(lambda m: "segmenu:drop" in m["items"], after=n)
    p.click_rect(m["items"]["segmenu:drop"])
    st = p.wait_console("tcplab: ", lambda s: "timeline=drop" in s, after=n)
    m = p.model(lambda m: m["timeline"].startswith("drop"), after=n)
    check(m["first_difference"] is not None, "the fork shows no first difference")
    c.shot(p, "click-to-drop")
    link = p.evaluate("location.hash")
    check("&fork=drop" in link, "the link does not carry the fork: " + link)
    # The link reopens the same moment of the same fork.
    q = c.open(link)
    again = q.last("tcplab: ")
    check(again == p.last("tcplab: "), "the fork's link opens %s, not %s" % (again, p.last("tcplab: ")))


@case
def predict(c):
    """Predict-then-step: the step waits for the answers, then goes on."""
    p = c.open("#lab=handshake&seed=1&predict=1")
    m = p.model(lambda m: m["predict"]["prompt"] != "")
    check(m["predict"]["choices"], "a question with no choices")
    p.key("ArrowRight")
    p.wait(0.3)
    check(step_of(p.last("tcplab: ")) == 0, "stepped before answering: " + p.last("tcplab: "))
    for _ in range(6):  # answer every question of the step (the first choice each time)
        if not m["predict"]["prompt"]:
            break
        n = len(p.console)
        p.click_rect(m["items"]["predict:" + m["predict"]["choices"][0]])
        prompt = m["predict"]["prompt"]
        m = p.model(lambda mm: mm["predict"]["prompt"] != prompt, after=n)
    check(not m["predict"]["prompt"], "still asking after 6 answers: " + m["predict"]["prompt"])
    p.key("ArrowRight")
    p.wait_console("tcplab: ", lambda s: step_of(s) == 1)


@case
def panes(c):
    """The bottom panes by their keys: tcpdump, netstat, plots, lab."""
    p = c.open("#lab=lost-fin&step=12&seed=3")
    m = p.model()
    check(m["tab"] == "text" and m["text"]["lines"] > 10, "tcpdump pane: %s" % m["text"])
    check("Flags [F.]" in m["text"]["current"] or m["text"]["current"], "no current tcpdump line")
    for key, tab in (("2", "netstat"), ("3", "plots"), ("5", "lab"), ("1", "text")):
        n = len(p.console)
        p.key(key)
        m = p.model(lambda m: m["tab"] == tab, after=n)
        if tab == "netstat":
            check(m["netstat"]["rows"] > 0, "netstat pane has no rows")
        img = c.shot(p, "pane-" + tab)
        # The plots draw the data segments in blue (96,170,255) and the ACKs in green; the
        # text panes have neither.
        bottom = (0, img[1] - 180, img[0], img[1])
        blue = fraction_near(img, bottom, (96, 170, 255), 30)
        check((blue > 0.002) == (tab == "plots"), "%s pane: %.4f of the bottom pane is plot blue" % (tab, blue))
    check(p.evaluate("location.hash") == "#lab=lost-fin&seed=3&step=12", p.evaluate("location.hash"))


def wait_file(d, suffix, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        done = [f for f in os.listdir(d) if f.endswith(suffix)]
        if done and not [f for f in os.listdir(d) if f.endswith(".crdownload")]:
            return os.path.join(d, done[0])
        time.sleep(0.1)
    raise AssertionError("no %s file downloaded into %s: %s" % (suffix, d, os.listdir(d)))


@case
def downloads(c):
    """Trace and pcap downloads equal the native build's; the edited lab runs natively."""
    d = tempfile.mkdtemp(prefix="tcplab-dl-")
    p = c.open("#lab=lost-fin&seed=3&step=12&tab=lab", downloads=d)
    m = p.model(lambda m: "export:trace" in m["items"])
    for what, suffix in (("trace", ".jsonl"), ("pcap", ".pcap")):
        p.click_rect(m["items"]["export:" + what])
        got = wait_file(d, suffix)
        ref = os.path.join(d, "native" + suffix)
        # The page's pcap is the link capture (every send at its send time); the command
        # line's default capture point is the client, so ask it for the link.
        extra = ["--pcap-at", "link"] if what == "pcap" else []
        r = c.native("run", "lost-fin", "--seed", "3", "--" + what, ref, *extra)
        check(r.returncode in (0, 1), "native run failed: " + r.stderr)
        check(open(got, "rb").read() == open(ref, "rb").read(), "the page's %s differs from the native one" % what)
        os.rename(got, got + ".seen")
        os.rename(ref, ref + ".seen")
    # F12: the frame as a PNG, the same picture as the browser's own screenshot.
    p.key("F12")
    png = wait_file(d, ".png")
    from cdp import decode_png
    img = decode_png(open(png, "rb").read())
    check(img[0] == 1400 and img[1] == 900, "F12 saved a %dx%d picture" % (img[0], img[1]))
    e = [x for x in m["endpoints"] if x["host"] == "client"][0]
    f = fraction_near(img, e["badge"], m["state_colors"][e["state"]], 22)
    check(f > 0.5, "F12's picture does not show the client's badge (%.0f%%)" % (100 * f))
    # A fork, then its lab: the downloaded lab carries the rule and runs natively to the same trace.
    q = c.open("#lab=lost-fin&seed=3&tab=lab&fork=drop%20A%3EB%232", downloads=d)
    m = q.model(lambda m: "export:lab" in m["items"] and m["timeline"] != "original")
    q.click_rect(m["items"]["export:lab"])
    lab = wait_file(d, ".toml")
    check("drop A>B#2" in open(lab).read(), "the downloaded lab lacks the fork's rule")
    q.click_rect(m["items"]["export:trace"])
    web_trace = wait_file(d, ".jsonl")
    ref = os.path.join(d, "fork-native.jsonl.ref")
    r = c.native("run", lab, "--seed", "3", "--trace", ref)
    check(r.returncode in (0, 1), "the downloaded lab does not run natively: " + r.stderr)
    check(open(web_trace, "rb").read() == open(ref, "rb").read(), "the fork's trace differs from the native run of its lab")


@case
def open_file(c):
    """A lab from the user's disk: the file picker, a drop, and a broken file's one-line error."""
    p = c.open("")
    src = open(os.path.join(c.args.catalogue, "lost-fin.toml")).read()
    path = os.path.join(tempfile.mkdtemp(), "my-lab.toml")
    with open(path, "w") as f:
        f.write(src)
    doc = p.send("DOM.getDocument")["root"]["nodeId"]
    node = p.send("DOM.querySelector", {"nodeId": doc, "selector": "#labfile"})["nodeId"]
    n = len(p.console)
    p.send("DOM.setFileInputFiles", {"nodeId": node, "files": [path]})
    p.wait_console("tcplab: ", lambda s: s.startswith("lab=my-lab "), after=n)
    # A drop of a file on the page.
    n = len(p.console)
    js = ("(function(){const dt=new DataTransfer();dt.items.add(new File([%s],'dropped.toml'));"
          "window.dispatchEvent(new DragEvent('drop',{dataTransfer:dt,cancelable:true,bubbles:true}));})()"
          % json.dumps(src.replace("lost-fin", "dropped")))
    p.evaluate(js)
    p.wait_console("tcplab: ", lambda s: s.startswith("lab=dropped "), after=n)
    # A broken one: one line naming the file, line and column; the lab shown stays.
    n = len(p.console)
    p.evaluate("(function(){const dt=new DataTransfer();dt.items.add(new File(['[link]\\nrate = = 3\\n'],'broken.toml'));"
               "window.dispatchEvent(new DragEvent('drop',{dataTransfer:dt,cancelable:true,bubbles:true}));})()")
    err = p.wait_console("tcplab: error: ", after=n)
    check(re.search(r"broken\.toml:2:\d+", err), "the error does not name broken.toml:2:col: " + err)
    check("\n" not in err, "a multi-line error")
    check(p.last("tcplab: lab=").startswith("dropped "), "the lab shown changed after a broken file")


@case
def open_capture(c):
    """A tcpdump capture from the user's disk: both sides' inferred states, stepped; it stays in the page."""
    p = c.open("")
    cap = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "import", "linux", "linux-close.pcap")
    doc = p.send("DOM.getDocument")["root"]["nodeId"]
    node = p.send("DOM.querySelector", {"nodeId": doc, "selector": "#labfile"})["nodeId"]
    n = len(p.console)
    p.send("DOM.setFileInputFiles", {"nodeId": node, "files": [os.path.abspath(cap)]})
    st = p.wait_console("tcplab: ", lambda s: s.startswith("capture=linux-close "), after=n)
    check(step_of(st) == 0 and steps_in(st) == 21, "status: " + st)
    p.key("End")
    st = p.wait_console("tcplab: ", lambda s: s.startswith("capture=") and step_of(s) == steps_in(s))
    f = status_fields(st)
    check(f.get("10.77.0.1") == "TIME_WAIT" and f.get("10.77.0.2") == "CLOSED", "states at the end: " + st)
    m = p.model(lambda m: m["lab"] == "linux-close" and m["cursor"] == m["events"], after=n)
    eps = {e["host"]: e for e in m["endpoints"]}
    check(eps["10.77.0.1"]["tcb"].get("SND.NXT") == "9", "the client's inferred SND.NXT: %s" % eps["10.77.0.1"]["tcb"])
    check(len(m["ladder"]["arrows"]) == 11, "arrows: %d" % len(m["ladder"]["arrows"]))
    # The capture's name is not put in the address (it never leaves the page).
    check("linux-close" not in p.evaluate("location.hash"), "link: " + p.evaluate("location.hash"))
    c.shot(p, "capture")
    # A capture cut short in its file header: one line naming the file; the capture shown stays.
    n = len(p.console)
    p.evaluate("(function(){const dt=new DataTransfer();"
               "dt.items.add(new File([new Uint8Array([0xd4,0xc3,0xb2,0xa1,2,0,4,0])],'cut.pcap'));"
               "window.dispatchEvent(new DragEvent('drop',{dataTransfer:dt,cancelable:true,bubbles:true}));})()")
    err = p.wait_console("tcplab: error: ", after=n)
    check("cut.pcap" in err and "\n" not in err, "the error: " + err)
    check(p.last("tcplab: capture=").startswith("linux-close "), "the capture shown changed after a broken file")


@case
def bad_link(c):
    """A bad link is one line on the console and in the page, and the picker opens."""
    p = c.b.open(c.srv.base + "tcplab.html#lab=no-such-lab&step=3")
    err = p.wait_console("tcplab: error: ")
    check("no-such-lab" in err, "the error does not name the lab: " + err)
    m = p.model(lambda m: m["picker_open"])
    p2 = c.b.open(c.srv.base + "tcplab.html#lab=handshake&stp=3")
    err = p2.wait_console("tcplab: error: ")
    check("unknown key 'stp'" in err, err)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--page", required=True)
    ap.add_argument("--native-bin", required=True)
    ap.add_argument("--catalogue", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    srv = Server(args.page)
    try:
        with Browser() as b:
            CASES[args.case](Ctx(args, b, srv))
    except AssertionError as e:
        print("FAIL %s: %s" % (args.case, e))
        return 1
    finally:
        srv.close()
    print("PASS %s" % args.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
