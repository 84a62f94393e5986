import io

from PIL import Image

from trustdesk.intake import services
from trustdesk.intake.incoming import IncomingAttachment, IncomingItem, IncomingReport
from trustdesk.intake.models import Channel, Report


def make_report(
    *,
    text: str = "A dangerous choking challenge is spreading among teenagers at school",
    url: str = "",
    channel: str = Channel.API,
    actor=None,
    attachments: tuple[IncomingAttachment, ...] = (),
    **kwargs,
) -> Report:
    """A report received through the service, as a channel would hand it over."""
    incoming = IncomingReport(
        channel=channel,
        text=text,
        items=[IncomingItem(url=url)] if url else [],
        attachments=list(attachments),
        **kwargs,
    )
    result = services.receive_report(report=incoming, actor=actor)
    assert result.report is not None
    return result.report


def png_bytes(size=(64, 48), colour=(220, 30, 30)) -> bytes:
    """A small red PNG with sharp white stripes: greyscale removes the colour and blurring
    the stripes, both measurably."""
    image = Image.new("RGB", size, colour)
    for x in range(0, size[0], 8):
        for y in range(size[1]):
            image.putpixel((x, y), (250, 250, 250))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def png_attachment(name="screenshot.png", **kwargs) -> IncomingAttachment:
    return IncomingAttachment(name, "image/png", png_bytes(**kwargs))
