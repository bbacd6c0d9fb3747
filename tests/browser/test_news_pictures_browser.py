"""The news listing and a story with a picture, first view on a phone: still within the
40 KB budget (HTML, CSS, JavaScript and the picture, compressed). A module of its own, so
the picture it adds is on its own copy of the site."""

import pytest

from tests.browser.test_editorial_flows import site_shell
from tests.browser.test_weight import NEWS_BUDGET_BYTES, NEWS_PAGES, first_visit

pytestmark = pytest.mark.browser

PICTURE_THE_STORY = """
import io, random
from django.core.files.images import ImageFile
from PIL import Image as P, ImageFilter
from wagtail.images import get_image_model
from news.models import NewsStoryPage

rnd = random.Random(7)  # noqa: S311 - a test picture, not a secret
small = P.new("RGB", (16, 10))
small.putdata([tuple(rnd.randrange(256) for _ in range(3)) for _ in range(160)])
image = small.resize((1600, 1000), P.Resampling.BICUBIC)
grain = P.effect_noise((1600, 1000), 40).convert("RGB")
image = P.blend(image, grain, 0.15).filter(ImageFilter.GaussianBlur(1))
buffer = io.BytesIO()
image.save(buffer, "JPEG", quality=88)
story = NewsStoryPage.objects.get()
story.hero_image = get_image_model().objects.create(
    title="Volunteers in Kathmandu", file=ImageFile(buffer, name="kathmandu.jpg"))
story.hero_image_alt = "UK and Nepali health workers outside a hospital in Kathmandu"
story.save_revision().publish()
print(story.pk)
"""


@pytest.fixture(scope="module")
def pictured_story(live_site):
    return site_shell(live_site, PICTURE_THE_STORY)


@pytest.mark.parametrize("path", NEWS_PAGES)
def test_pictured_news_pages_first_view_is_within_40_kb_on_a_phone(
    pictured_story, site_server, new_page, path
):
    total, report, requests = first_visit(new_page, site_server + path, width=360)
    print(report)  # shown with -s
    assert any("/media/images/" in r.url for r in requests), "the picture is in the first view"
    assert total <= NEWS_BUDGET_BYTES, report
