"""Run axe-core (installed from npm into tests/browser/node_modules) in a Playwright page."""

from pathlib import Path

import pytest

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
# ...and axe's best practices: unique landmark names, one main, headings in order.
WCAG_AND_BEST_PRACTICE = (*WCAG_TAGS, "best-practice")
# Rules whose "needs review" (incomplete) results are failures too: axe cannot be sure a
# duplicate id matters, but one that aria-labelledby points at always does.
REVIEW_IS_FAILURE = ("duplicate-id-aria",)

_RUN = """async ([tags, reviewRules]) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations", "incomplete"],
  });
  const review = results.incomplete.filter((r) => reviewRules.includes(r.id));
  return [...results.violations, ...review].map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}"""


def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE_JS} is missing): run `.ci/system-packages` "
            "(it runs `npm ci` in tests/browser).",
            pytrace=False,
        )
    return AXE_JS.read_text()


def axe_violations(page, tags=WCAG_TAGS, review_is_failure=()) -> list[dict]:
    """axe-core's violations of `tags` on the page as it is now (empty list: none), with
    its "needs review" results for the rules in `review_is_failure`.

    The script is evaluated through the DevTools protocol, not added as a <script>, so a
    strict Content-Security-Policy on the page does not block it.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source() + "\n;undefined")
    return page.evaluate(_RUN, [list(tags), list(review_is_failure)])


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      ")[:400])
    return "\n".join(lines)
