"""Uploaded images: what inspect accepts and refuses, and the variants the text shows."""
import io
import struct
import time
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms

from wiki.domain import images

MIMES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/png", "WEBP": "image/webp"}
GPS = 0x8825
ORIENTATION = 0x0112


def encoded(image, fmt, **options):
    """Return a stream holding the image saved in a format."""
    out = io.BytesIO()
    image.save(out, fmt, **options)
    out.seek(0)
    return out


def photo(size=(640, 480), mode="RGB"):
    """Return a picture with detail in it, so that every encoder has something to keep."""
    image = Image.radial_gradient("L").resize(size)
    if mode == "L":
        return image
    return Image.merge("RGB", (image, image.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                               Image.linear_gradient("L").resize(size))).convert(mode)


def opened(result):
    """Return a variant's bytes opened as an image."""
    return Image.open(io.BytesIO(result.data))


def with_exif(**tags):
    """Return an Exif block holding the given tags (GPS as an IFD)."""
    exif = Image.Exif()
    for tag, value in tags.items():
        if tag == "gps":
            exif.get_ifd(GPS).update(value)
        else:
            exif[ORIENTATION] = value
    return exif


def bomb(width, height):
    """Return a PNG stream whose header claims width × height, its IHDR checksum fixed."""
    data = bytearray(encoded(Image.new("1", (8, 8)), "PNG").getvalue())
    # The IHDR chunk follows the 8-byte signature: length, type, then width and height.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return io.BytesIO(bytes(data))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_every_format_round_trips(fmt):
    """Each format is inspected and resized into a readable variant of the right type and size."""
    stream = encoded(photo((1200, 900)), fmt)
    info, message = images.inspect(stream)
    assert message is None
    assert (info.width, info.height, info.frames) == (1200, 900, 1)
    assert (info.display_width, info.display_height) == (1200, 900)
    assert info.format == fmt.lower()
    assert stream.tell() == 0
    result = images.variant(stream, 480)
    assert stream.tell() == 0
    assert result.mime == MIMES[fmt]
    assert (result.width, result.height) == (480, 360)
    shown = opened(result)
    assert shown.size == (480, 360)
    assert shown.get_format_mimetype() == MIMES[fmt]


@pytest.mark.parametrize(("size", "width", "expected"), [
    ((300, 200), 480, (300, 200)),
    ((480, 100), 480, (480, 100)),
    ((1000, 333), 480, (480, 160)),
    ((333, 1000), 100, (100, 300)),
    ((4000, 3), 480, (480, 1)),
])
def test_the_aspect_ratio_is_kept_and_nothing_is_enlarged(size, width, expected):
    """A variant is at most as wide as asked, never larger than the original, in proportion."""
    result = images.variant(encoded(photo(size), "PNG"), width)
    assert (result.width, result.height) == expected == opened(result).size


@pytest.mark.parametrize(("width", "expected"), [
    (200, [200]),
    (480, [480]),
    (481, [480, 481]),
    (1000, [480, 960, 1000]),
    (1600, [480, 960, 1600]),
    (5000, [480, 960, 1600]),
])
def test_widths_for_names_no_variant_wider_than_the_image(width, expected):
    """The srcset widths stop at the image's own width and are never empty."""
    info = images.ImageInfo(width, 100, "png", "image/png", 1, width, 100)
    assert images.widths_for(info) == expected


def test_widths_for_uses_the_width_as_shown():
    """A photo turned upright by its EXIF orientation offers variants up to its shown width."""
    info = images.ImageInfo(3000, 500, "jpeg", "image/jpeg", 1, 500, 3000)
    assert images.widths_for(info) == [480, 500]


def test_gps_and_all_other_metadata_are_gone():
    """The variant carries no EXIF (GPS above all), no comment and no profile."""
    exif = with_exif(gps={1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    stream = encoded(photo(), "JPEG", exif=exif, comment=b"Kamera Flur 3")
    assert Image.open(stream).getexif().get_ifd(GPS)  # the original has it
    stream.seek(0)
    result = images.variant(stream, 480)
    shown = opened(result)
    assert not shown.getexif()
    assert not {"exif", "comment", "icc_profile", "xmp"} & set(shown.info)
    assert b"Exif" not in result.data and b"Kamera" not in result.data


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_orientation_is_applied(fmt):
    """A portrait photo stored landscape with Orientation 6 is tall, in the info and the variant."""
    stored = photo((800, 600))
    stored.putpixel((0, 0), (255, 0, 0))
    stream = encoded(stored, fmt, exif=with_exif(orientation=6))
    info, message = images.inspect(stream)
    assert message is None
    assert (info.width, info.height) == (800, 600)
    assert (info.display_width, info.display_height) == (600, 800)
    result = images.variant(stream, 300)
    assert (result.width, result.height) == (300, 400)
    assert not opened(result).getexif().get(ORIENTATION)


def test_png_transparency_is_kept():
    """A transparent corner of a PNG stays transparent in its variant."""
    image = photo((400, 400), "RGBA")
    image.paste((0, 0, 0, 0), (0, 0, 200, 200))
    shown = opened(images.variant(encoded(image, "PNG"), 200))
    assert shown.mode == "RGBA"
    assert shown.getpixel((10, 10))[3] == 0
    assert shown.getpixel((190, 190))[3] == 255


def test_a_palette_png_with_a_transparent_colour_keeps_it():
    """A palette PNG with a transparent index becomes RGBA, the transparent part still clear."""
    image = photo((300, 300)).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    image.paste(0, (0, 0, 150, 300))
    stream = encoded(image, "PNG", transparency=0)
    info, message = images.inspect(stream)
    assert (info.format, message) == ("png", None)
    shown = opened(images.variant(stream, 150))
    assert shown.size == (150, 150)
    assert shown.getpixel((10, 75))[3] == 0
    assert shown.getpixel((140, 75))[3] == 255


def test_a_cmyk_jpeg_becomes_rgb():
    """A print-shop CMYK JPEG is shown as an RGB JPEG."""
    result = images.variant(encoded(photo((640, 480), "CMYK"), "JPEG"), 320)
    assert result.mime == "image/jpeg"
    assert opened(result).mode == "RGB"


def test_a_colour_profile_is_converted_to_srgb_and_dropped():
    """Pixels in a wide-gamut profile are converted to sRGB; the variant carries no profile."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    stream = encoded(photo(), "JPEG", icc_profile=srgb, quality=95)
    result = images.variant(stream, 640)
    shown = opened(result)
    assert "icc_profile" not in shown.info
    # An sRGB profile converted to sRGB leaves the colours as they were (JPEG's loss aside).
    original = Image.open(stream).convert("RGB").getpixel((320, 240))
    assert all(abs(a - b) < 12 for a, b in zip(shown.getpixel((320, 240)), original, strict=True))


def test_a_broken_colour_profile_is_ignored():
    """A profile lcms cannot read leaves the pixels as they are, as a browser would."""
    result = images.variant(encoded(photo(), "JPEG", icc_profile=b"not a profile" * 20), 320)
    assert "icc_profile" not in opened(result).info


def test_a_16_bit_png_is_scaled_to_8_bits():
    """A 16-bit grey PNG keeps its shades: 60,000 of 65,535 is light grey, not clipped white."""
    image = Image.new("I;16", (300, 200), 30000)
    image.paste(Image.new("I;16", (150, 200), 60000), (150, 0))
    shown = opened(images.variant(encoded(image, "PNG"), 150))
    assert shown.mode == "L"
    assert abs(shown.getpixel((10, 50)) - 117) <= 1
    assert abs(shown.getpixel((140, 50)) - 234) <= 1


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA"])
def test_png_modes(mode):
    """Every PNG mode Pillow writes becomes a readable variant."""
    result = images.variant(encoded(photo((200, 100)).convert(mode), "PNG"), 100)
    assert opened(result).size == (100, 50)


def frames(count, size=(200, 100)):
    """Return differently coloured frames for an animation."""
    return [Image.new("RGB", size, (40 * n, 0, 255 - 40 * n)) for n in range(count)]


def test_an_animated_gif_becomes_a_png_of_its_first_frame():
    """The variant of an animated GIF is a still PNG of the first frame; info counts the frames."""
    first, *rest = frames(4)
    stream = encoded(first, "GIF", save_all=True, append_images=rest, duration=100, loop=0)
    info, message = images.inspect(stream)
    assert message is None
    assert (info.format, info.frames, info.animated) == ("gif", 4, True)
    shown = opened(images.variant(stream, 100))
    assert shown.format == "PNG"
    assert getattr(shown, "n_frames", 1) == 1
    assert shown.convert("RGB").getpixel((50, 25)) == (0, 0, 255)


def test_an_animated_webp_becomes_a_still_webp():
    """An animated WebP's variant is a still WebP of its first frame."""
    first, *rest = frames(3)
    stream = encoded(first, "WEBP", save_all=True, append_images=rest, duration=100,
                     lossless=True)
    info, _ = images.inspect(stream)
    assert (info.frames, info.animated) == (3, True)
    shown = opened(images.variant(stream, 100))
    assert (shown.format, getattr(shown, "n_frames", 1)) == ("WEBP", 1)


def test_a_jpeg_with_a_second_picture_is_a_jpeg():
    """A camera's MPO (a JPEG with a second picture appended) is a still JPEG."""
    first, second = frames(2, (400, 300))
    stream = encoded(first, "MPO", save_all=True, append_images=[second])
    info, message = images.inspect(stream)
    assert (info.format, info.mime, info.frames, message) == ("jpeg", "image/jpeg", 1, None)
    assert images.variant(stream, 200).mime == "image/jpeg"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_a_truncated_file_is_refused_with_a_message(fmt):
    """A file cut off halfway is refused with a message, not an exception."""
    data = encoded(Image.effect_noise((300, 200), 60).convert("RGB"), fmt).getvalue()
    stream = io.BytesIO(data[:len(data) // 2])
    info, message = images.inspect(stream)
    assert info is None
    assert message.startswith("Das Bild lässt sich nicht lesen")
    assert stream.tell() == 0
    with pytest.raises(images.Unreadable):
        images.variant(stream, 100)


@pytest.mark.parametrize("data", [
    b"",
    b"hello world",
    bytes(range(256)) * 8,
    b"\x89PNG\r\n\x1a\n" + b"\0" * 40,
    b"<svg xmlns='http://www.w3.org/2000/svg'/>",
])
def test_garbage_is_refused(data):
    """Bytes that are no image are refused with the list of formats."""
    info, message = images.inspect(io.BytesIO(data))
    assert info is None
    assert message == "Die Datei ist kein Bild im Format PNG, JPEG, GIF oder WebP."


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "PDF"])
def test_other_formats_are_refused(fmt):
    """An image in a format the browsers do not all show is refused like any other file."""
    info, message = images.inspect(encoded(photo((50, 50)), fmt))
    assert info is None
    assert "PNG, JPEG, GIF oder WebP" in message


@pytest.mark.parametrize(("width", "height"), [
    (8000, 6000),      # 48 MP: above our limit, below Pillow's
    (10_000, 10_000),  # 100 MP: where Pillow warns
    (50_000, 50_000),  # 2.5 GP: where Pillow raises
    (2**31 - 1, 2**31 - 1),
])
def test_a_decompression_bomb_is_refused_before_decoding(width, height):
    """A header claiming too many pixels is refused at once, without decoding them."""
    started = time.monotonic()
    info, message = images.inspect(bomb(width, height))
    assert time.monotonic() - started < 2
    assert info is None
    assert message.startswith("Das Bild ist zu groß")
    assert message.endswith("höchstens 40 Megapixel.")


def test_the_size_is_named_when_it_is_known():
    """Above our limit but within Pillow's, the message names the size."""
    _, message = images.inspect(bomb(8000, 6000))
    assert message == "Das Bild ist zu groß (8000 × 6000 Pixel); höchstens 40 Megapixel."


def test_a_real_1_bit_bomb_is_refused_quickly():
    """A genuine 20,000 × 20,000 PNG of a few kilobytes is refused without being decoded."""
    stream = encoded(Image.new("1", (20_000, 20_000)), "PNG")
    assert len(stream.getvalue()) < 100_000
    started = time.monotonic()
    info, message = images.inspect(stream)
    assert time.monotonic() - started < 2
    assert (info, message[:20]) == (None, "Das Bild ist zu groß")


def test_the_largest_allowed_jpeg_is_decoded_small():
    """A JPEG near the limit decodes at a reduced scale for a small variant."""
    stream = encoded(photo((7000, 5000)), "JPEG")
    info, message = images.inspect(stream)
    assert message is None and info.width == 7000
    result = images.variant(stream, 480)
    assert (result.width, result.height) == (480, 343)


def test_a_width_below_one_is_a_programming_error():
    """Asking for a variant zero pixels wide is a bug of the caller."""
    with pytest.raises(ValueError, match="positive"):
        images.variant(encoded(photo((10, 10)), "PNG"), 0)


MODES = {"PNG": ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"], "JPEG": ["L", "RGB", "CMYK"],
         "GIF": ["L", "P", "RGB"], "WEBP": ["RGB", "RGBA"]}


@st.composite
def pictures(draw):
    """Draw a small image in some format and mode, and a width to ask for."""
    fmt = draw(st.sampled_from(sorted(MODES)))
    mode = draw(st.sampled_from(MODES[fmt]))
    size = (draw(st.integers(1, 300)), draw(st.integers(1, 300)))
    image = photo(size).convert(mode) if mode != "I;16" else Image.new(mode, size, 4000)
    exif = with_exif(orientation=draw(st.integers(1, 8))) if fmt != "GIF" else None
    options = {"exif": exif} if exif else {}
    return encoded(image, fmt, **options), draw(st.integers(1, 400))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pictures())
def test_variant_is_never_wider_than_asked(case):
    """For any valid small image the variant is readable and at most as wide as asked."""
    stream, width = case
    info, message = images.inspect(stream)
    assert message is None
    result = images.variant(stream, width)
    assert result.width == min(width, info.display_width)
    assert opened(result).size == (result.width, result.height)
    expected = info.display_height * result.width / info.display_width
    assert abs(result.height - expected) <= 1


def damaged(data, changes):
    """Return image bytes with some bytes replaced, perhaps cut short."""
    data = bytearray(data)
    for position, value in changes:
        data[position % len(data)] = value
    return bytes(data)


SOUND = {fmt: encoded(photo((120, 90)), fmt, **({"exif": with_exif(orientation=6)}
                                                  if fmt != "GIF" else {})).getvalue()
         for fmt in MODES}


# Pillow warns of a damaged EXIF block and reads on; outside the tests a warning stops nothing.
@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(SOUND)),
       st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
       st.one_of(st.none(), st.integers(1, 10**6)))
def test_a_damaged_file_is_refused_or_shown(fmt, changes, cut):
    """Damaged bytes give a message or a variant, never an exception."""
    data = damaged(SOUND[fmt], changes)
    stream = io.BytesIO(data[:cut % len(data)] if cut else data)
    info, message = images.inspect(stream)
    assert (info is None) != (message is None)
    if info:
        assert images.variant(stream, 60).width <= 60
