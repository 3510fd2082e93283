#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/bench.py — the body of bench/run; runs inside the private network namespace and
D-Bus session that bench/run made (see there). Not meant to be started by hand.

Starts three Swift (s3api) servers with the project's harness, generates the data, uploads it
with Octopus (to 3 services, to 1), with `aws s3 cp` and with `rclone copy` (each to the three
services one after another), first unthrottled, then with every service behind its own
bandwidth cap (tc htb on this namespace's loopback, one class per server port), and prints a
table of client wall time, CPU seconds and peak RSS, and the ratios issue 11 asks for.

Client figures come from wait4(2) on the client process: user+sys CPU of it and of every
descendant it waited for, and the peak RSS of the largest single process (each client here is
one process).  The servers are not children of the client and are never counted.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVERS = os.path.join(REPO, "tests", "servers", "octopus-test-servers")
AWS = "/usr/bin/aws"
RCLONE = "/usr/bin/rclone"
BUCKET = "bench"
MIB = 1024 * 1024
GIB = 1024 * MIB
N_SERVICES = 3


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Measure:
    """Sum of one or more client commands run one after another."""

    def __init__(self):
        self.wall = 0.0
        self.cpu = 0.0
        self.user = 0.0
        self.sys = 0.0
        self.rss_kib = 0
        self.steps = []
        self.server_cpu = 0.0

    def add(self, wall, ru):
        self.wall += wall
        self.user += ru.ru_utime
        self.sys += ru.ru_stime
        self.cpu = self.user + self.sys
        self.rss_kib = max(self.rss_kib, ru.ru_maxrss)
        self.steps.append(round(wall, 2))


def run_measured(argv, env, log_path, timeout):
    """Runs argv, returns (wall seconds, rusage of it and its waited-for descendants)."""
    with open(log_path, "ab") as out:
        out.write(("$ " + " ".join(argv) + "\n").encode())
        out.flush()
        t0 = time.monotonic()
        p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                             start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(p.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        with open(log_path, errors="replace") as f:
            tail = "".join(f.readlines()[-15:])
        raise RuntimeError(f"{argv[0]} exited with {p.returncode}:\n{tail}")
    return wall, ru


def quiet(argv, env=None, timeout=300, stdin=None):
    r = subprocess.run(argv, env=env, input=stdin, capture_output=True, text=True,
                       timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


class Bench:
    def __init__(self, args):
        self.a = args
        self.tmp = args.tmp
        self.cli = args.cli
        self.services = []          # dicts: name, endpoint, port, access, secret, dir
        self.results = {}           # (mode, dataset, client) -> Measure
        self.base_env = dict(os.environ)
        self.case_no = 0

    # ---- environment ---------------------------------------------------------------------
    def setup_session(self):
        t = self.tmp
        env = self.base_env
        for var, sub in (("XDG_RUNTIME_DIR", "run"), ("XDG_DATA_HOME", "data"),
                         ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state"),
                         ("HOME", "home")):
            env[var] = os.path.join(t, "k", sub)
            os.makedirs(env[var], mode=0o700, exist_ok=True)
        # No AWS_* from the caller (AWS_CA_BUNDLE makes rclone 1.60 refuse to start; every
        # endpoint here is plain http), no display: the clients see only what is set here.
        for var in list(env):
            if var.startswith("AWS_") or var in ("DISPLAY", "WAYLAND_DISPLAY"):
                del env[var]
        env["GSETTINGS_BACKEND"] = "memory"
        out = quiet(["gnome-keyring-daemon", "--unlock", "--components=secrets"], env=env,
                    stdin="test", timeout=20)
        for line in out.splitlines():
            k, _, v = line.partition("=")
            if k:
                env[k] = v
        os.makedirs(os.path.join(t, "log"), exist_ok=True)

    def start_servers(self):
        for i in range(N_SERVICES):
            d = os.path.join(self.tmp, f"srv{i + 1}")
            log(f"starting Swift #{i + 1}")
            quiet([SERVERS, "start", d, "--only", "swift"], env=self.base_env, timeout=120)
            envf = {}
            for line in open(os.path.join(d, "env")):
                m = re.match(r"export (\w+)=(.*)$", line.strip())
                if m:
                    envf[m.group(1)] = m.group(2)
            ep = envf["OCTOPUS_TEST_SWIFT_ENDPOINT"]
            self.services.append({
                "name": f"swift{i + 1}", "endpoint": ep, "port": int(ep.rsplit(":", 1)[1]),
                "access": envf["OCTOPUS_TEST_SWIFT_ACCESS_KEY"],
                "secret": envf["OCTOPUS_TEST_SWIFT_SECRET_KEY"], "dir": d})

    def server_cpu(self):
        """CPU seconds the servers (Swift, memcached) have used so far: to show when the
        servers, not the client, filled the two cores."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for s in self.services:
            for line in open(os.path.join(s["dir"], "pids")):
                pid = line.split()[1]
                try:
                    stat = open(f"/proc/{pid}/stat").read()
                except OSError:
                    continue
                f = stat.rsplit(")", 1)[1].split()
                total += sum(int(x) for x in f[11:15])   # utime stime cutime cstime
        return total / tick

    def stop_servers(self):
        for s in self.services:
            subprocess.run([SERVERS, "stop", s["dir"]], env=self.base_env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)

    def aws_env(self, s):
        env = dict(self.base_env)
        env.update(AWS_ACCESS_KEY_ID=s["access"], AWS_SECRET_ACCESS_KEY=s["secret"],
                   AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="")
        return env

    def aws(self, s, *args, timeout=600):
        return quiet([AWS, "--endpoint-url", s["endpoint"], *args], env=self.aws_env(s),
                     timeout=timeout)

    def rclone_env(self):
        env = dict(self.base_env)
        env["RCLONE_CONFIG"] = os.path.join(self.tmp, "rclone.conf")   # empty: remotes from env
        for s in self.services:
            n = s["name"].upper()
            env.update({f"RCLONE_CONFIG_{n}_TYPE": "s3", f"RCLONE_CONFIG_{n}_PROVIDER": "Other",
                        f"RCLONE_CONFIG_{n}_ACCESS_KEY_ID": s["access"],
                        f"RCLONE_CONFIG_{n}_SECRET_ACCESS_KEY": s["secret"],
                        f"RCLONE_CONFIG_{n}_ENDPOINT": s["endpoint"],
                        f"RCLONE_CONFIG_{n}_REGION": "us-east-1",
                        f"RCLONE_CONFIG_{n}_FORCE_PATH_STYLE": "true"})
        return env

    def octopus_profile(self, name, services):
        """A config dir whose accounts.ini lists `services`; the secrets go to the keyring."""
        env = dict(self.base_env)
        env["XDG_CONFIG_HOME"] = os.path.join(self.tmp, "k", f"config-{name}")
        os.makedirs(env["XDG_CONFIG_HOME"], mode=0o700, exist_ok=True)
        for s in services:
            quiet([self.cli, "account", "add", s["name"], "--provider", "swift",
                   "--endpoint", s["endpoint"], "--access-key", s["access"], "--bucket", BUCKET,
                   "--allow-http"], env=env, stdin=s["secret"] + "\n", timeout=60)
        return env

    def setup_accounts(self):
        for s in self.services:
            self.aws(s, "s3api", "create-bucket", "--bucket", BUCKET)
        self.oct3 = self.octopus_profile("3", self.services)
        self.oct1 = self.octopus_profile("1", self.services[:1])
        self.rcl = self.rclone_env()
        open(self.rcl["RCLONE_CONFIG"], "w").close()

    # ---- data ----------------------------------------------------------------------------
    def make_data(self):
        d = os.path.join(self.tmp, "data")
        os.makedirs(os.path.join(d, "small"))
        self.big = os.path.join(d, "big.bin")
        self.huge = os.path.join(d, "huge.bin")
        self.small = os.path.join(d, "small")
        log(f"generating {self.a.big_mib} MiB, {self.a.huge_mib} MiB and "
            f"{self.a.small_count} small files")
        for path, mib in ((self.big, self.a.big_mib), (self.huge, self.a.huge_mib)):
            with open(path, "wb") as f:
                for _ in range(mib):
                    f.write(os.urandom(MIB))
        rng = random.Random(11)
        total = 0
        for i in range(self.a.small_count):
            n = rng.randint(4 * 1024, 64 * 1024)
            total += n
            with open(os.path.join(self.small, f"f{i:04d}.bin"), "wb") as f:
                f.write(os.urandom(n))
        self.small_bytes = total
        self.datasets = {"big": (self.big, self.a.big_mib * MIB, 1),
                         "small": (self.small, total, self.a.small_count),
                         "huge": (self.huge, self.a.huge_mib * MIB, 1)}

    # ---- bandwidth caps ------------------------------------------------------------------
    def set_caps(self, mbit):
        """htb on this namespace's loopback: what a client sends to a server's port goes
        through that server's own class; everything else (replies, Swift's internal
        proxy->object traffic) through an unlimited default class."""
        tc = ["tc"]
        quiet(tc + ["qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb", "default", "99"])
        quiet(tc + ["class", "add", "dev", "lo", "parent", "1:", "classid", "1:99", "htb",
                    "rate", "100gbit", "quantum", "200000"])
        for i, s in enumerate(self.services):
            cid = f"1:{10 + i}"
            quiet(tc + ["class", "add", "dev", "lo", "parent", "1:", "classid", cid, "htb",
                        "rate", f"{mbit}mbit", "ceil", f"{mbit}mbit", "quantum", "65536"])
            quiet(tc + ["filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "prio",
                        "1", "u32", "match", "ip", "dport", str(s["port"]), "0xffff",
                        "flowid", cid])

    def clear_caps(self):
        subprocess.run(["tc", "qdisc", "del", "dev", "lo", "root"], stderr=subprocess.DEVNULL)

    # ---- cases ---------------------------------------------------------------------------
    def commands(self, client, dataset, prefix):
        """The list of (argv, env) a case runs, one after another."""
        path = self.datasets[dataset][0]
        small = dataset == "small"
        if client in ("octopus3", "octopus1"):
            env = self.oct3 if client == "octopus3" else self.oct1
            argv = [self.cli, "upload", path, "--prefix", prefix]
            if self.a.perf:
                argv = ["perf", "record", "-q", "-F", "999", "-g", "-o",
                        os.path.join(self.a.perf, prefix + ".data"), "--"] + argv
            return [(argv, env)]
        cmds = []
        for s in self.services:
            if client == "aws":
                dest = f"s3://{BUCKET}/{prefix}/{os.path.basename(path)}"
                argv = [AWS, "--endpoint-url", s["endpoint"], "s3", "cp", "--no-progress",
                        "--only-show-errors"] + (["--recursive", path, dest + "/"] if small
                                                 else [path, dest])
                cmds.append((argv, self.aws_env(s)))
            else:
                dest = f"{s['name']}:{BUCKET}/{prefix}" + ("/small" if small else "")
                cmds.append(([RCLONE, "copy", path, dest], self.rcl))
        return cmds

    def services_of(self, client):
        return self.services[:1] if client == "octopus1" else self.services

    def verify(self, client, dataset, prefix):
        """Every service the case wrote to holds the right number of objects and bytes."""
        _, size, count = self.datasets[dataset]
        for s in self.services_of(client):
            out = self.aws(s, "s3", "ls", "--recursive", "--summarize",
                           f"s3://{BUCKET}/{prefix}/")
            n = int(re.search(r"Total Objects: (\d+)", out).group(1))
            b = int(re.search(r"Total Size: (\d+)", out).group(1))
            if (n, b) != (count, size):
                raise RuntimeError(f"{client}/{dataset}: {s['name']} holds {n} objects, {b} "
                                   f"bytes; expected {count}, {size}")

    def clean(self, client, prefix):
        """Deletes what the case uploaded (disk stays bounded, rclone finds nothing to skip);
        the services at once: 3,000 small deletes one service after another take minutes."""
        procs = [subprocess.Popen([AWS, "--endpoint-url", s["endpoint"], "s3", "rm",
                                   "--recursive", "--only-show-errors",
                                   f"s3://{BUCKET}/{prefix}/"], env=self.aws_env(s),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for s in self.services_of(client)]
        for p in procs:
            _, err = p.communicate(timeout=600)
            if p.returncode != 0:
                raise RuntimeError(f"cleaning {prefix} failed: {err.decode(errors='replace')}")

    def case(self, mode, dataset, client):
        self.case_no += 1
        prefix = f"c{self.case_no:02d}-{client}-{dataset}-{mode}"
        log(f"{mode:6} {dataset:5} {client}")
        m = Measure()
        logp = os.path.join(self.tmp, "log", prefix + ".log")
        srv0 = self.server_cpu()
        for argv, env in self.commands(client, dataset, prefix):
            wall, ru = run_measured(argv, env, logp, self.a.step_timeout)
            m.add(wall, ru)
        m.server_cpu = self.server_cpu() - srv0
        self.verify(client, dataset, prefix)
        self.clean(client, prefix)
        self.results[(mode, dataset, client)] = m
        log(f"       wall {m.wall:.1f} s, cpu {m.cpu:.2f} s, rss {m.rss_kib / 1024:.0f} MiB, "
            f"servers' cpu {m.server_cpu:.1f} s "
            f"(steps {m.steps})")

    def run(self):
        if self.a.perf:
            # Profiling only: Octopus's unthrottled cases under perf record (whose own CPU
            # is then in the figures: use them to compare profiles, not as results).
            for dataset in ("big", "small"):
                for c in ("octopus3", "octopus1"):
                    self.case("free", dataset, c)
            return
        clients = ["octopus3", "octopus1", "aws", "rclone"]
        capped_clients = clients if not self.a.no_rclone_capped else clients[:3]
        for dataset in ("big", "small"):
            for c in clients:
                self.case("free", dataset, c)
        self.case("free", "huge", "octopus3")
        if self.a.cap_mbit > 0:
            self.set_caps(self.a.cap_mbit)
            try:
                for dataset in ("big", "small"):
                    for c in capped_clients:
                        self.case("capped", dataset, c)
            finally:
                self.clear_caps()

    # ---- report --------------------------------------------------------------------------
    def report(self):
        names = {"octopus3": "Octopus → 3", "octopus1": "Octopus → 1",
                 "aws": "aws s3 cp × 3 serial", "rclone": "rclone copy × 3 serial"}
        a = self.a
        sets = {"big": f"{a.big_mib} MiB file", "small":
                f"{a.small_count} small files ({self.small_bytes / MIB:.1f} MiB)",
                "huge": f"{a.huge_mib} MiB file"}
        lines = []
        p = lines.append
        cap = f"capped {a.cap_mbit} Mbit/s per service"
        p(f"Octopus {self.a.commit}, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores "
          f"({self.a.cpu_model}), 3 × Swift 2.30 (s3api) on loopback, one run each.")
        p("")
        p("| data | network | client | wall s | client CPU s (user+sys) | client peak RSS MiB "
          "| client CPU s per GiB per service | servers' CPU s |")
        p("|---|---|---|---:|---:|---:|---:|---:|")
        for (mode, dataset, client), m in self.results.items():
            _, size, _ = self.datasets[dataset]
            per = m.cpu / (size / GIB) / len(self.services_of(client))
            p(f"| {sets[dataset]} | {'unlimited' if mode == 'free' else cap} | {names[client]} "
              f"| {m.wall:.1f} | {m.cpu:.2f} | {m.rss_kib / 1024:.0f} | {per:.2f} "
              f"| {m.server_cpu:.1f} |")
        p("")
        r = self.results

        def ratio(x, y):
            return x / y if y else float("nan")

        def get(mode, dataset, client):
            return r.get((mode, dataset, client))

        for dataset in ("big", "small"):
            o3, o1 = get("free", dataset, "octopus3"), get("free", dataset, "octopus1")
            v = ratio(o3.cpu, o1.cpu)
            p(f"- {sets[dataset]}: Octopus CPU(3)/CPU(1) = {v:.2f} (target ≤ 1.6: "
              f"{'met' if v <= 1.6 else 'NOT met'})")
        for dataset in ("big", "small"):
            o3, o1 = get("capped", dataset, "octopus3"), get("capped", dataset, "octopus1")
            if not o3:
                continue
            aw, rc = get("capped", dataset, "aws"), get("capped", dataset, "rclone")
            v = ratio(o3.wall, o1.wall)
            s = (f"- {sets[dataset]}, {cap}: wall(3)/wall(1) Octopus = {v:.2f} (target ≤ 1.3: "
                 f"{'met' if v <= 1.3 else 'NOT met'}); aws × 3 serial / Octopus → 1 = "
                 f"{ratio(aw.wall, o1.wall):.2f}")
            if rc:
                s += f"; rclone × 3 serial / Octopus → 1 = {ratio(rc.wall, o1.wall):.2f}"
            s += f" (aws × 3 serial / aws's first upload alone = {ratio(aw.wall, aw.steps[0]):.2f})"
            p(s)
        h = get("free", "huge", "octopus3")
        v = h.rss_kib / 1024
        p(f"- peak RSS uploading the {a.huge_mib} MiB file to 3 services: {v:.0f} MiB "
          f"(target ≤ 100 MiB: {'met' if v <= 100 else 'NOT met'})")
        for dataset in ("big", "small"):
            _, size, _ = self.datasets[dataset]
            per = {c: get("free", dataset, c).cpu / (size / GIB) / len(self.services_of(c))
                   for c in ("octopus3", "aws", "rclone")}
            ok = per["octopus3"] < per["aws"] and per["octopus3"] < per["rclone"]
            p(f"- {sets[dataset]}: client CPU s per GiB per service: Octopus → 3 "
              f"{per['octopus3']:.2f}, aws {per['aws']:.2f}, rclone {per['rclone']:.2f} "
              f"(target: lower than both: {'met' if ok else 'NOT met'})")
        text = "\n".join(lines)
        print(text, flush=True)
        if a.out:
            with open(a.out, "w") as f:
                f.write(text + "\n")
            with open(a.out + ".json", "w") as f:
                json.dump({"/".join(k): vars(m) for k, m in r.items()}, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--big-mib", type=int, default=1024)
    ap.add_argument("--huge-mib", type=int, default=2048)
    ap.add_argument("--small-count", type=int, default=1000)
    ap.add_argument("--cap-mbit", type=int, default=200)
    ap.add_argument("--no-rclone-capped", action="store_true")
    ap.add_argument("--step-timeout", type=int, default=600)
    ap.add_argument("--out")
    ap.add_argument("--perf", help="profile Octopus's cases with perf record into this dir")
    ap.add_argument("--commit", default="?")
    ap.add_argument("--cpu-model", default="?")
    a = ap.parse_args()
    b = Bench(a)
    try:
        b.setup_session()
        b.start_servers()
        b.setup_accounts()
        b.make_data()
        b.run()
        if not a.perf:
            b.report()
    finally:
        b.clear_caps()
        b.stop_servers()


if __name__ == "__main__":
    main()
