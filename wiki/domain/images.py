"""Uploaded images checked and resized: pure, no database, no storage, no HTML.

`inspect` tells whether an upload is an image Fahrplan shows (PNG, JPEG, GIF, WebP, at most
MAX_PIXELS) and its size as the browser shows it; `variant` makes the resized copy the text
shows, in the srcset widths `widths_for` names. The original is served as uploaded.

Decisions:
- MAX_PIXELS (40 MP, a 7,000 × 5,700 photo) is checked on the size in the header, before a
  pixel is decoded. Pillow's own bomb check (Image.MAX_IMAGE_PIXELS, 89 MP: a warning, an error
  beyond twice that) lies above ours and is left as it is, since it is global to the process:
  its error is caught, its warning too where warnings are errors (the tests); elsewhere Pillow
  warns and our check refuses.
- Only the four formats' plugins may open an upload, so no other parser reads untrusted bytes.
- A variant carries no metadata at all (EXIF with GPS, XMP, comments); the orientation is
  applied to the pixels. An embedded colour profile is converted to sRGB and then dropped, so
  a wide-gamut phone photo keeps its colours without a profile in every variant.
- An animated GIF or WebP (or APNG) becomes a still of its first frame; the original, one click
  away, keeps the animation. GIF variants are PNG, the others keep their format.
- Memory: JPEG decodes at a reduced scale (draft); the others decode whole, at most
  MAX_PIXELS × 4 bytes (160 MB at 40 MP), once in `inspect` (to find a broken file) and once
  per variant.
"""
import io
import math
import struct
import zlib
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageCms

MAX_PIXELS = 40_000_000
WIDTHS = (480, 960, 1600)
# Pillow's format name: (our key, MIME type). A JPEG with a second picture is an MPO to Pillow.
FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpeg", "image/jpeg"),
           "MPO": ("jpeg", "image/jpeg"), "GIF": ("gif", "image/gif"),
           "WEBP": ("webp", "image/webp")}
OPENERS = ("PNG", "JPEG", "GIF", "WEBP")
ORIENTATION = 0x0112
# How each EXIF orientation but 1 is undone; done here rather than by ImageOps.exif_transpose,
# which rewrites the EXIF block it then hands on and fails on a damaged one.
UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
           4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
           6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
           8: Image.Transpose.ROTATE_90}
# The orientations that turn the picture a quarter: its width is then the stored height.
TURNED = {5, 6, 7, 8}
# What Pillow raises on a broken file, besides its own decompression-bomb error and warning.
BROKEN = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, zlib.error)
BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)
JPEG_QUALITY = 82
WEBP_QUALITY = 80


class Unreadable(ValueError):
    """An upload that is no image Fahrplan shows; the message says why, in the UI's language."""


@dataclass(frozen=True)
class ImageInfo:
    """An image's format and sizes: as stored, and as shown after its EXIF orientation."""

    width: int
    height: int
    format: str
    mime: str
    frames: int
    display_width: int
    display_height: int

    @property
    def animated(self):
        """Return whether the image has more than one frame."""
        return self.frames > 1


@dataclass(frozen=True)
class Variant:
    """A resized copy without metadata, ready to store and serve."""

    data: bytes
    mime: str
    width: int
    height: int


def inspect(stream):
    """Return (ImageInfo, None) for an image Fahrplan shows, else (None, a message why not)."""
    try:
        with _open(stream) as image:
            info = _info(image)
            # Decoded only to find a damaged file: a JPEG at 1/8 scale reads all of it as well.
            _decode(image, (1, 1))
            return info, None
    except Unreadable as refused:
        return None, str(refused)
    finally:
        stream.seek(0)


def variant(stream, width):
    """Return a copy at most `width` pixels wide, upright, without metadata; raise Unreadable."""
    if width < 1:
        raise ValueError(f"width must be positive, not {width}")
    try:
        with _open(stream) as image:
            info = _info(image)
            size = _fitted(info, width)
            scale = size[0] / info.display_width
            # A JPEG may decode at 1/2 to 1/8 scale, as long as it stays at least this large.
            _decode(image, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
            # 8 bits before resizing: Pillow cannot resample 16-bit grey with LANCZOS.
            picture = _plain(_upright(image))
            if picture.size != size:
                # The size comes from the original: a drafted JPEG's rounding would skew it.
                picture = picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
            return _encode(picture, info.format)
    finally:
        stream.seek(0)


def widths_for(info):
    """Return the widths of an image's variants, as `variant` makes them, for its srcset."""
    return widths(info.display_width)


def widths(display_width):
    """Return the variant widths of an image shown `display_width` pixels wide."""
    # Those of WIDTHS the image exceeds; asked for a larger one, `variant` returns it unenlarged.
    smaller = [width for width in WIDTHS if width < display_width]
    # Below the largest width the image itself comes last: a full-size copy without metadata.
    if display_width <= WIDTHS[-1]:
        smaller.append(display_width)
    return smaller


def _fitted(info, width):
    """Return the size of an image shown at most `width` wide, in proportion, never enlarged."""
    shown = min(width, info.display_width)
    return shown, max(1, round(info.display_height * shown / info.display_width))


def _open(stream):
    """Return the image of a stream with its header read, no pixel decoded; raise Unreadable."""
    stream.seek(0)
    try:
        image = Image.open(stream, formats=OPENERS)
    except BOMB:
        # The header claims more pixels than Pillow will open; the size did not reach us.
        raise Unreadable(_("Das Bild ist zu groß; höchstens %(limit)d Megapixel.",
                           limit=MAX_PIXELS // 1_000_000)) from None
    except Image.UnidentifiedImageError:
        raise Unreadable(_("Die Datei ist kein Bild im Format PNG, JPEG, GIF oder WebP.")) \
            from None
    except BROKEN:
        raise Unreadable(_broken()) from None
    if image.width * image.height > MAX_PIXELS:
        # Not closed: close() would close the caller's stream, and nothing is decoded yet.
        raise Unreadable(_("Das Bild ist zu groß (%(width)d × %(height)d Pixel); höchstens "
                           "%(limit)d Megapixel.", width=image.width, height=image.height,
                           limit=MAX_PIXELS // 1_000_000))
    return image


def _broken():
    """Return the message for a file that claims to be an image but cannot be decoded."""
    return _("Das Bild lässt sich nicht lesen; die Datei ist unvollständig oder beschädigt.")


def _decode(image, size):
    """Decode the first frame, a JPEG at the smallest scale still at least `size`."""
    try:
        image.seek(0)
        if image.format in ("JPEG", "MPO"):
            image.draft(None, size)
        image.load()
    except BROKEN:
        raise Unreadable(_broken()) from None


def _info(image):
    """Return what a browser needs to know of an opened image."""
    key, mime = FORMATS[image.format]
    try:
        # A PNG's EXIF may follow its pixels, so reading it decodes them; a JPEG's does not.
        turned = _orientation(image) in TURNED
        # An MPO's second picture is a preview or the other eye, not a frame of an animation.
        frames = 1 if image.format == "MPO" else getattr(image, "n_frames", 1)
    except BROKEN:
        raise Unreadable(_broken()) from None
    width, height = image.size
    return ImageInfo(width, height, key, mime, frames,
                     height if turned else width, width if turned else height)


def _orientation(image):
    """Return the image's EXIF orientation, 1 (as stored) when it has none or a bad one."""
    value = image.getexif().get(ORIENTATION)
    return value if isinstance(value, int) and value in UPRIGHT else 1


def _upright(image):
    """Return the decoded image turned as its EXIF orientation says, in sRGB if it had a profile."""
    turn = UPRIGHT.get(_orientation(image))
    picture = image.transpose(turn) if turn else image
    profile = image.info.get("icc_profile")
    if profile and picture.mode in ("RGB", "RGBA", "CMYK"):
        output = "RGBA" if picture.mode == "RGBA" else "RGB"
        try:
            picture = ImageCms.profileToProfile(picture, io.BytesIO(profile),
                                                ImageCms.createProfile("sRGB"), outputMode=output)
        except (ImageCms.PyCMSError, OSError):
            pass  # a profile lcms cannot read: the pixels are taken as sRGB, as browsers do
    return picture


def _plain(picture):
    """Return the picture in RGB, RGBA or L, 8 bits per channel, without any info."""
    if picture.mode.startswith("I"):
        # 16-bit grey: Pillow's conversion to 8 bits clips instead of scaling.
        picture = picture.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    elif picture.has_transparency_data:
        picture = picture.convert("RGBA")
    elif picture.mode in ("1", "L"):
        picture = picture.convert("L")
    else:
        picture = picture.convert("RGB")
    picture.info = {}  # no EXIF, XMP, ICC, comment or transparency key reaches the encoder
    return picture


def _encode(picture, key):
    """Return the picture as a Variant in its original's format, GIF as PNG."""
    out = io.BytesIO()
    if key == "jpeg":
        picture = picture if picture.mode == "L" else picture.convert("RGB")
        picture.save(out, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
        mime = "image/jpeg"
    elif key == "webp":
        picture.save(out, "WEBP", quality=WEBP_QUALITY)
        mime = "image/webp"
    else:
        picture.save(out, "PNG", optimize=True)
        mime = "image/png"
    return Variant(out.getvalue(), mime, picture.width, picture.height)
