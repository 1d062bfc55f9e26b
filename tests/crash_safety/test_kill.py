"""Kills `tachyon convert --force` and `tachyon predict` with SIGKILL in the middle of their
writes and checks what is left on disk.

convert: the output folder must afterwards be the old folder (byte-identical, same file
list) or the complete new folder, never absent and never a mixture; the hidden temporary
folders a killed run leaves beside it (".<name>.tachyon-tmp-<pid>-<i>") must not be taken
for the output and must be removed by the next run for that folder.
The kill points are spread over the whole write with the test hook
TACHYON_TEST_WRITE_DELAY_MS (a pause after every file written and before the final swap),
plus one kill right at the swap.

predict: the output .npy must be the old file byte for byte or the complete new one; the
killed run's "<out>.tmp-<pid>" must be removed by the next run.
"""
import argparse
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)


def snapshot(folder):
    """{relative path: sha256} of every file below folder (None when it does not exist)."""
    if not os.path.isdir(folder):
        return None
    out = {}
    for root, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, folder)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def leftovers(parent, name):
    return sorted(e for e in os.listdir(parent) if e.startswith(f".{name}.tachyon-tmp-") or e.startswith(f"{name}.tmp-"))


def run_and_kill(cmd, env, delay):
    """Starts cmd, kills it with SIGKILL after `delay` seconds; returns True if it was killed
    before finishing on its own."""
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        p.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait()
        return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tachyon", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    model = os.path.join(args.models, "jet_mlp.onnx")
    out = os.path.join(work, "prj")

    def convert(clock, dest=out):
        return [args.tachyon, "convert", model, "--backend", "hls", "--clock-period", str(clock), "-o", dest, "--force"]

    env = dict(os.environ)
    env.pop("TACHYON_TEST_WRITE_DELAY_MS", None)
    # The old folder (clock 5) and, for reference, the complete new one (clock 4).
    subprocess.run(convert(5), check=True, env=env, stdout=subprocess.DEVNULL)
    old = snapshot(out)
    ref_new = os.path.join(work, "ref_new")
    subprocess.run(convert(4, ref_new), check=True, env=env, stdout=subprocess.DEVNULL)
    new = snapshot(ref_new)
    check(old is not None and new is not None and old != new and len(old) > 5,
          f"old and new projects differ ({len(old or {})} files)")

    # How long a slowed-down write takes from start to finish.
    env_slow = dict(env, TACHYON_TEST_WRITE_DELAY_MS="40")
    t0 = time.monotonic()
    subprocess.run(convert(5), check=True, env=env_slow, stdout=subprocess.DEVNULL)
    total = time.monotonic() - t0
    check(snapshot(out) == old, "a completed run with the same options gives the same folder")
    print(f"slowed-down convert takes {total:.2f} s")

    killed = 0
    states = {"old": 0, "new": 0}
    points = [total * f for f in (0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.85, 0.93, 0.97, 0.99)]
    for i, delay in enumerate(points):
        # Before every kill the folder is the old one again (that run also removes the
        # previous kill's temporaries).
        subprocess.run(convert(5), check=True, env=env, stdout=subprocess.DEVNULL)
        check(not leftovers(work, "prj"), f"kill {i}: no temporaries left before the run")
        was_killed = run_and_kill(convert(4), env_slow, delay)
        killed += was_killed
        got = snapshot(out)
        state = "old" if got == old else "new" if got == new else "absent" if got is None else "MIXED"
        if state in states:
            states[state] += 1
        check(state in ("old", "new"),
              f"kill {i} at {delay:.2f} s ({'killed' if was_killed else 'finished'}): folder is the {state} one")
    check(killed >= 6, f"{killed} of {len(points)} runs were killed during the write")
    check(states["old"] >= 1, f"kills before the swap left the old folder ({states['old']} times)")

    # Leftover temporaries of a killed run are ignored and removed by the next run.
    subprocess.run(convert(5), check=True, env=env, stdout=subprocess.DEVNULL)
    run_and_kill(convert(4), env_slow, total * 0.5)
    check(bool(leftovers(work, "prj")), "a killed run leaves a hidden temporary folder beside the output")
    check(snapshot(out) == old, "...which is not the output: the output is still the old folder")
    subprocess.run(convert(4), check=True, env=env, stdout=subprocess.DEVNULL)
    check(not leftovers(work, "prj"), "the next run removed the temporaries of the killed run")
    check(snapshot(out) == new, "the next run wrote the complete new folder")

    # predict: the output file is replaced atomically; kills during the chunked write leave
    # the old file untouched.
    x = np.random.default_rng(1).normal(size=(100_000, 16))
    xin = os.path.join(work, "x.npy")
    np.save(xin, x)
    y = os.path.join(work, "y.npy")
    y_ref = os.path.join(work, "y_ref.npy")

    def predict(dest):
        return [args.tachyon, "predict", model, "-i", xin, "-o", dest, "--chunk", "500", "--threads", "1", "-q"]

    t0 = time.monotonic()
    subprocess.run(predict(y_ref), check=True, env=env)
    ptotal = time.monotonic() - t0
    with open(y_ref, "rb") as fh:
        new_y = fh.read()
    # Chunking does not change the results: one chunk of all samples gives the same bytes.
    y_one = os.path.join(work, "y_one.npy")
    subprocess.run(predict(y_one)[:-5] + ["--chunk", "1000000", "-q"], check=True, env=env)
    with open(y_one, "rb") as fh:
        check(fh.read() == new_y, "predict in chunks of 500 samples == predict in one chunk (byte-identical)")
    check(np.load(y_ref).shape == (100_000, 5), "predict output has shape [100000, 5]")
    with open(y, "wb") as f:
        f.write(b"old contents of y.npy")
    pkilled = 0
    for f in (0.2, 0.4, 0.6, 0.8):
        pkilled += run_and_kill(predict(y), env, ptotal * f)
        with open(y, "rb") as fh:
            body = fh.read()
        state = "old" if body == b"old contents of y.npy" else "new" if body == new_y else "MIXED"
        check(state in ("old", "new"), f"predict killed at {ptotal * f:.2f} s: y.npy is the {state} file")
    check(pkilled >= 2, f"{pkilled} of 4 predict runs were killed during the run")
    print(f"temporaries left by the killed predict runs: {leftovers(work, 'y.npy')}")
    subprocess.run(predict(y), check=True, env=env)
    check(not leftovers(work, "y.npy"), "the next predict removed the killed runs' temporaries")
    with open(y, "rb") as fh:
        check(fh.read() == new_y, "the completed predict wrote the new y.npy")

    print(f"{len(failures)} failed" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
