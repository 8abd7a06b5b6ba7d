#!/usr/bin/env python3
"""Writes the byte streams that the playback tests replay.

They are not captures of real hardware (none was at hand) but are built,
independently of the Go decoders, from the layouts the devices document:

hidpos.hex  one HID POS input report of a bar code scanner per line, in hex:
            report ID 2, symbol byte count, 3-byte AIM symbology identifier,
            56 symbol bytes, vendor code, reserved, flags (bit 0: more
            reports of this symbol follow): 64 bytes.
evdev.bin   reads of /dev/input/eventN from a keyboard-mode scanner: each
            record is one read, preceded by its length as a 2-byte little-
            endian number; a read holds struct input_event values (timeval,
            u16 type, u16 code, s32 value) of a 64-bit little-endian machine,
            24 bytes each: MSC_SCAN, EV_KEY, SYN_REPORT as keyboards send.

Every citizen is invented (see kiosk/scan). Run: python3 record.py
"""
import struct

SCANS = [
    ("]Q1", "HN-0042".encode()),
    ("]Q1", "038152999901|123999001|Trần Thị Mẫu|14071952|Nữ|Thôn Thử Nghiệm, Xã Mẫu, Tỉnh Giả Định|01032021".encode()),
    ("]Q1", b"https://dichvucong.example.gov.vn/hs?ma=000.00.12.H56-261203-0001\r"),
    ("]C0", b"000.00.12.H56-261203-0001"),
]

with open("hidpos.hex", "w") as f:
    for aim, data in SCANS:
        chunks = [data[i:i + 56] for i in range(0, len(data), 56)]
        for i, c in enumerate(chunks):
            more = 1 if i < len(chunks) - 1 else 0
            r = bytes([2, len(c)]) + aim.encode() + c.ljust(56, b"\0") + b"s\0" + bytes([more])
            assert len(r) == 64
            f.write(r.hex() + "\n")

US = {}
for i, (a, b) in enumerate(zip("1234567890", "!@#$%^&*()")):
    US[a] = (2 + i, False)
    US[b] = (2 + i, True)
for row, start in (("qwertyuiop", 16), ("asdfghjkl", 30), ("zxcvbnm", 44)):
    for i, ch in enumerate(row):
        US[ch] = (start + i, False)
        US[ch.upper()] = (start + i, True)
for ch, code, shift in (("-", 12, False), ("_", 12, True), ("=", 13, False), (".", 52, False),
                        ("/", 53, False), (":", 39, True), ("|", 43, True), (" ", 57, False),
                        ("?", 53, True), ("\n", 28, False)):
    US[ch] = (code, shift)

t = [1764720000, 0]


def ev(typ, code, value):
    t[1] += 1000
    return struct.pack("<qqHHi", t[0], t[1], typ, code, value)


def key(code, value):
    return ev(4, 4, 0x70000 + code) + ev(1, code, value) + ev(0, 0, 0)


TYPED = ["HN-0042\n", "000.00.12.H56-261203-0001\n", "https://x.example.gov.vn/?code=HN-0042\n"]
with open("evdev.bin", "wb") as f:
    def read(b):
        f.write(struct.pack("<H", len(b)) + b)
    for text in TYPED:
        for ch in text:
            code, shift = US[ch]
            if shift:
                read(key(42, 1))
            read(key(code, 1))
            read(key(code, 0))
            if shift:
                read(key(42, 0))
    # A key held down repeats; the scanner's own keys Ctrl and F1 mean
    # nothing here and are dropped.
    read(key(29, 1) + key(59, 1) + key(59, 0) + key(29, 0))
    read(key(2, 1) + ev(1, 2, 2) + ev(0, 0, 0) + key(2, 0) + key(28, 1) + key(28, 0))
