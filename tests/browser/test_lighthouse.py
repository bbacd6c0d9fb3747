"""Lighthouse scores 100 in all four categories on the site's key page types.

A few representative pages only: each run takes 10-20 s. New page types add their own
pages here (or call `lighthouse_scores` in their own module).
"""

import pytest

from tests.browser.lighthouse import assert_perfect, lighthouse_scores

pytestmark = pytest.mark.browser

KEY_PAGES = ("/", "/our-work/projects/", "/publications/")


@pytest.mark.parametrize("path", KEY_PAGES)
def test_key_pages_score_100_on_a_phone(site_server, path):
    assert_perfect(lighthouse_scores(site_server + path))
