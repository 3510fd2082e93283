#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-pyeclib-decode.py TOOL — archives written by Octopus (octopus-erasure-tool encode) are
# decoded by pyeclib, an independent reader, following only docs/erasure-format.md: parse the
# trailer from an archive's last 640 bytes, split each archive into fragments by the size field
# of each fragment header, hand k fragments of every segment to pyeclib, then check length,
# MD5 and SHA-256 against the trailer; and rebuild a lost archive byte for byte.
# TAP; skipped when pyeclib is not installed.
import hashlib
import itertools
import os
import struct
import subprocess
import sys
import tempfile

try:
    from pyeclib.ec_iface import ECDriver
except ImportError:
    print("1..0 # SKIP python3-pyeclib is not installed")
    sys.exit(0)

TOOL = sys.argv[1]
TRAILER_SIZE = 640
HEADER_SIZE = 80
SEGMENT = 1024 * 1024


def parse_trailer(archive):
    t = archive[-TRAILER_SIZE:]
    assert t[0:8] == b"OCTOECTR", "magic"
    assert hashlib.sha256(t[:608]).digest() == t[608:640], "trailer checksum"
    version, size, backend, chksum, k, m, index = struct.unpack_from("<HHBBBBB", t, 8)
    assert (version, size, backend, chksum) == (1, 640, 7, 2)
    segment_size, original_length, data_length = struct.unpack_from("<IQQ", t, 20)
    return {
        "k": k, "m": m, "index": index, "segment_size": segment_size,
        "original_length": original_length, "data_length": data_length,
        "md5": t[48:64], "sha256": t[64:96],
        "archive_md5": [t[96 + 16 * i:112 + 16 * i] for i in range(k + m)],
    }


def split_fragments(archive, data_length):
    frags, pos = [], 0
    while pos < data_length:
        size = struct.unpack_from("<I", archive, pos + 4)[0]
        frags.append(archive[pos:pos + HEADER_SIZE + size])
        pos += HEADER_SIZE + size
    assert pos == data_length, "fragments do not end where the trailer begins"
    return frags


def content(length, seed):
    out = bytearray()
    block = hashlib.sha256(str(seed).encode()).digest()
    while len(out) < length:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:length])


cases = [(2, 1, 0), (2, 1, 1), (2, 1, SEGMENT + 1), (3, 2, 3 * SEGMENT + SEGMENT // 2),
         (3, 2, SEGMENT - 1)]
print("1..%d" % len(cases))
failed = 0
for n, (k, m, length) in enumerate(cases, 1):
    name = "k=%d m=%d %d bytes" % (k, m, length)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            original = content(length, n)
            with open(os.path.join(tmp, "file"), "wb") as f:
                f.write(original)
            subprocess.run([TOOL, "encode", os.path.join(tmp, "file"), tmp, str(k), str(m)],
                           check=True)
            archives = []
            for i in range(k + m):
                with open(os.path.join(tmp, "archive.%d" % i), "rb") as f:
                    archives.append(f.read())
            trailers = [parse_trailer(a) for a in archives]
            t = trailers[0]
            assert [x["index"] for x in trailers] == list(range(k + m))
            assert (t["k"], t["m"], t["original_length"]) == (k, m, length)
            for i, a in enumerate(archives):
                assert len(a) == t["data_length"] + TRAILER_SIZE
                assert hashlib.md5(a[:t["data_length"]]).digest() == t["archive_md5"][i]
            driver = ECDriver(k=k, m=m, ec_type="isa_l_rs_cauchy")
            frags = [split_fragments(a, t["data_length"]) for a in archives]
            for subset in itertools.combinations(range(k + m), k):
                out = b"".join(driver.decode([frags[i][s] for i in subset])
                               for s in range(len(frags[0])))
                assert len(out) == t["original_length"], "length, archives %s" % (subset,)
                assert hashlib.md5(out).digest() == t["md5"]
                assert hashlib.sha256(out).digest() == t["sha256"]
                assert out == original
            # A lost archive rebuilt by pyeclib (with CRC-32, as Octopus writes) is identical.
            rebuilder = ECDriver(k=k, m=m, ec_type="isa_l_rs_cauchy", chksum_type="inline_crc32")
            lost = k + m - 1
            others = list(range(k))
            rebuilt = b"".join(rebuilder.reconstruct([frags[i][s] for i in others], [lost])[0]
                               for s in range(len(frags[0])))
            trailer = bytearray(archives[0][-TRAILER_SIZE:])
            trailer[16] = lost
            trailer[608:] = hashlib.sha256(bytes(trailer[:608])).digest()
            assert rebuilt + bytes(trailer) == archives[lost], "pyeclib's rebuilt archive differs"
        print("ok %d - pyeclib decodes %s from any %d archives, rebuilds one" % (n, name, k))
    except Exception as e:  # one case failing must not hide the others
        failed += 1
        print("not ok %d - %s: %r" % (n, name, e))
sys.exit(1 if failed else 0)
