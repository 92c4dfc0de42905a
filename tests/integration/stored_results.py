"""Where a file store keeps each task's result, as a test looks for it on
disk: a file of its own under results/ (big results, and stores of format
1), or a frame in a segment under segments/ (docs/store-layout.md). Read
here independently of the C++ reader, so that a test that finds, damages or
counts results checks the layout the documentation promises rather than
trusting the code under test."""

import glob
import os
import struct

FRAME_MAGIC = b"JUGF"
FRAME_HEADER_SIZE = 64
SEGMENT_FILE_HEADER = b"jug-cpp segment 1\n"
KIND_RESULT, KIND_REMOVAL, KIND_SEALED = 1, 2, 3


class StoredResult:
    """One result on disk: `path` holds its record at `offset`, `size` bytes
    long (the whole file for a result file)."""

    def __init__(self, hash_hex, path, offset, size):
        self.hash = hash_hex
        self.path = path
        self.offset = offset
        self.size = size

    def in_segment(self):
        return os.path.basename(os.path.dirname(self.path)) == "segments"

    def record(self):
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            return f.read(self.size)

    def flip_byte(self, at=None):
        """Flips one byte of the record (its middle unless `at` says which):
        damage the record's own checksum finds."""
        at = self.size // 2 if at is None else at
        with open(self.path, "r+b") as f:
            f.seek(self.offset + at)
            byte = f.read(1)
            f.seek(self.offset + at)
            f.write(bytes([byte[0] ^ 0xFF]))

    def overwrite(self, data, truncate=False):
        """Writes `data` over the record's start (a file of its own is cut
        to it when `truncate`)."""
        assert len(data) <= self.size
        with open(self.path, "r+b") as f:
            f.seek(self.offset)
            f.write(data)
            if truncate:
                f.truncate(self.offset + len(data))

    def __repr__(self):
        return f"StoredResult({self.hash[:12]}, {self.path}@{self.offset}+{self.size})"


def segment_frames(path):
    """The whole frames of one segment file, in order: (kind, put_id,
    hash_hex, body offset, body size). Stops at the first frame that is cut
    short or not a frame (the C++ reader's damage report is tested
    elsewhere)."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(SEGMENT_FILE_HEADER):
        return []
    at = len(SEGMENT_FILE_HEADER)
    frames = []
    while at + FRAME_HEADER_SIZE <= len(data) and data[at:at + 4] == FRAME_MAGIC:
        kind = data[at + 4]
        (body_size,) = struct.unpack_from("<I", data, at + 8)
        (put_id,) = struct.unpack_from("<Q", data, at + 16)
        hash_hex = data[at + 24:at + 56].hex()
        body = at + FRAME_HEADER_SIZE
        if body + body_size > len(data):
            break
        frames.append((kind, put_id, hash_hex, body, body_size))
        at = body + body_size
    return frames


def stored_results(jugdir):
    """Every live result of the file store at `jugdir`, by task hash (hex):
    the latest put of each task in the segments, less those removed, and
    every result file."""
    latest = {}
    removed = set()
    for path in sorted(glob.glob(os.path.join(jugdir, "segments", "seg.*"))):
        for kind, put_id, hash_hex, body, size in segment_frames(path):
            if kind == KIND_RESULT:
                if hash_hex not in latest or latest[hash_hex][0] < put_id:
                    latest[hash_hex] = (put_id, StoredResult(hash_hex, path, body, size))
            elif kind == KIND_REMOVAL:
                removed.add((hash_hex, put_id))
    found = {h: result for h, (put_id, result) in latest.items() if (h, put_id) not in removed}
    for path in glob.glob(os.path.join(jugdir, "results", "*", "*")):
        hash_hex = os.path.basename(os.path.dirname(path)) + os.path.basename(path)
        if len(hash_hex) == 64 and all(c in "0123456789abcdef" for c in hash_hex):
            found[hash_hex] = StoredResult(hash_hex, path, 0, os.path.getsize(path))
    return found


def results_list(jugdir):
    """stored_results() as a list, in a stable order."""
    return [r for _, r in sorted(stored_results(jugdir).items())]
