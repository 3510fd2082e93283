#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helper for octopus-test-servers; runs under Debian's /usr/bin/python3.

Subcommands:
  ports N                      print N distinct free TCP ports on 127.0.0.1
  rings SWIFT_DIR ACCT CONT OBJ   build the three one-device rings in SWIFT_DIR
  swift SWIFT_DIR CONF:SECTION... run these Swift WSGI servers in this process
  wait-http URL TIMEOUT [STATUS]  wait for any HTTP reply (or that status)
  wait-s3 URL AK SK REGION TIMEOUT   wait until a SigV4-signed ListBuckets is 200

Everything uses the standard library except the two Swift subcommands, so the
probes work on a machine where awscli is not installed.
"""

import datetime
import hashlib
import hmac
import http.client
import os
import socket
import sys
import time
import urllib.parse
import warnings


def cmd_ports(n):
    # Hold every socket open until all are bound, so the N ports differ.
    socks = []
    for _ in range(int(n)):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    print(" ".join(str(s.getsockname()[1]) for s in socks))
    for s in socks:
        s.close()
    return 0


def cmd_rings(swift_dir, acct, cont, obj):
    # Building in-process saves ~9 python start-ups of swift-ring-builder.
    from swift.common.ring import RingBuilder
    for name, port in (("account", acct), ("container", cont),
                       ("object", obj)):
        builder = RingBuilder(6, 1, 1)
        builder.add_dev({"id": 0, "region": 1, "zone": 1,
                         "ip": "127.0.0.1", "port": int(port),
                         "replication_ip": "127.0.0.1",
                         "replication_port": int(port),
                         "device": "d1", "weight": 1.0, "meta": ""})
        builder.rebalance()
        builder.save("%s/%s.builder" % (swift_dir, name))
        builder.get_ring().save("%s/%s.ring.gz" % (swift_dir, name))
    return 0


def cmd_swift(swift_dir, *confs):
    """Run the given Swift WSGI servers (CONF:SECTION ...) in this process.

    One process on one eventlet hub instead of four python processes: Swift
    start-up is mostly interpreter and import time, so this starts in about
    a third of the time on two cores and uses a quarter of the memory.
    """
    import logging
    from swift.common import utils
    # Swift 2.30 reads hash prefix/suffix, policies and constraints from
    # /etc/swift/swift.conf at import time whatever swift_dir says; point it
    # at our private swift.conf so parallel instances never share /etc.
    utils.set_swift_dir(swift_dir)
    from swift.common import storage_policy, constraints
    storage_policy.reload_storage_policies()
    constraints.reload_constraints()

    # No syslog here: without this, Swift would fall back to UDP syslog.
    class _NoSyslog(logging.NullHandler):
        def __init__(self, *args, **kwargs):
            logging.NullHandler.__init__(self)
    utils.ThreadSafeSysLogHandler = _NoSyslog

    import eventlet
    import eventlet.wsgi
    from swift.common import wsgi as swsgi

    servers = []
    for item in confs:
        conf_path, section = item.rsplit(":", 1)
        # verbose: log to stderr, which the harness sends to a file in DIR.
        conf, logger, log_name = swsgi._initrp(conf_path, section,
                                               verbose=True)
        servers.append((conf, log_name, swsgi.get_socket(conf)))

    # What run_wsgi/run_server do once per process, done once for all.
    utils.eventlet_monkey_patch()
    # Unlike Swift's own clean_up_daemon_hygiene(), no setsid(): staying in
    # the caller's session and process group lets a test runner's group kill
    # (timeout, Ctrl-C) end Swift too, as it ends s3rver and memcached.
    os.chdir("/")
    os.environ["TZ"] = "UTC+0"
    time.tzset()
    eventlet.hubs.use_hub(utils.get_hub())

    def serve(conf, log_name, sock):
        app = swsgi.loadapp(conf["__file__"],
                            global_conf={"log_name": log_name})
        pool = swsgi.RestrictedGreenPool(
            size=int(conf.get("max_clients", "1024")))
        eventlet.wsgi.server(
            sock, app, swsgi.NullLogger(), custom_pool=pool,
            protocol=swsgi.SwiftHttpProtocol,
            socket_timeout=float(conf.get("client_timeout") or 60),
            # s3api needs "ETag", not eventlet's "Etag", for AWS SDKs.
            capitalize_response_headers=False)

    # Swift passes capitalize_response_headers=False too; its warning is noise.
    warnings.filterwarnings("ignore", "capitalize_response_headers",
                            DeprecationWarning)
    threads = [eventlet.spawn(serve, *srv) for srv in servers]
    for t in threads:
        t.wait()
    return 0


def _http(url, method="GET", headers=None, timeout=2.0):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        c.request(method, u.path or "/", headers=headers or {})
        r = c.getresponse()
        body = r.read()
        return r.status, body
    finally:
        c.close()


def _dead_watched():
    """Name of a process in $OTS_WATCH_PIDS that has exited, else None.

    Lets a wait fail at once when the server died instead of after the
    whole timeout. The harness is still the parent: a dead one is a zombie.
    """
    for pid in os.environ.get("OTS_WATCH_PIDS", "").split():
        try:
            with open("/proc/%s/status" % pid) as f:
                if any(l.startswith("State:") and "Z" in l.split()[1]
                       for l in f):
                    return pid
        except OSError:
            return pid
    return None


def cmd_wait_http(url, timeout, status=None):
    deadline = time.monotonic() + float(timeout)
    last = "no reply"
    while time.monotonic() < deadline:
        if _dead_watched():
            print("server process %s exited" % _dead_watched(),
                  file=sys.stderr)
            return 1
        try:
            st, _ = _http(url)
            if status is None or st == int(status):
                return 0
            last = "HTTP %d" % st
        except OSError as e:
            last = str(e)
        time.sleep(0.1)
    print("timed out waiting for %s (%s)" % (url, last), file=sys.stderr)
    return 1


def _sign(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def _list_buckets_headers(host, ak, sk, region):
    now = datetime.datetime.now(datetime.timezone.utc)
    amzdate = now.strftime("%Y%m%dT%H%M%SZ")
    day = now.strftime("%Y%m%d")
    payload = hashlib.sha256(b"").hexdigest()
    canon = "GET\n/\n\nhost:%s\nx-amz-content-sha256:%s\nx-amz-date:%s\n\n" \
            "host;x-amz-content-sha256;x-amz-date\n%s" % (
                host, payload, amzdate, payload)
    scope = "%s/%s/s3/aws4_request" % (day, region)
    sts = "AWS4-HMAC-SHA256\n%s\n%s\n%s" % (
        amzdate, scope, hashlib.sha256(canon.encode()).hexdigest())
    k = _sign(("AWS4" + sk).encode(), day)
    k = _sign(_sign(_sign(k, region), "s3"), "aws4_request")
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    return {
        "Host": host, "x-amz-date": amzdate, "x-amz-content-sha256": payload,
        "Authorization": "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders="
        "host;x-amz-content-sha256;x-amz-date, Signature=%s" % (
            ak, scope, sig),
    }


def cmd_wait_s3(url, ak, sk, region, timeout):
    deadline = time.monotonic() + float(timeout)
    host = urllib.parse.urlsplit(url).netloc
    last = "no reply"
    while time.monotonic() < deadline:
        if _dead_watched():
            print("server process %s exited" % _dead_watched(),
                  file=sys.stderr)
            return 1
        try:
            st, body = _http(url, headers=_list_buckets_headers(
                host, ak, sk, region))
            if st == 200 and b"ListAllMyBucketsResult" in body:
                return 0
            last = "HTTP %d %s" % (st, body[:300])
        except OSError as e:
            last = str(e)
        time.sleep(0.1)
    print("timed out waiting for signed ListBuckets on %s (%s)" % (url, last),
          file=sys.stderr)
    return 1


def main(argv):
    cmds = {"ports": cmd_ports, "rings": cmd_rings, "swift": cmd_swift,
            "wait-http": cmd_wait_http, "wait-s3": cmd_wait_s3}
    if len(argv) < 2 or argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
