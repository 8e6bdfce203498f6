"""One still image read safely: a file in a photo folder may be anything at all, including a
multi-gigabyte file or a small file that decodes to a gigapixel picture, and neither may take
the machine's memory. Used by the image-folder source and by ``classify``.
"""
from __future__ import annotations

import logging
import stat
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

# Far above any camera's photo (a 200 MP phone JPEG is ~60 MB); a bigger file is refused unread.
MAX_IMAGE_BYTES = 256 * 2**20
# Decoded BGR of this many pixels is ~360 MB. A larger JPEG is decoded at 1/2, 1/4 or 1/8 size
# (libjpeg scales while decoding, so the full picture never exists); other formats are decoded
# whole by OpenCV before any scaling, so a larger one is refused. Matching works at 640 px, so
# nothing a note needs is lost by the reduction.
MAX_IMAGE_PIXELS = 120_000_000
_REDUCED = {2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4, 8: cv2.IMREAD_REDUCED_COLOR_8}
NOT_AN_IMAGE = "cannot read image (corrupt, empty or not an image)"


def _too_large(pixels: str) -> str:
    return f"image too large ({pixels} pixels; at most {MAX_IMAGE_PIXELS / 1e6:g} megapixels)"


def _header(path: Path) -> tuple[str, int, int] | None:
    """Format and size from the file's header alone (nothing is decoded); None when Pillow
    cannot tell, and then OpenCV's own decoder decides. Pillow's DecompressionBombError
    (its own limit, ~179 MP, is above ours) is left to the caller."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            return im.format or "", im.width, im.height
    except Image.DecompressionBombError:
        raise
    except Exception:  # noqa: BLE001 - any header Pillow cannot parse is left to OpenCV
        return None


def read_image(path: str | Path) -> tuple[np.ndarray | None, str | None]:
    """The image as BGR, or the reason it cannot be had. Reads bytes first so non-ASCII paths
    work everywhere."""
    path = Path(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return None, "cannot read image (not a regular file)"  # a device or pipe never ends
        if st.st_size > MAX_IMAGE_BYTES:
            return None, (f"image file too large ({st.st_size / 2**20:.0f} MB; "
                          f"at most {MAX_IMAGE_BYTES // 2**20} MB)")
        data = np.frombuffer(path.read_bytes(), np.uint8)
    except OSError as exc:
        return None, f"cannot read image ({exc.strerror or exc})"
    if not data.size:
        return None, NOT_AN_IMAGE
    from PIL import Image

    flags = cv2.IMREAD_COLOR
    try:
        header = _header(path)
    except Image.DecompressionBombError:
        return None, _too_large(f"over {2 * Image.MAX_IMAGE_PIXELS // 1_000_000} million")
    if header is not None and header[1] * header[2] > MAX_IMAGE_PIXELS:
        fmt, w, h = header
        factor = next((f for f in _REDUCED if w * h <= MAX_IMAGE_PIXELS * f * f), None)
        if fmt != "JPEG" or factor is None:
            return None, _too_large(f"{w} x {h}")
        flags = _REDUCED[factor]
        log.warning("%s: %d x %d pixels, read at 1/%d size", path, w, h, factor)
    image = cv2.imdecode(data, flags)
    if image is None or image.size == 0:
        return None, NOT_AN_IMAGE
    return image, None
