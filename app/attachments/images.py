"""Image type and dimensions from the first bytes of a file (PNG, JPEG, GIF, WebP).

Just enough header parsing to check a file against its declared type; no decoding, so no
image library (and its native code) is needed.
"""

from __future__ import annotations

import struct

import msgspec

# The prefix the worker reads: headers, plus room for JPEG metadata segments before the frame.
HEADER_BYTES = 256 * 1024


class NotAnImage(ValueError):
    """The bytes are not one of the accepted image formats, or are cut short."""


class ImageInfo(msgspec.Struct, frozen=True):
    content_type: str
    width: int
    height: int

    @property
    def format(self) -> str:
        return self.content_type.removeprefix("image/")


def inspect(data: bytes) -> ImageInfo:
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return ImageInfo("image/png", width, height)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            width, height = struct.unpack("<HH", data[6:10])
            return ImageInfo("image/gif", width, height)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return ImageInfo("image/webp", *_webp_size(data))
        if data[:3] == b"\xff\xd8\xff":
            return ImageInfo("image/jpeg", *_jpeg_size(data))
    except (struct.error, IndexError) as exc:
        raise NotAnImage("The file is cut short.") from exc
    raise NotAnImage("The file is not a PNG, JPEG, GIF or WebP image.")


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    raise NotAnImage("Unknown WebP encoding.")


# Start-of-frame markers carry the dimensions; C4, C8 and CC share the range but are not frames.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[int, int]:
    offset = 2
    while offset + 9 < len(data):
        if data[offset] != 0xFF:
            raise NotAnImage("Corrupt JPEG segment.")
        marker = data[offset + 1]
        if marker == 0xFF:
            offset += 1
            continue
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return width, height
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        offset += 2 + length
    raise NotAnImage("No JPEG frame header in the first bytes.")
