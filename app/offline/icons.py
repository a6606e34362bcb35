"""The app's icons, drawn with Pillow (ours, like the favicon: a red disc with a gold one inside).

A "maskable" icon fills its square and keeps its drawing inside the middle 80%, which launchers
may crop to a circle or a rounded square.
"""

from PIL import Image, ImageDraw

RED, GOLD = (183, 28, 28), (244, 197, 66)
ICON_SIZES = (("icon-192.png", 192, False), ("icon-512.png", 512, False), ("maskable-512.png", 512, True))


def draw_icon(size: int, maskable: bool = False) -> Image.Image:
    scale = 4  # drawn large and scaled down: smooth edges
    side = size * scale
    image = Image.new("RGBA", (side, side), RED if maskable else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    inset = side * (0.12 if maskable else 0.02)
    draw.ellipse((inset, inset, side - inset, side - inset), fill=RED)
    gold = side * (0.30 if maskable else 0.22)
    draw.ellipse((gold, gold, side - gold, side - gold), fill=GOLD)
    return image.resize((size, size), Image.Resampling.LANCZOS)
