from __future__ import annotations

from collections.abc import Callable

import pytest

from app.attachments import images
from tests.attachments import samples


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello world",
        b"\x89PNG\r\n\x1a\n",
        b"GIF8",
        b"RIFF\x00\x00\x00\x00WEBPXXXX" + b"0" * 20,
        b"\xff\xd8\xff\xe0\x00\x10" + b"\x00" * 4,
        b"%PDF-1.7" + b"\x00" * 40,
    ],
)
def test_not_an_image(data: bytes) -> None:
    with pytest.raises(images.NotAnImage):
        images.inspect(data)


def test_jpeg_without_frame_in_prefix() -> None:
    data = samples.jpeg(10, 10)
    cut = data[: data.index(b"\xff\xc0")] + b"\xff\xfe\x00\x04ab"
    with pytest.raises(images.NotAnImage):
        images.inspect(cut)


@pytest.mark.parametrize(
    ("make", "content_type"),
    [
        (samples.png, "image/png"),
        (samples.gif, "image/gif"),
        (samples.jpeg, "image/jpeg"),
        (samples.webp_lossy, "image/webp"),
        (samples.webp_lossless, "image/webp"),
        (samples.webp_extended, "image/webp"),
    ],
)
@pytest.mark.parametrize(("width", "height"), [(1, 1), (640, 480), (16383, 2)])
def test_type_and_dimensions(
    make: Callable[[int, int], bytes], content_type: str, width: int, height: int
) -> None:
    info = images.inspect(make(width, height))
    assert (info.content_type, info.width, info.height) == (content_type, width, height)
